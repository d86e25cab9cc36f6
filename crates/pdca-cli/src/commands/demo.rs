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
    let fy = plan.period.start.next();
    if plan.period.contains(fy) && session.store.round(&plan.id, fy).await?.is_none() {
        demo_round(session, &plan, fy).await?;
        println!(
            "デモのフォローアップ（{}、終了済み）を作成しました",
            fy.wareki()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A closed demo round for result year `fy`: meetings ① and ②, the committee's ratings as the
/// engine proposes them (each B with an issue and a solution), a notable result, a priority
/// item, an opinion reflected in a policy clause. Everything is labelled （デモ）.
async fn demo_round(session: &Session, plan: &Plan, fy: FiscalYear) -> anyhow::Result<()> {
    use pdca_core::follow_up::{
        ItemKind, Link, LinkKind, MeetingKind, NewItem, NewRating, default_schedule, draft_agenda,
    };
    let store = &session.store;
    let actor = "demo";
    let schedule = default_schedule(fy);
    store.open_round(plan, fy, schedule.deadline, actor).await?;
    let approved = store.actuals(&plan.id).await?;
    let evaluation = pdca_core::evaluate_plan(plan, &approved, fy)?;
    let committee = plan
        .committee
        .clone()
        .unwrap_or_else(|| pdca_core::follow_up::DEFAULT_COMMITTEE.to_owned());
    let first = store
        .add_meeting(
            &pdca_store::NewMeeting {
                plan_id: plan.id.clone(),
                fiscal_year: Some(fy),
                committee: committee.clone(),
                number: 31,
                kind: MeetingKind::First,
                date: schedule.meeting_1,
                agenda: draft_agenda(MeetingKind::First, plan, fy, &[]),
                materials: vec![(
                    pdca_core::follow_up::Material::parse("資料1:（デモ）進捗状況")?,
                    None,
                )],
            },
            actor,
        )
        .await?;
    store.advance_round(&plan.id, fy, actor).await?;
    let mut lagging = None;
    for ((_, indicator), e) in plan.indicators().zip(&evaluation.indicators) {
        if indicator.management {
            continue;
        }
        let rating = e.rating.unwrap_or(pdca_core::Rating::N);
        let b = rating == pdca_core::Rating::B;
        if b && lagging.is_none() {
            lagging = Some(indicator.id.clone());
        }
        let new = NewRating {
            indicator_id: indicator.id.clone(),
            rating,
            reason: e
                .rating
                .is_none()
                .then(|| "（デモ）目標値がないため".to_owned()),
            issue: b.then(|| format!("（デモ）{}の進捗が想定を下回っている", indicator.name)),
            solution: b.then(|| "（デモ）支援体制を強化し、進捗を四半期ごとに確認する".to_owned()),
        };
        store.rate(&plan.id, fy, &new, None, actor).await?;
    }
    let link = |kind, id: &str| Link {
        kind,
        id: id.to_owned(),
    };
    let add = |kind, title: Option<&str>, text: &str, links: Vec<Link>| {
        let item = NewItem {
            kind: Some(kind),
            title: title.map(str::to_owned),
            text: text.to_owned(),
            links,
            meeting_id: (kind == ItemKind::Opinion).then_some(first.id),
            budget: (kind == ItemKind::PolicyClause).then(|| "（デモ）関連事業".to_owned()),
            ..NewItem::default()
        };
        async move {
            let (kind, item) = item.validate(plan)?;
            anyhow::Ok(store.add_item(&plan.id, fy, kind, &item, actor).await?)
        }
    };
    let first_project = plan
        .projects
        .first()
        .map(|p| p.id.clone())
        .unwrap_or_default();
    add(
        ItemKind::NotableResult,
        None,
        "（デモ）新たなモダリティの研究で企業導出に至った成果があった",
        vec![link(LinkKind::Project, &first_project)],
    )
    .await?;
    let about: Vec<Link> = lagging
        .iter()
        .map(|id| link(LinkKind::Indicator, id))
        .chain(std::iter::once(link(LinkKind::Project, &first_project)))
        .collect();
    let priority = add(
        ItemKind::PriorityItem,
        Some("（デモ）企業導出の加速"),
        "（デモ）進捗が不十分な指標について、導出支援を重点的に議論する",
        about.clone(),
    )
    .await?;
    let opinion = add(
        ItemKind::Opinion,
        None,
        "（デモ）導出先企業との早期の対話を促すべき",
        vec![link(LinkKind::Item, &priority.id.to_string())],
    )
    .await?;
    store
        .set_item_reflected(&plan.id, opinion.id, true, actor)
        .await?;
    let mut reflects = about;
    reflects.push(link(LinkKind::Item, &priority.id.to_string()));
    reflects.push(link(LinkKind::Item, &opinion.id.to_string()));
    add(
        ItemKind::PolicyClause,
        Some("（デモ）第1項"),
        "（デモ）企業導出に向けた伴走支援に重点的に配分する",
        reflects,
    )
    .await?;
    store
        .add_meeting(
            &pdca_store::NewMeeting {
                plan_id: plan.id.clone(),
                fiscal_year: Some(fy),
                committee,
                number: 32,
                kind: MeetingKind::Second,
                date: schedule.meeting_2,
                agenda: draft_agenda(
                    MeetingKind::Second,
                    plan,
                    fy,
                    &store.round_items(&plan.id, Some(fy)).await?,
                ),
                materials: Vec::new(),
            },
            actor,
        )
        .await?;
    store.advance_round(&plan.id, fy, actor).await?;
    store.close_round(plan, fy, actor).await?;
    Ok(())
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
