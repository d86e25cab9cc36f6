//! `pdca plan …`: the plan catalogue.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use pdca_core::Plan;
use pdca_core::plan::{Indicator, Target};
use pdca_core::plan_file::parse_plan;
use pdca_store::SaveOutcome;
use serde_json::{Value, json};

use super::Session;

pub async fn list(session: &Session) -> anyhow::Result<ExitCode> {
    for p in session.store.list_plans().await? {
        println!(
            "{}\t{}\tFY{}–FY{}\t第{}版",
            p.id, p.name, p.start_fy, p.end_fy, p.revision
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

/// The target as the plan writes it: 25件, 2件以上, 75%, 130件/年（累計650件）, …
pub fn target_text(i: &Indicator) -> String {
    let unit = &i.unit;
    let comparator = |c: pdca_core::plan::Comparator| match c {
        pdca_core::plan::Comparator::Reach => "",
        pdca_core::plan::Comparator::AtLeast => "以上",
        pdca_core::plan::Comparator::AtMost => "以下",
    };
    match &i.target {
        None => "（目標値なし）".to_owned(),
        Some(Target::Cumulative {
            value,
            comparator: c,
        })
        | Some(Target::Ratio {
            value,
            comparator: c,
        })
        | Some(Target::Level {
            value,
            comparator: c,
        }) => {
            format!("{}{unit}{}", format_number(*value), comparator(*c))
        }
        Some(Target::PerYear { per_year, value }) => format!(
            "{}{unit}/年（累計{}{unit}）",
            format_number(*per_year),
            format_number(*value)
        ),
        Some(Target::Relative {
            factor,
            baseline,
            comparator: c,
        }) => format!(
            "{}比{}倍{}",
            baseline.wareki(),
            format_number(*factor),
            comparator(*c)
        ),
        Some(Target::Milestone { deadline }) => format!("{}までに達成", deadline.wareki()),
    }
}

/// A number without a trailing ".0".
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
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

/// The plan catalogue as JSON (the documented export shape).
pub fn plan_json(plan: &Plan) -> Value {
    json!({
        "id": plan.id,
        "name": plan.name,
        "revision": plan.revision,
        "effective_from": plan.effective_from,
        "decided_on": plan.decided_on,
        "period": { "start_fy": plan.period.start, "end_fy": plan.period.end },
        "on_track_threshold": plan.on_track_threshold,
        "committee": plan.committee,
        "bodies": plan.bodies.iter().map(|b| json!({"id": b.id, "name": b.name, "short_name": b.short_name})).collect::<Vec<_>>(),
        "glossary": plan.glossary.iter().map(|g| json!({"term": g.term, "definition": g.definition})).collect::<Vec<_>>(),
        "projects": plan.projects.iter().map(|p| json!({
            "id": p.id,
            "name": p.name,
            "indicators": p.indicators.iter().map(indicator_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn indicator_json(i: &Indicator) -> Value {
    json!({
        "id": i.id,
        "name": i.name,
        "kind": i.kind,
        "group": i.group,
        "management": i.management,
        "measure": i.measure.as_str(),
        "unit": i.unit,
        "target": i.target.as_ref().map(|t| target_json(t, &i.unit)),
        "parent": i.parent,
        "counting": i.counting,
        "expected_profile": i.expected_profile,
        "bodies": i.assignments.iter().map(|a| json!({"body": a.body, "share": a.share})).collect::<Vec<_>>(),
        "note": i.note,
    })
}

fn target_json(t: &Target, unit: &str) -> Value {
    let mut v = json!({
        "value": t.value(),
        "unit": unit,
        "comparator": t.comparator().as_str(),
        "basis": t.basis(),
    });
    if let Some(obj) = v.as_object_mut() {
        match t {
            Target::PerYear { per_year, .. } => {
                obj.insert("per_year".into(), json!(per_year));
            }
            Target::Relative {
                factor, baseline, ..
            } => {
                obj.insert("factor".into(), json!(factor));
                obj.insert("baseline_fy".into(), json!(baseline));
            }
            Target::Milestone { deadline } => {
                obj.insert("deadline_fy".into(), json!(deadline));
            }
            _ => {}
        }
    }
    v
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
