//! `pdca evaluate`: every indicator's figures and status as of a fiscal year.

use std::process::ExitCode;

use pdca_app::json::evaluation_json;
use pdca_core::evaluation::{Evaluation, PlanEvaluation, Status};
use pdca_core::import::escape_formula;
use pdca_core::plan::Indicator;
use pdca_core::{FiscalYear, Plan, evaluate_plan};

use pdca_store::Visibility;

use super::Session;
use super::plan::{format_number, target_text};
use crate::cli::EvalFormat;
use crate::table::{Align, render, truncate};

pub async fn evaluate(
    session: &Session,
    plan: Option<&str>,
    as_of: FiscalYear,
    format: EvalFormat,
    include_unapproved: bool,
) -> anyhow::Result<ExitCode> {
    let current = session.plan(plan).await?;
    // Evaluate with the revision in force for the as-of year.
    let plan = match session.store.plan_history(&current.id).await? {
        Some(history) => history.in_force(as_of).clone(),
        None => current,
    };
    let visibility = if include_unapproved {
        Visibility::All
    } else {
        Visibility::Approved
    };
    let actuals = session.store.actuals_as(&plan.id, visibility).await?;
    let evaluation = evaluate_plan(&plan, &actuals, as_of)?;
    match format {
        EvalFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&evaluation_json(&plan, &evaluation))?
        ),
        EvalFormat::Csv => print!("{}", evaluation_csv(&plan, &evaluation)?),
        EvalFormat::Table => print!("{}", evaluation_table(&plan, &evaluation)),
    }
    Ok(ExitCode::SUCCESS)
}

fn opt(v: Option<f64>) -> String {
    v.map(format_number).unwrap_or_default()
}

fn percent(v: Option<f64>) -> String {
    v.map(|p| format!("{:.0}%", p * 100.0)).unwrap_or_default()
}

fn figure(indicator: &Indicator, e: &Evaluation) -> String {
    match (e.cumulative, e.value) {
        (Some(c), _) => format!("{}{}", format_number(c), indicator.unit),
        (None, Some(v)) if indicator.unit == "%" => format!("{v:.1}%"),
        (None, Some(v)) => format!("{}{}", format_number(v), indicator.unit),
        (None, None) => String::new(),
    }
}

fn evaluation_table(plan: &Plan, evaluation: &PlanEvaluation) -> String {
    let mut out = format!(
        "{}（{}）　{}（{}）時点の進捗状況\n",
        plan.name,
        plan.id,
        evaluation.as_of.wareki(),
        evaluation.as_of
    );
    let mut evaluations = evaluation.indicators.iter();
    for project in &plan.projects {
        let mut rows = Vec::new();
        for indicator in &project.indicators {
            let Some(e) = evaluations.next() else { break };
            let name = if indicator.parent.is_some() {
                format!("　{}", indicator.name)
            } else {
                indicator.name.clone()
            };
            rows.push(vec![
                e.status.short_label().to_owned(),
                indicator.id.clone(),
                truncate(&name, 44),
                if indicator.management {
                    "（管理指標）".to_owned()
                } else {
                    target_text(indicator)
                },
                figure(indicator, e),
                opt(e.expected.map(|x| (x * 10.0).round() / 10.0)),
                percent(e.progress),
                e.p_attain.map(|p| format!("{p:.2}")).unwrap_or_default(),
            ]);
        }
        out.push('\n');
        out.push_str(&format!("■ {}\n", project.name));
        out.push_str(&render(
            &[
                "評価",
                "ID",
                "指標",
                "目標",
                "実績",
                "期待値",
                "進捗",
                "達成確率",
            ],
            &[
                Align::Left,
                Align::Left,
                Align::Left,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
                Align::Right,
            ],
            &rows,
        ));
    }
    let count = |s: &[Status]| {
        evaluation
            .indicators
            .iter()
            .filter(|e| s.contains(&e.status))
            .count()
    };
    out.push_str(&format!(
        "\n達成 {}　A {}　B {}　N {}　（達成・A: 順調に進捗している　B: 進捗が不十分　N: 現時点で評価が困難）\n",
        count(&[Status::Achieved]),
        count(&[Status::OnTrack]),
        count(&[Status::Insufficient]),
        count(&[Status::NotEvaluable]),
    ));
    out
}

fn evaluation_csv(plan: &Plan, evaluation: &PlanEvaluation) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "project",
        "name",
        "status",
        "rating",
        "target",
        "cumulative",
        "expected",
        "progress",
        "pace",
        "projected_end",
        "value",
        "p_attain",
        "warnings",
    ])?;
    for ((project, indicator), e) in plan.indicators().zip(&evaluation.indicators) {
        let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        // Texts come from the plan file: guarded against formula injection as every CSV writer
        // guards them (numbers are written by pdca and stay numbers).
        let text = |t: &str| escape_formula(t).into_owned();
        w.write_record([
            text(&e.id),
            text(&project.id),
            text(&indicator.name),
            e.status.as_str().to_owned(),
            e.rating.map(|r| format!("{r:?}")).unwrap_or_default(),
            num(e.target),
            num(e.cumulative),
            num(e.expected),
            num(e.progress),
            num(e.pace),
            num(e.projected_end),
            num(e.value),
            num(e.p_attain),
            text(&e.warnings.join("; ")),
        ])?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| anyhow::anyhow!("CSV を書けません: {e}"))?;
    Ok(format!("\u{feff}{}", String::from_utf8(bytes)?))
}
