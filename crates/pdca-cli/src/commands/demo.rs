//! `pdca demo`: a deterministic, clearly labelled demo data set — actuals for the first four
//! years of the plan for every numeric indicator and a narrative for every qualitative one, with
//! paces chosen so that the statuses are a realistic mix of 達成, A and B — and a few hundred
//! fictional achievements (「（デモ）…」, デモ大学, …) behind the count indicators, as many as
//! the numbers typed, with three possible duplicate pairs planted for the secretariat to resolve.
//! Running it again adds nothing.

use std::process::ExitCode;

use std::collections::HashSet;

use pdca_core::access::ActualState;
use pdca_core::achievements::AchievementFields;
use pdca_core::actuals::{ActualValue, Contribution};
use pdca_core::plan::{Counting, Measure, Target};
use pdca_core::{FiscalYear, Plan};
use pdca_store::{AchievementChange, AchievementFilter, NewActual};

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
    let achievements = demo_achievements(&plan, &data);
    let fresh: Vec<NewActual> = data
        .into_iter()
        .filter(|c| !counted_from_achievements(&plan, &c.indicator))
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
    let recorded = session
        .store
        .achievements(&plan.id, &AchievementFilter::default())
        .await?;
    let known: HashSet<String> = recorded.iter().map(|a| demo_key(&a.fields)).collect();
    let changes: Vec<AchievementChange> = achievements
        .into_iter()
        .filter(|f| !known.contains(&demo_key(f)))
        .map(|fields| AchievementChange {
            id: None,
            expected_version: None,
            fields,
        })
        .collect();
    if !changes.is_empty() {
        session
            .store
            .record_achievements(&plan.id, &changes, ActualState::Approved, "demo")
            .await?;
    }
    println!(
        "計画「{}」にデモの成果（架空の成果）を{}件記録しました",
        plan.id,
        changes.len()
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

/// Whether `indicator` (or, for a sub-target, its parent) is counted from achievements, so
/// that its yearly numbers cannot be typed.
fn counted_from_achievements(plan: &Plan, indicator: &str) -> bool {
    let find = |id: &str| plan.indicators().map(|(_, i)| i).find(|i| i.id == id);
    find(indicator).is_some_and(|i| {
        i.counted_from_achievements()
            || i.parent
                .as_deref()
                .and_then(find)
                .is_some_and(|p| p.counted_from_achievements())
    })
}

/// What makes a demo achievement the same one on a second run.
fn demo_key(f: &AchievementFields) -> String {
    format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
        f.indicator,
        f.year,
        f.body,
        f.project_code.as_deref().unwrap_or_default(),
        f.title,
        f.url.as_deref().unwrap_or_default(),
        f.date.as_deref().unwrap_or_default()
    )
}

/// What the demo achievements are about.
const SUBJECTS: [&str; 8] = [
    "抗体A",
    "核酸医薬B",
    "低分子化合物C",
    "再生医療等製品D",
    "遺伝子治療ベクターE",
    "診断機器F",
    "ワクチン候補G",
    "解析手法H",
];

/// The (fictional) institutions of the demo achievements.
const INSTITUTIONS: [&str; 5] = [
    "デモ大学",
    "デモ医科大学",
    "デモ研究所",
    "架空製薬株式会社（デモ）",
    "デモ医療センター",
];

/// Indicators whose demo years add up to more than this are not itemised.
const MAX_LISTED: usize = 60;

/// The note of every demo achievement.
pub const DEMO_ACHIEVEMENT_NOTE: &str = "デモデータ（架空の成果）";

/// The demo achievements of `plan`, consistent with the typed demo values `data`: for every
/// count indicator that is not a sub-target (and adds up to at most [`MAX_LISTED`] over the demo
/// years), as many achievements per year and body as the
/// value typed (its sub-targets' tags on as many as they report), approved, ~5% notable, most
/// public. Three possible duplicate pairs are planted: one reported in two years, one with the
/// same evidence link twice in a year, and one with the same 課題番号 and a title written in
/// full-width letters. Deterministic for a given plan.
pub fn demo_achievements(plan: &Plan, data: &[Contribution]) -> Vec<AchievementFields> {
    let number = |indicator: &str, year: FiscalYear, body: &str| -> usize {
        data.iter()
            .find(|c| c.indicator == indicator && c.year == year && c.body == body)
            .and_then(|c| match c.value {
                ActualValue::Number(n) if n > 0.0 => Some(n as usize),
                _ => None,
            })
            .unwrap_or(0)
    };
    let mut out: Vec<AchievementFields> = Vec::new();
    let mut serial = 0_usize;
    // (index in `out` of the first item of a year, its count) per indicator, for the planting.
    let mut groups: Vec<(String, Vec<(usize, usize)>)> = Vec::new();
    for (_, indicator) in plan.indicators() {
        if indicator.measure != Measure::Count || indicator.parent.is_some() {
            continue;
        }
        let subs: Vec<(&str, String)> = plan
            .indicators()
            .map(|(_, i)| i)
            .filter(|i| i.parent.as_deref() == Some(indicator.id.as_str()))
            .filter_map(|i| Some((i.id.as_str(), i.achievement_tag()?)))
            .collect();
        let mut years: Vec<(FiscalYear, String)> = data
            .iter()
            .filter(|c| c.indicator == indicator.id)
            .map(|c| (c.year, c.body.clone()))
            .collect();
        years.sort();
        years.dedup();
        let total: usize = years
            .iter()
            .map(|(year, body)| number(&indicator.id, *year, body))
            .sum();
        if total > MAX_LISTED {
            // Large counts (papers and the like) are left as plain numbers.
            continue;
        }
        let mut group = Vec::new();
        for (year, body) in years {
            let n = number(&indicator.id, year, &body);
            let first = out.len();
            for m in 0..n {
                serial += 1;
                let subject = SUBJECTS[serial % SUBJECTS.len()];
                let tags = subs
                    .iter()
                    .filter(|(id, _)| m < number(id, year, &body))
                    .map(|(_, tag)| tag.clone())
                    .collect();
                out.push(AchievementFields {
                    indicator: indicator.id.clone(),
                    year,
                    body: body.clone(),
                    project_code: Some(format!("DEMO{:02}-{serial:04}", year.year() % 100)),
                    title: format!("（デモ）{subject}-{serial:04}：{}", indicator.name),
                    institution: Some(INSTITUTIONS[serial % INSTITUTIONS.len()].to_owned()),
                    date: Some(demo_date(indicator.counting, year, serial)),
                    tags,
                    public: serial % 8 != 5,
                    notable: serial % 20 == 7,
                    url: Some(format!("https://example.org/demo/seika/{serial:04}")),
                    note: Some(DEMO_ACHIEVEMENT_NOTE.to_owned()),
                });
            }
            if n > 0 {
                group.push((first, n));
            }
        }
        groups.push((indicator.id.clone(), group));
    }
    plant_duplicates(&mut out, &groups);
    out
}

/// Plants the three possible duplicate pairs (see [`demo_achievements`]), each on a different
/// indicator where the data allow it.
fn plant_duplicates(out: &mut [AchievementFields], groups: &[(String, Vec<(usize, usize)>)]) {
    let mut used: HashSet<&str> = HashSet::new();
    // Reported again the next year: same 課題番号 and title.
    if let Some((id, g)) = groups.iter().find(|(_, g)| g.len() >= 2) {
        let (earlier, later) = (g[0].0, g[1].0);
        let (code, title) = (
            out[earlier].project_code.clone(),
            out[earlier].title.clone(),
        );
        out[later].project_code = code;
        out[later].title = title;
        used.insert(id);
    }
    let mut pairs = groups
        .iter()
        .filter(|(id, _)| !used.contains(id.as_str()))
        .filter_map(|(_, g)| g.iter().find(|(_, n)| *n >= 2).map(|(first, _)| *first));
    // Twice in a year with the same evidence link.
    if let Some(first) = pairs.next() {
        out[first + 1].url = out[first].url.clone();
    }
    // Twice in a year with the same 課題番号, the title in full-width letters and digits.
    if let Some(first) = pairs.next() {
        out[first + 1].project_code = out[first].project_code.clone();
        out[first + 1].title = out[first]
            .title
            .chars()
            .map(|c| match c {
                'A'..='Z' | '0'..='9' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
                _ => c,
            })
            .collect();
    }
}

/// A date inside `year` (fiscal or calendar, as the indicator counts), spread by `serial`.
fn demo_date(counting: Counting, year: FiscalYear, serial: usize) -> String {
    let month = [5_u32, 6, 7, 9, 10, 11, 12, 1, 2, 3][serial % 10];
    let day = 1 + (serial * 7) % 28;
    let y = match counting {
        Counting::FiscalYear if month <= 3 => year.year() + 1,
        _ => year.year(),
    };
    format!("{y:04}-{month:02}-{day:02}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn demo_achievements_match_the_typed_numbers_and_plant_three_pairs() {
        let plan = pdca_core::builtin::builtin_plan().unwrap();
        let data = demo_data(&plan);
        let items = demo_achievements(&plan, &data);
        assert!((200..1000).contains(&items.len()), "{}", items.len());
        let achievements: Vec<pdca_core::achievements::Achievement> = items
            .iter()
            .enumerate()
            .map(|(i, f)| pdca_core::achievements::Achievement {
                id: pdca_core::achievements::AchievementId(i as i64 + 1),
                version: 1,
                fields: f.clone(),
                state: ActualState::Approved,
            })
            .collect();
        let pairs = pdca_core::achievements::find_duplicates(&achievements, &[]);
        assert_eq!(pairs.len(), 3, "{pairs:?}");
        let mut typed = pdca_core::actuals::Actuals::default();
        for c in &data {
            typed.insert(c);
        }
        let derived = pdca_core::achievements::derive(
            &plan,
            &achievements,
            &[],
            &typed,
            pdca_core::achievements::is_approved,
        );
        let mismatches: Vec<_> = derived
            .warnings
            .iter()
            .filter(|(_, w)| w.contains("一致しません"))
            .collect();
        assert!(mismatches.is_empty(), "{mismatches:?}");
        let notable = items.iter().filter(|f| f.notable).count();
        assert!(notable * 100 >= items.len() * 3 && notable * 100 <= items.len() * 8);
        assert!(items.iter().filter(|f| f.public).count() * 2 > items.len());
    }
}
