//! `pdca plan …`: the plan catalogue.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
pub use pdca_app::json::{format_number, plan_json, target_text};
use pdca_core::Plan;
use pdca_core::plan_file::parse_plan;
use pdca_store::SaveOutcome;

use super::Session;

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
) -> anyhow::Result<ExitCode> {
    let plan = load(session, id, revision).await?;
    println!("{}", serde_json::to_string_pretty(&plan_json(&plan))?);
    Ok(ExitCode::SUCCESS)
}

fn read_plan_file(
    file: &Path,
) -> anyhow::Result<(String, Result<Plan, pdca_core::plan_file::PlanFileErrors>)> {
    let text = std::fs::read_to_string(file).with_context(|| {
        format!(
            "{} を読めません（UTF-8 のテキストファイルが必要です）",
            file.display()
        )
    })?;
    let name = file.display().to_string();
    let parsed = parse_plan(&name, &text);
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
            for e in &errors.0 {
                eprintln!("{e}");
            }
            eprintln!("{}件のエラーがあります", errors.0.len());
            Ok(ExitCode::FAILURE)
        }
    }
}

pub async fn import(session: &Session, file: &Path) -> anyhow::Result<ExitCode> {
    let (text, parsed) = read_plan_file(file)?;
    let plan = match parsed {
        Ok(plan) => plan,
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("{e}");
            }
            eprintln!("{}件のエラーがあるため取り込みませんでした", errors.0.len());
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
