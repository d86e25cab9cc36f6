//! `pdca demo`: a deterministic, clearly labelled demo data set — actuals for the first four
//! years of the plan for every numeric indicator and a narrative for every qualitative one, with
//! paces chosen so that the statuses are a realistic mix of 達成, A and B.

use std::process::ExitCode;

use pdca_core::access::ActualState;
use pdca_core::actuals::{ActualValue, Contribution};
use pdca_core::plan::{Measure, Target};
use pdca_core::{FiscalYear, Plan};
use pdca_store::NewActual;

use super::Session;

/// Labels every demo value so nobody mistakes it for real data.
pub const DEMO_SOURCE: &str = "デモデータ（架空の値）";

/// Paces relative to the linear expectation, picked per indicator by a hash of its id.
const PACES: [f64; 10] = [1.35, 1.2, 1.1, 1.05, 1.0, 0.95, 0.85, 0.7, 0.55, 1.6];

/// How the yearly counts rise over the first years (later years report more).
const RAMP: [f64; 4] = [0.8, 0.95, 1.05, 1.2];

pub async fn demo(session: &Session, plan: Option<&str>) -> anyhow::Result<ExitCode> {
    let plan = match plan {
        Some(id) => session.plan(Some(id)).await?,
        None => {
            session
                .plan(Some(pdca_core::builtin::BUILTIN_PLAN_ID))
                .await?
        }
    };
    let current = session.store.actuals(&plan.id).await?;
    let data = demo_data(&plan);
    let fresh: Vec<NewActual> = data
        .into_iter()
        .filter(|c| {
            current
                .year(&c.indicator, c.year)
                .and_then(|y| y.by_body.iter().find(|(b, _)| *b == c.body))
                .is_none_or(|(_, v)| *v != c.value)
        })
        .map(|contribution| NewActual {
            contribution,
            note: Some("pdca demo".to_owned()),
            source: Some(DEMO_SOURCE.to_owned()),
            state: ActualState::Approved,
        })
        .collect();
    let n = session
        .store
        .record_actuals(&plan.id, &fresh, "demo")
        .await?;
    println!(
        "計画「{}」にデモデータ（架空の値）を{n}件記録しました。出典は「{DEMO_SOURCE}」です",
        plan.id
    );
    Ok(ExitCode::SUCCESS)
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// The demo values for `plan`, deterministic for a given plan.
pub fn demo_data(plan: &Plan) -> Vec<Contribution> {
    let years: Vec<FiscalYear> = plan.period.years().take(RAMP.len()).collect();
    let n = f64::from(plan.period.len());
    let mut out: Vec<Contribution> = Vec::new();
    for (_, indicator) in plan.indicators() {
        let Some(body) = indicator.assignments.first().map(|a| a.body.clone()) else {
            continue;
        };
        let pace = PACES[(fnv(&indicator.id) % PACES.len() as u64) as usize];
        let push = |out: &mut Vec<Contribution>, year: FiscalYear, value: ActualValue| {
            out.push(Contribution {
                indicator: indicator.id.clone(),
                year,
                body: body.clone(),
                value,
            });
        };
        match indicator.measure {
            Measure::Qualitative => {
                for (j, year) in years.iter().enumerate() {
                    let text = format!(
                        "（デモ）{}：{}について、{}",
                        year.wareki(),
                        indicator.name,
                        [
                            "取組を開始し、体制を整備した。",
                            "支援対象を拡大し、進捗を確認した。",
                            "成果の一部が次の段階に移行した。",
                            "計画どおり進捗しており、課題を整理した。"
                        ][j % 4]
                    );
                    push(&mut out, *year, ActualValue::Narrative(text));
                }
            }
            Measure::Count => {
                let total = match &indicator.target {
                    Some(t) => t.value().unwrap_or(10.0),
                    None => 20.0,
                };
                let parent_years = indicator.parent.as_ref().map(|p| yearly_of(&out, p));
                let mut previous = 0.0;
                let mut weight = 0.0;
                for (j, year) in years.iter().enumerate() {
                    weight += RAMP[j];
                    let cumulative = (total * pace * weight / n).round();
                    let mut yearly = (cumulative - previous).max(0.0);
                    if let Some(parent) = &parent_years {
                        yearly = yearly.min(parent.get(j).copied().unwrap_or(0.0));
                    }
                    previous += yearly;
                    push(&mut out, *year, ActualValue::Number(yearly));
                }
            }
            Measure::Ratio => {
                let target = indicator
                    .target
                    .as_ref()
                    .and_then(Target::value)
                    .unwrap_or(50.0);
                let percent = (target * (0.85 + 0.15 * pace)).min(100.0);
                for (j, year) in years.iter().enumerate() {
                    let denominator = 20.0 + ((fnv(&indicator.id) >> (j * 4)) % 20) as f64;
                    let numerator = (denominator * percent / 100.0).round().min(denominator);
                    push(
                        &mut out,
                        *year,
                        ActualValue::Ratio {
                            numerator,
                            denominator,
                        },
                    );
                }
            }
            Measure::Level => {
                let level = match &indicator.target {
                    Some(Target::Relative { factor, .. }) => 100.0 * factor,
                    Some(t) => t.value().unwrap_or(100.0),
                    None => 100.0,
                };
                if let Some(Target::Relative { baseline, .. }) = &indicator.target
                    && !years.contains(baseline)
                {
                    push(&mut out, *baseline, ActualValue::Number(100.0));
                }
                for (j, year) in years.iter().enumerate() {
                    let v = (100.0 + (level * pace - 100.0) * (j as f64 + 1.0) / n).round();
                    push(&mut out, *year, ActualValue::Number(v));
                }
            }
            Measure::Milestone => {
                for (j, year) in years.iter().enumerate() {
                    let reached = pace >= 1.0 && j >= 2;
                    push(
                        &mut out,
                        *year,
                        ActualValue::Number(if reached { 1.0 } else { 0.0 }),
                    );
                }
            }
        }
    }
    out
}

fn yearly_of(out: &[Contribution], indicator: &str) -> Vec<f64> {
    out.iter()
        .filter(|c| c.indicator == indicator)
        .map(|c| match c.value {
            ActualValue::Number(v) => v,
            _ => 0.0,
        })
        .collect()
}
