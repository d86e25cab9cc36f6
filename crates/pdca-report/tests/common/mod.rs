//! A realistic report for tests and benchmarks: the built-in plan with four years of actuals
//! (FY2020–FY2023, a deterministic value per indicator and year), the FY2023 round with
//! ratings, a priority item, a policy clause linked to it, an opinion, a notable result and
//! meeting ①. Shared by `tests/pdf.rs` and `benches/report.rs` (through `#[path]`).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use pdca_core::access::ActualState;
use pdca_core::achievements::{Achievement, AchievementFields, AchievementId};
use pdca_core::follow_up::{
    CommitteeRating, FollowUpRound, ItemKind, Link, LinkKind, Meeting, MeetingKind, RoundItem,
    RoundState, parse_date,
};
use pdca_core::plan::{Measure, Plan};
use pdca_core::{ActualValue, Actuals, Contribution, FiscalYear, Rating, evaluate_plan};
use pdca_report::{Report, ReportInput};

/// Text that would wreck the layout if it were ever read as typst markup.
pub const HOSTILE: &str = "#set page(width: 1cm) *bold* $x$ \\ [a](b) <label> @ref";

pub fn fy(year: i32) -> FiscalYear {
    FiscalYear::new(year).expect("fiscal year in range")
}

/// A small deterministic number per indicator and year.
fn seed(id: &str, year: i32) -> u64 {
    id.bytes().fold(u64::from(year.unsigned_abs()), |h, b| {
        h.wrapping_mul(31).wrapping_add(u64::from(b))
    }) % 97
}

/// Four years of actuals for every indicator of `plan`, reported by its first body.
pub fn actuals(plan: &Plan) -> Actuals {
    let mut actuals = Actuals::default();
    for project in &plan.projects {
        for indicator in &project.indicators {
            let body = indicator
                .assignments
                .first()
                .map_or_else(|| "amed".to_owned(), |a| a.body.clone());
            for year in 2020..=2023 {
                let s = seed(&indicator.id, year);
                let value = match indicator.measure {
                    Measure::Count => ActualValue::Number((s % 12 + 1) as f64),
                    Measure::Level => ActualValue::Number((s % 5 + 1) as f64),
                    Measure::Milestone => ActualValue::Number(if year >= 2022 { 1.0 } else { 0.0 }),
                    Measure::Ratio => ActualValue::Ratio {
                        numerator: (s % 40 + 10) as f64,
                        denominator: 60.0,
                    },
                    Measure::Qualitative => ActualValue::Narrative(format!(
                        "{year}年度は計画どおり進めた。支援課題{}件のうち{}件が次の段階へ移行した。",
                        s % 20 + 5,
                        s % 5 + 1
                    )),
                };
                actuals.insert(&Contribution {
                    indicator: indicator.id.clone(),
                    year: fy(year),
                    body: body.clone(),
                    value,
                });
            }
        }
    }
    actuals
}

fn item(id: i64, kind: ItemKind, title: Option<&str>, text: &str, links: Vec<Link>) -> RoundItem {
    RoundItem {
        id,
        fiscal_year: fy(2023),
        kind,
        title: title.map(str::to_owned),
        text: text.to_owned(),
        points: None,
        body_id: None,
        links,
        budget: None,
        meeting_id: None,
        plan_revision: None,
        reflected: true,
        author: "secretariat".to_owned(),
        created_at: "2024-06-01T09:00:00Z".to_owned(),
    }
}

/// The title of the notable, public, approved FY2023 achievement: the one the report lists.
pub const LISTED_ACHIEVEMENT: &str = "抗体Xの非臨床POC取得";
/// Its institution.
pub const LISTED_INSTITUTION: &str = "甲大学医学部";
/// Titles of achievements the report must leave out: confidential, not approved, not notable,
/// of another year.
pub const UNLISTED_ACHIEVEMENTS: [&str; 4] = [
    "秘匿ライセンス案件",
    "審査中の導出案件",
    "通常の非臨床POC",
    "前年度の顕著な成果",
];

/// Achievements of `indicator`: one the FY2023 report lists ([`LISTED_ACHIEVEMENT`]) and one of
/// each kind it must leave out ([`UNLISTED_ACHIEVEMENTS`]).
pub fn achievements(indicator: &str) -> Vec<Achievement> {
    let one = |id, title: &str, year, public, notable, state| Achievement {
        id: AchievementId(id),
        version: 1,
        fields: AchievementFields {
            indicator: indicator.to_owned(),
            year: fy(year),
            body: "amed".to_owned(),
            project_code: Some(format!("JP23ab000{id}")),
            title: title.to_owned(),
            institution: Some(LISTED_INSTITUTION.to_owned()),
            date: None,
            tags: Vec::new(),
            public,
            notable,
            url: None,
            note: None,
        },
        state,
    };
    let [confidential, unapproved, ordinary, last_year] = UNLISTED_ACHIEVEMENTS;
    vec![
        one(
            1,
            LISTED_ACHIEVEMENT,
            2023,
            true,
            true,
            ActualState::Approved,
        ),
        one(2, confidential, 2023, false, true, ActualState::Approved),
        one(3, unapproved, 2023, true, true, ActualState::Submitted),
        one(4, ordinary, 2023, true, false, ActualState::Approved),
        one(5, last_year, 2022, true, true, ActualState::Locked),
    ]
}

/// The FY2023 report of the built-in plan; `hostile` goes into the first indicator's name and
/// the priority item's text.
pub fn report_with(hostile: Option<&str>) -> Report {
    let mut plan = pdca_core::builtin::builtin_plan().expect("the built-in plan parses");
    if let Some(h) = hostile {
        let first = &mut plan.projects[0].indicators[0];
        first.name = format!("{} {h}", first.name);
    }
    let actuals = actuals(&plan);
    let evaluation = evaluate_plan(&plan, &actuals, fy(2023)).expect("FY2023 is in the period");
    let round = FollowUpRound {
        plan_id: plan.id.clone(),
        fiscal_year: fy(2023),
        state: RoundState::Meeting2,
        deadline: parse_date("2024-05-31").expect("date"),
        opened_by: "secretariat".to_owned(),
        opened_at: "2024-04-01T09:00:00Z".to_owned(),
    };
    let numeric: Vec<String> = plan
        .projects
        .iter()
        .flat_map(|p| &p.indicators)
        .filter(|i| !i.management && i.target.is_some())
        .map(|i| i.id.clone())
        .collect();
    let b_indicator = numeric[2].clone();
    let ratings: Vec<CommitteeRating> = numeric
        .iter()
        .enumerate()
        .filter(|(n, _)| n % 7 != 6)
        .map(|(n, id)| {
            let b = *id == b_indicator;
            CommitteeRating {
                indicator_id: id.clone(),
                rating: if b {
                    Rating::B
                } else if n % 11 == 10 {
                    Rating::N
                } else {
                    Rating::A
                },
                reason: None,
                issue: b.then(|| "臨床POCの取得が想定より遅れている。".to_owned()),
                solution: b.then(|| "伴走支援を強化し、早期に企業との連携を図る。".to_owned()),
                recorded_by: "committee".to_owned(),
                recorded_at: "2024-06-20T10:00:00Z".to_owned(),
            }
        })
        .collect();
    let priority_text = match hostile {
        Some(h) => format!("創薬シーズの早期導出に向けた支援の在り方 {h}"),
        None => "創薬シーズの早期導出に向けた支援の在り方".to_owned(),
    };
    let mut priority = item(
        1,
        ItemKind::PriorityItem,
        Some("創薬支援の強化"),
        &priority_text,
        vec![Link {
            kind: LinkKind::Project,
            id: "p1".to_owned(),
        }],
    );
    priority.points = Some("導出後の追跡調査を含めること。".to_owned());
    let mut clause = item(
        2,
        ItemKind::PolicyClause,
        Some("モダリティ研究への重点配分"),
        "新規モダリティの研究開発に重点的に配分する。",
        vec![
            Link {
                kind: LinkKind::Item,
                id: "1".to_owned(),
            },
            Link {
                kind: LinkKind::Indicator,
                id: numeric[0].clone(),
            },
        ],
    );
    clause.budget = Some("令和7年度概算要求に反映".to_owned());
    let items = vec![
        priority,
        clause,
        item(
            3,
            ItemKind::Opinion,
            None,
            "企業導出の質も評価すべきである。",
            vec![Link {
                kind: LinkKind::Project,
                id: "p1".to_owned(),
            }],
        ),
        item(
            4,
            ItemKind::NotableResult,
            None,
            "新規抗体医薬の医師主導治験を開始した。",
            vec![Link {
                kind: LinkKind::Indicator,
                id: numeric[0].clone(),
            }],
        ),
    ];
    let achievements = achievements(&numeric[0]);
    let meetings = vec![Meeting {
        id: 1,
        plan_id: plan.id.clone(),
        fiscal_year: Some(fy(2023)),
        committee: "健康・医療戦略推進専門調査会".to_owned(),
        number: 38,
        kind: MeetingKind::First,
        date: parse_date("2024-06-20").expect("date"),
        agenda: Vec::new(),
        materials: Vec::new(),
        minutes: None,
    }];
    Report::build(&ReportInput {
        plan: &plan,
        round: &round,
        evaluation: &evaluation,
        actuals: &actuals,
        ratings: &ratings,
        items: &items,
        meetings: &meetings,
        material: Some("資料1"),
        achievements: &achievements,
    })
}

/// The FY2023 report of the built-in plan.
pub fn report() -> Report {
    report_with(None)
}
