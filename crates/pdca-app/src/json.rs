//! The JSON shapes shared with the command line: the plan catalogue (`pdca plan export`) and an
//! evaluation (`pdca evaluate --format json`), so that the API and the CLI answer alike. Also the
//! plan's wording of a target and of a number, used by the pages and the CLI's tables.

use pdca_core::Plan;
use pdca_core::evaluation::PlanEvaluation;
use pdca_core::plan::{Indicator, Target};
pub use pdca_core::wording::{format_number, target_text};
use serde_json::{Value, json};

/// The documented JSON shape: `{plan, as_of, indicators:[{id, status, cumulative, expected,
/// progress, pace, projected_end, value, p_attain, warnings, …}]}`.
pub fn evaluation_json(plan: &Plan, evaluation: &PlanEvaluation) -> Value {
    let indicators: Vec<Value> = plan
        .indicators()
        .zip(&evaluation.indicators)
        .map(|((project, indicator), e)| {
            json!({
                "id": e.id,
                "name": indicator.name,
                "project": project.id,
                "kind": indicator.kind,
                "measure": indicator.measure.as_str(),
                "parent": indicator.parent,
                "status": e.status,
                "rating": e.rating,
                "target": e.target,
                "cumulative": e.cumulative,
                "expected": e.expected,
                "progress": e.progress,
                "pace": e.pace,
                "projected_end": e.projected_end,
                "value": e.value,
                "p_attain": e.p_attain,
                "narrative": e.narrative,
                "warnings": e.warnings,
                "bodies": e.bodies,
            })
        })
        .collect();
    json!({
        "plan": evaluation.plan,
        "revision": evaluation.revision,
        "as_of": evaluation.as_of,
        "as_of_wareki": evaluation.as_of.wareki(),
        "indicators": indicators,
    })
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
