//! `pdca achievements …`: import an achievements list (成果一覧; all or nothing), list it, show
//! the possible duplicates and record the secretariat's decision on a pair.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use pdca_core::access::ActualState;
use pdca_core::achievements::{
    Achievement, AchievementId, DuplicateDecision, DuplicatePair, DuplicateReason, Resolution,
    find_duplicates, validate_achievement_rows,
};
use pdca_core::import::escape_formula;
use pdca_core::plan::Counting;
use pdca_core::{FiscalYear, Plan};
use pdca_interchange::{Limits, read_achievements};
use pdca_store::{AchievementChange, AchievementFilter};
use serde_json::{Value, json};

use super::Session;
use crate::cli::{AchievementListFormat, DuplicatesFormat};
use crate::progress::Steps;
use crate::table::{Align, render, truncate};

/// The columns of `list --format csv`: the import's English headers, then the id and state as
/// reference columns (headed （参考）, which every import skips), so that the file imports as it is.
const CSV_COLUMNS: [&str; 14] = [
    "indicator_id",
    "fiscal_year",
    "body",
    "project_code",
    "title",
    "institution",
    "date",
    "tags",
    "public",
    "notable",
    "url",
    "note",
    "（参考）id",
    "（参考）state",
];

/// `achievements import FILE`: reads, validates every row, and records all of them in one
/// transaction, or nothing.
pub async fn import(
    session: &Session,
    file: &Path,
    plan: Option<&str>,
    dry_run: bool,
    draft: bool,
) -> anyhow::Result<ExitCode> {
    let name = file.display().to_string();
    let steps = Steps::start(&format!("{name} を読んでいます"));
    let bytes = std::fs::read(file).with_context(|| format!("{name} を読めません"))?;
    // As for actuals: a hostile workbook is refused within the command line's limits, on a
    // thread of its own while the plan loads.
    let reading = {
        let name = name.clone();
        tokio::task::spawn_blocking(move || read_achievements(&name, &bytes, &Limits::COMMAND_LINE))
    };
    let plan = session.plan(plan).await;
    let table = reading
        .await
        .with_context(|| format!("{name} を読めません"))?;
    drop(steps);
    let plan = plan?;
    let table = match table {
        Ok(table) => table,
        Err(e) => {
            eprintln!("{e}");
            eprintln!("{name}: エラーがあるため何も取り込みませんでした");
            return Ok(ExitCode::FAILURE);
        }
    };
    let imported =
        match validate_achievement_rows(&plan, &table.headers, table.header_row, &table.rows) {
            Ok(rows) => rows,
            Err(errors) => {
                let sheet = table
                    .sheet
                    .as_deref()
                    .map(|s| format!("[{s}]"))
                    .unwrap_or_default();
                for e in &errors {
                    let text = if e.text.is_empty() || e.message.contains(&e.text) {
                        String::new()
                    } else {
                        format!("（値「{}」）", e.text)
                    };
                    eprintln!("{name}{sheet}: {e}{text}");
                }
                eprintln!(
                    "{name}: {}件のエラーがあるため何も取り込みませんでした",
                    errors.len()
                );
                return Ok(ExitCode::FAILURE);
            }
        };
    if imported.is_empty() {
        eprintln!(
            "{name}: 取り込む成果の行がありません（見出しの下に1行以上書いてください）。何も取り込みませんでした"
        );
        return Ok(ExitCode::FAILURE);
    }
    if dry_run {
        for a in &imported {
            let f = &a.fields;
            println!(
                "{}行目\t{}\t{}\t{}\t{}\t{}",
                a.row,
                f.indicator,
                f.year,
                f.body,
                f.project_code.as_deref().unwrap_or(""),
                f.title
            );
        }
        println!(
            "{name}: 成果 {}件を取り込めます（--dry-run のため取り込んでいません）",
            imported.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let changes: Vec<AchievementChange> = imported
        .into_iter()
        .map(|a| AchievementChange {
            id: None,
            expected_version: None,
            fields: a.fields,
        })
        .collect();
    let state = if draft {
        ActualState::Draft
    } else {
        ActualState::Approved
    };
    let ids = session
        .store
        .record_achievements(&plan.id, &changes, state, &session.actor)
        .await
        .with_context(|| format!("{name}: 記録できなかったため、何も取り込みませんでした"))?;
    let how = if draft {
        "一時保存（未提出）"
    } else {
        "承認済み"
    };
    println!(
        "{name}: 成果 {}件を取り込みました（計画「{}」、{how}）",
        ids.len(),
        plan.id
    );
    // A new report that looks like one already recorded (or like another in the file's years)
    // is said at once: the secretariat decides each pair with `achievements resolve`.
    let new: HashSet<AchievementId> = ids.into_iter().collect();
    let items = session
        .store
        .achievements(&plan.id, &AchievementFilter::default())
        .await?;
    let decisions = session.store.duplicate_decisions(&plan.id).await?;
    let open = find_duplicates(&items, &decisions)
        .into_iter()
        .filter(|p| p.decision.is_none() && (new.contains(&p.a) || new.contains(&p.b)))
        .count();
    if open > 0 {
        println!(
            "重複の疑いが{open}組あります。pdca achievements duplicates --plan {} で確認し、resolve で同一か別件かを記録してください",
            plan.id
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `achievements list`: the current revision of each achievement, in id order.
pub async fn list(
    session: &Session,
    plan: Option<&str>,
    indicator: Option<&str>,
    fy: Option<FiscalYear>,
    format: AchievementListFormat,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    if let Some(id) = indicator
        && plan.indicator(id).is_none()
    {
        bail!("指標「{id}」は計画「{}」にありません", plan.id);
    }
    // A sub-target's achievements are its parent's carrying its tag (the rule the web shares).
    let items =
        pdca_app::achievements::recorded_achievements(&session.store, &plan, indicator, fy).await?;
    match format {
        AchievementListFormat::Table => print!("{}", list_table(&plan, &items)),
        AchievementListFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&Value::Array(
                items.iter().map(achievement_json).collect()
            ))?
        ),
        AchievementListFormat::Csv => print!("{}", list_csv(&items)?),
    }
    Ok(ExitCode::SUCCESS)
}

/// A year as the indicator counts it: 令和4年度, or 令和4年 for a calendar-year indicator.
fn year_label(plan: &Plan, indicator: &str, year: FiscalYear) -> String {
    let wareki = year.wareki();
    match plan.indicator(indicator).map(|i| i.counting) {
        Some(Counting::CalendarYear) => wareki.trim_end_matches('度').to_owned(),
        _ => wareki,
    }
}

/// The body's short name (or name) from the plan, else its id.
fn body_label(plan: &Plan, body: &str) -> String {
    plan.body(body)
        .map(|b| b.short_name.clone().unwrap_or_else(|| b.name.clone()))
        .unwrap_or_else(|| body.to_owned())
}

fn list_table(plan: &Plan, items: &[Achievement]) -> String {
    if items.is_empty() {
        return format!("計画「{}」の成果はまだありません\n", plan.id);
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|a| {
            let f = &a.fields;
            vec![
                a.id.0.to_string(),
                f.indicator.clone(),
                year_label(plan, &f.indicator, f.year),
                truncate(&body_label(plan, &f.body), 16),
                f.project_code.clone().unwrap_or_default(),
                truncate(&f.title, 40),
                truncate(f.institution.as_deref().unwrap_or(""), 20),
                f.date.clone().unwrap_or_default(),
                f.tags.join("、"),
                if f.public { "公開" } else { "非公開" }.to_owned(),
                if f.notable { "○" } else { "" }.to_owned(),
                a.state.label_ja().to_owned(),
            ]
        })
        .collect();
    let mut aligns = vec![Align::Left; 12];
    aligns[0] = Align::Right;
    let mut out = render(
        &[
            "ID",
            "指標",
            "年度",
            "報告機関",
            "課題番号",
            "成果名",
            "実施機関",
            "日付",
            "区分",
            "公開",
            "顕著",
            "状態",
        ],
        &aligns,
        &rows,
    );
    out.push_str(&format!("{}件\n", items.len()));
    out
}

/// One achievement as JSON: the fields under their own names, with its id, version and state.
fn achievement_json(a: &Achievement) -> Value {
    let mut value = serde_json::to_value(&a.fields).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert("id".into(), json!(a.id.0));
        map.insert("version".into(), json!(a.version));
        map.insert("state".into(), json!(a.state.as_str()));
    }
    value
}

/// UTF-8 with a byte order mark (Excel reads it as such), texts guarded against formulas (the
/// import takes the guard off again), flags as 可／否 and ○: the file imports back as it is.
fn list_csv(items: &[Achievement]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_COLUMNS)?;
    for a in items {
        let f = &a.fields;
        let text = |t: &str| escape_formula(t).into_owned();
        let opt = |t: &Option<String>| t.as_deref().map(text).unwrap_or_default();
        w.write_record([
            text(&f.indicator),
            f.year.year().to_string(),
            text(&f.body),
            opt(&f.project_code),
            text(&f.title),
            opt(&f.institution),
            f.date.clone().unwrap_or_default(),
            text(&f.tags.join(TAG_SEPARATOR)),
            if f.public { "可" } else { "否" }.to_owned(),
            if f.notable { "○" } else { "" }.to_owned(),
            opt(&f.url),
            opt(&f.note),
            a.id.0.to_string(),
            a.state.as_str().to_owned(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(format!("\u{feff}{}", String::from_utf8(bytes)?))
}

/// How tags are joined in one cell of the CSV (the import splits at it).
const TAG_SEPARATOR: &str = "、";

fn reason_label(reason: DuplicateReason) -> &'static str {
    match reason {
        DuplicateReason::SameProjectAndTitle => "同じ課題番号と成果名",
        DuplicateReason::SameUrl => "同じURL",
    }
}

fn reason_key(reason: DuplicateReason) -> &'static str {
    match reason {
        DuplicateReason::SameProjectAndTitle => "same_project_and_title",
        DuplicateReason::SameUrl => "same_url",
    }
}

fn decision_label(decision: Option<&DuplicateDecision>) -> String {
    match decision {
        None => "未判断".to_owned(),
        Some(d) => match &d.resolution {
            Resolution::Same { kept } => format!("同一（成果 {} を採用）：{}", kept.0, d.reason),
            Resolution::Distinct => format!("別件：{}", d.reason),
        },
    }
}

/// `achievements duplicates`: every possible duplicate pair with its reasons and decision.
pub async fn duplicates(
    session: &Session,
    plan: Option<&str>,
    format: DuplicatesFormat,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    let items = session
        .store
        .achievements(&plan.id, &AchievementFilter::default())
        .await?;
    let decisions = session.store.duplicate_decisions(&plan.id).await?;
    let pairs = find_duplicates(&items, &decisions);
    let by_id: BTreeMap<AchievementId, &Achievement> = items.iter().map(|a| (a.id, a)).collect();
    match format {
        DuplicatesFormat::Table => print!("{}", duplicates_table(&plan, &pairs, &by_id)),
        DuplicatesFormat::Json => {
            let side =
                |id: AchievementId| by_id.get(&id).map_or(Value::Null, |a| achievement_json(a));
            let out: Vec<Value> = pairs
                .iter()
                .map(|p| {
                    json!({
                        "indicator": by_id.get(&p.a).map(|a| a.fields.indicator.as_str()),
                        "a": side(p.a),
                        "b": side(p.b),
                        "reasons": p.reasons.iter().map(|r| reason_key(*r)).collect::<Vec<_>>(),
                        "decision": p.decision.as_ref().map(decision_json),
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn decision_json(d: &DuplicateDecision) -> Value {
    match &d.resolution {
        Resolution::Same { kept } => {
            json!({ "resolution": "same", "kept": kept.0, "reason": d.reason })
        }
        Resolution::Distinct => {
            json!({ "resolution": "distinct", "kept": null, "reason": d.reason })
        }
    }
}

fn duplicates_table(
    plan: &Plan,
    pairs: &[DuplicatePair],
    by_id: &BTreeMap<AchievementId, &Achievement>,
) -> String {
    if pairs.is_empty() {
        return format!("計画「{}」に重複の疑いのある成果はありません\n", plan.id);
    }
    let side = |id: AchievementId| -> [String; 4] {
        match by_id.get(&id) {
            Some(a) => [
                id.0.to_string(),
                truncate(&body_label(plan, &a.fields.body), 16),
                year_label(plan, &a.fields.indicator, a.fields.year),
                truncate(&a.fields.title, 40),
            ],
            None => [
                id.0.to_string(),
                String::new(),
                String::new(),
                String::new(),
            ],
        }
    };
    let mut rows = Vec::new();
    for (n, p) in pairs.iter().enumerate() {
        let indicator = by_id
            .get(&p.a)
            .map(|a| a.fields.indicator.clone())
            .unwrap_or_default();
        let reasons = p
            .reasons
            .iter()
            .map(|r| reason_label(*r))
            .collect::<Vec<_>>()
            .join("、");
        let [id, body, year, title] = side(p.a);
        rows.push(vec![
            (n + 1).to_string(),
            indicator,
            reasons,
            id,
            body,
            year,
            title,
            decision_label(p.decision.as_ref()),
        ]);
        let [id, body, year, title] = side(p.b);
        rows.push(vec![
            String::new(),
            String::new(),
            String::new(),
            id,
            body,
            year,
            title,
            String::new(),
        ]);
    }
    let aligns = [
        Align::Right,
        Align::Left,
        Align::Left,
        Align::Right,
        Align::Left,
        Align::Left,
        Align::Left,
        Align::Left,
    ];
    // The second row of a pair ends in blank cells: no padding is left after its title.
    let mut out: String = render(
        &[
            "組",
            "指標",
            "理由",
            "ID",
            "報告機関",
            "年度",
            "成果名",
            "判断",
        ],
        &aligns,
        &rows,
    )
    .lines()
    .map(|line| format!("{}\n", line.trim_end()))
    .collect();
    let open = pairs.iter().filter(|p| p.decision.is_none()).count();
    out.push_str(&format!(
        "重複の疑い {}組（未判断 {open}組）\n",
        pairs.len()
    ));
    out
}

/// `achievements resolve ID1 ID2 --same|--distinct --reason TEXT`.
pub async fn resolve(
    session: &Session,
    plan: Option<&str>,
    ids: (i64, i64),
    same: bool,
    reason: &str,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    let (first, second) = (AchievementId(ids.0), AchievementId(ids.1));
    if first == second {
        bail!(
            "同じ成果 {} が二度指定されています。別の二つの成果を指定してください",
            first.0
        );
    }
    let reason = reason.trim();
    if reason.is_empty() {
        bail!("--reason に判断の理由を書いてください");
    }
    let items = session
        .store
        .achievements(&plan.id, &AchievementFilter::default())
        .await?;
    let find = |id: AchievementId| {
        items.iter().find(|a| a.id == id).with_context(|| {
            format!(
                "成果 {} は計画「{}」にありません（pdca achievements list で確認できます）",
                id.0, plan.id
            )
        })
    };
    let (x, y) = (find(first)?, find(second)?);
    if x.fields.indicator != y.fields.indicator {
        bail!(
            "成果 {}（指標 {}）と成果 {}（指標 {}）は指標が異なるため、重複かどうかを判断できません",
            first.0,
            x.fields.indicator,
            second.0,
            y.fields.indicator
        );
    }
    let decision = DuplicateDecision {
        a: first.min(second),
        b: first.max(second),
        resolution: if same {
            Resolution::Same { kept: first }
        } else {
            Resolution::Distinct
        },
        reason: reason.to_owned(),
    };
    let decisions = session.store.duplicate_decisions(&plan.id).await?;
    let suspected = find_duplicates(&items, &decisions)
        .iter()
        .any(|p| p.a == decision.a && p.b == decision.b);
    session
        .store
        .decide_duplicate(&plan.id, &decision, &session.actor)
        .await
        .context("判断を記録できませんでした")?;
    if same {
        println!(
            "成果 {} と {} を同一と判断しました（成果 {} の報告を採用し、1件として数えます）。理由: {reason}",
            first.0, second.0, first.0
        );
    } else {
        println!(
            "成果 {} と {} を別件と判断しました（2件として数えます）。理由: {reason}",
            first.0, second.0
        );
    }
    if !suspected {
        println!("（この組は重複の疑いとして検出されていませんでしたが、判断を記録しました）");
    }
    Ok(ExitCode::SUCCESS)
}
