//! `pdca plan …`: the plan catalogue.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
pub use pdca_app::json::{format_number, plan_json, target_text};
use pdca_core::plan_draft::{DraftMeta, UnusedReason, draft_plan};
use pdca_core::plan_file::parse_plan;
use pdca_core::{FiscalYear, Plan};
use pdca_store::SaveOutcome;

use super::Session;
use crate::cli::{DiffFormat, ExportPlanFormat};
use pdca_app::plans::{RowKind, compare_revisions, diff_json, diff_rows, header_lines};

pub async fn list(session: &Session) -> anyhow::Result<ExitCode> {
    for p in session.store.list_plans().await? {
        // The period as `plan show` gives it: 令和2年度〜令和6年度 (`FiscalYear`'s `Display`
        // already writes the "FY" prefix, so it is not the form to splice into text here).
        println!(
            "{}\t{}\t{}〜{}\t第{}版",
            p.id,
            p.name,
            p.start_fy.wareki(),
            p.end_fy.wareki(),
            p.revision
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn load(session: &Session, id: Option<&str>, revision: Option<u32>) -> anyhow::Result<Plan> {
    let plan = session.plan(id).await?;
    match revision {
        None => Ok(plan),
        Some(r) => session
            .store
            .plan_revision(&plan.id, r)
            .await?
            .with_context(|| format!("計画「{}」に第{r}版はありません", plan.id)),
    }
}

pub async fn show(
    session: &Session,
    id: Option<&str>,
    revision: Option<u32>,
) -> anyhow::Result<ExitCode> {
    let plan = load(session, id, revision).await?;
    println!("{}（{}）第{}版", plan.name, plan.id, plan.revision);
    println!(
        "計画期間: {}〜{}（{}〜{}）",
        plan.period.start.wareki(),
        plan.period.end.wareki(),
        plan.period.start,
        plan.period.end
    );
    for project in &plan.projects {
        println!();
        println!("■ {}（{}）", project.name, project.id);
        let mut heading = None;
        for i in &project.indicators {
            let this = (i.kind, i.management, i.group.as_str());
            if heading != Some(this) {
                let management = if i.management {
                    "（その他管理指標）"
                } else {
                    ""
                };
                println!("  ＜{}＞{management} ○{}", i.kind.label(), i.group);
                heading = Some(this);
            }
            let indent = if i.parent.is_some() { "      " } else { "    " };
            let target = target_text(i);
            let bodies: Vec<String> = i
                .assignments
                .iter()
                .map(|a| match a.share {
                    Some(s) => format!("{}:{}", a.body, format_number(s)),
                    None => a.body.clone(),
                })
                .collect();
            println!(
                "{indent}{}  {}  {}  [{}]",
                i.id,
                i.name,
                target,
                bodies.join(",")
            );
        }
    }
    if !plan.glossary.is_empty() {
        println!();
        println!("用語");
        for g in &plan.glossary {
            println!("  {}: {}", g.term, g.definition);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn export(
    session: &Session,
    id: Option<&str>,
    revision: Option<u32>,
    format: ExportPlanFormat,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let plan = load(session, id, revision).await?;
    match (format, output) {
        (ExportPlanFormat::Xlsx, _) => super::plan_workbook::write(&plan, output)?,
        (ExportPlanFormat::Json, None) => {
            println!("{}", serde_json::to_string_pretty(&plan_json(&plan))?);
        }
        (ExportPlanFormat::Json, Some(path)) => {
            let json = serde_json::to_string_pretty(&plan_json(&plan))? + "\n";
            std::fs::write(path, json)
                .with_context(|| format!("{} に書き込めません", path.display()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A plan file's text and the plan, or its problems one per line; a `.xlsx` file is read as a
/// plan workbook, and its text is the plan written as a plan file.
fn read_plan_file(file: &Path) -> anyhow::Result<(String, Result<Plan, Vec<String>>)> {
    if super::plan_workbook::is_workbook(file) {
        return super::plan_workbook::read(file);
    }
    let text = std::fs::read_to_string(file).with_context(|| {
        format!(
            "{} を読めません（UTF-8 のテキストファイルが必要です）",
            file.display()
        )
    })?;
    let name = file.display().to_string();
    let parsed = parse_plan(&name, &text)
        .map_err(|errors| errors.0.iter().map(ToString::to_string).collect());
    Ok((text, parsed))
}

pub fn validate(file: &Path) -> anyhow::Result<ExitCode> {
    let (_, parsed) = read_plan_file(file)?;
    match parsed {
        Ok(plan) => {
            let n: usize = plan.projects.iter().map(|p| p.indicators.len()).sum();
            println!(
                "{}: OK（計画「{}」第{}版、プロジェクト{}件、指標{n}件）",
                file.display(),
                plan.id,
                plan.revision,
                plan.projects.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!("{}件のエラーがあります", errors.len());
            Ok(ExitCode::FAILURE)
        }
    }
}

pub async fn import(session: &Session, file: &Path) -> anyhow::Result<ExitCode> {
    let (text, parsed) = read_plan_file(file)?;
    let plan = match parsed {
        Ok(plan) => plan,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!("{}件のエラーがあるため取り込みませんでした", errors.len());
            return Ok(ExitCode::FAILURE);
        }
    };
    let outcome = session
        .store
        .save_plan(&plan, Some(&text), &session.actor)
        .await?;
    let what = match outcome {
        SaveOutcome::Created => "新しい計画として取り込みました",
        SaveOutcome::NewRevision => "新しい版として取り込みました（前の版は履歴に残ります）",
        SaveOutcome::Unchanged => "同じ版が既にあるため変更はありません",
    };
    println!("計画「{}」第{}版: {what}", plan.id, plan.revision);
    Ok(ExitCode::SUCCESS)
}

pub async fn history(session: &Session, id: Option<&str>) -> anyhow::Result<ExitCode> {
    let plan = session.plan(id).await?;
    let history = session
        .store
        .plan_history(&plan.id)
        .await?
        .with_context(|| format!("計画「{}」の履歴がありません", plan.id))?;
    for v in history.versions() {
        println!(
            "第{}版\t適用 {}（{}）\t決定 {}\t{}",
            v.revision,
            v.effective_from,
            v.effective_from.wareki(),
            v.decided_on.as_deref().unwrap_or("-"),
            v.revision_note.as_deref().unwrap_or("")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `pdca plan diff`: what changed from revision `from` to `to` (by default the previous and
/// the current one), one line per change in the plan's order; an unknown revision is an error
/// naming it.
pub async fn diff(
    session: &Session,
    id: Option<&str>,
    (from, to): (Option<u32>, Option<u32>),
    format: DiffFormat,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(id).await?;
    let comparison = compare_revisions(&session.store, &plan.id, from, to).await?;
    if format == DiffFormat::Json {
        println!("{}", serde_json::to_string_pretty(&diff_json(&comparison))?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}（{}）第{}版 → 第{}版",
        comparison.to.name, comparison.to.id, comparison.from.revision, comparison.to.revision
    );
    if comparison.diff.is_empty() {
        println!("変更はありません");
        return Ok(ExitCode::SUCCESS);
    }
    for line in header_lines(&comparison.diff) {
        println!("{line}");
    }
    for row in diff_rows(&comparison.diff) {
        let before = row.before.as_deref().unwrap_or_default();
        let after = row.after.as_deref().unwrap_or_default();
        let what = match row.change {
            RowKind::Added => format!("{}  目標 {after}", row.name),
            RowKind::Removed => format!("{}  目標 {before}", row.name),
            RowKind::Renamed => format!("{before} → {after}"),
            RowKind::TargetChanged => format!("{}  {before} → {after}", row.name),
            RowKind::Other => format!("{}  {after}", row.name),
        };
        println!(
            "{}  {}  {}  {what}",
            row.change.label(),
            row.id,
            row.project_name
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The largest annex `pdca plan draft` reads: a plan's KPI annex is a few pages of text.
const MAX_ANNEX_BYTES: u64 = 4 * 1024 * 1024;

/// `pdca plan draft`: the plan file drafted from an annex's text, to `output` or standard
/// output; every line not used (blank lines aside) and everything that needs a person on
/// standard error, each with the file and line number. Exits 0 when the draft is complete and
/// valid, 2 when a person must look at it (the file is written all the same).
pub fn draft(
    file: &Path,
    id: &str,
    name: &str,
    (start_fy, end_fy): (FiscalYear, FiscalYear),
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let text = read_annex(file)?;
    let draft = draft_plan(&text, DraftMeta::new(id, name, start_fy, end_fy));
    match output {
        Some(path) => std::fs::write(path, &draft.toml)
            .with_context(|| format!("{} に書き込めません", path.display()))?,
        None => print!("{}", draft.toml),
    }
    let source = file.display();
    for unused in draft
        .unused
        .iter()
        .filter(|u| u.reason != UnusedReason::Blank)
    {
        eprintln!(
            "{source}:{}: 使わなかった行（{}）: {}",
            unused.line,
            unused.reason.label(),
            unused.text.trim()
        );
    }
    for review in &draft.review {
        let line = review.line.map_or_else(String::new, |l| format!("{l}:"));
        let indicator = review
            .indicator
            .as_deref()
            .map_or_else(String::new, |i| format!("（{i}）"));
        eprintln!("{source}:{line} 要確認{indicator}: {}", review.problem);
    }
    let written = output.map_or_else(|| "標準出力".to_owned(), |p| p.display().to_string());
    match parse_plan(&written, &draft.toml) {
        Ok(plan) if draft.is_complete() => {
            let indicators: usize = plan.projects.iter().map(|p| p.indicators.len()).sum();
            eprintln!(
                "{written}: 計画「{}」を作成しました（プロジェクト{}件、指標{indicators}件）。pdca plan validate で確かめてから pdca plan import で取り込んでください",
                plan.id,
                plan.projects.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Ok(_) => {
            eprintln!(
                "{written}: {}件に要確認があります（ファイルの # 要確認 の箇所を直してください）",
                draft.review.len()
            );
            Ok(ExitCode::from(2))
        }
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("{e}");
            }
            eprintln!(
                "{written}: 作成した計画ファイルに{}件のエラーがあります（--id などの指定と # 要確認 の箇所を直してください）",
                errors.0.len()
            );
            Ok(ExitCode::from(2))
        }
    }
}

/// The annex's text: UTF-8 (a byte-order mark is dropped), at most [`MAX_ANNEX_BYTES`].
fn read_annex(file: &Path) -> anyhow::Result<String> {
    use std::io::Read;
    let opened =
        std::fs::File::open(file).with_context(|| format!("{} を開けません", file.display()))?;
    let mut bytes = Vec::new();
    opened
        .take(MAX_ANNEX_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("{} を読めません", file.display()))?;
    if bytes.len() as u64 > MAX_ANNEX_BYTES {
        anyhow::bail!(
            "{} は大きすぎます（{} MiB まで。成果目標の別表の部分だけをテキストにしてください）",
            file.display(),
            MAX_ANNEX_BYTES / 1024 / 1024
        );
    }
    // A Word document is read for its paragraphs, as the web page reads it.
    let is_docx = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("docx"));
    if is_docx {
        let name = file.display().to_string();
        return pdca_interchange::docx_text(&name, &bytes, &pdca_interchange::Limits::COMMAND_LINE)
            .map_err(|e| anyhow::anyhow!("{e}"));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{} は UTF-8 のテキストではありません（{} バイト目）。UTF-8 で保存し直してください",
            file.display(),
            e.utf8_error().valid_up_to() + 1
        )
    })?;
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text))
}
