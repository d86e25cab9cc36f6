//! The follow-up report of a round as data, in the committee's usual order: the cover, the
//! summary of ratings, each integrated project's tables with their charts, management
//! indicators, notable results, issues and solutions and opinions, then the priority items, the
//! resource allocation policy and the glossary. Every renderer (Markdown, XLSX, PDF) reads this
//! one structure, so the three formats say the same thing.
//!
//! Beside the 顕著な成果 the round recorded as items, each project lists the achievements (成果)
//! of the round's year that a body marked as candidates for 顕著な成果 and that were approved,
//! with their title, institution and indicator only. The report goes to the committee and may
//! then be published, so it holds **only public achievements** (公開可): a confidential one
//! (licensing partners often are) is left out, and the report says so
//! ([`ACHIEVEMENTS_NOTE`]) — the same rule as for viewers and the open data
//! (`pdca_core::achievements::visible`).

use pdca_core::achievements::Achievement;
use pdca_core::actuals::{Actuals, YearActual};
use pdca_core::evaluation::{Evaluation, PlanEvaluation};
use pdca_core::follow_up::{
    CommitteeRating, FollowUpRound, ItemKind, Link, LinkKind, Meeting, MeetingKind, RoundItem,
    date_wareki, rating_counts,
};
use pdca_core::plan::{Indicator, IndicatorKind, Measure, Plan, Project};
use pdca_core::wording::{format_number, target_text};
use pdca_core::{FiscalYear, Status};

/// What a report is made from: the round and everything recorded in it, with the evaluation
/// of approved values as of the round's year.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The plan revision in force in the round's year.
    pub plan: &'a Plan,
    /// The round.
    pub round: &'a FollowUpRound,
    /// The evaluation as of the round's year.
    pub evaluation: &'a PlanEvaluation,
    /// The approved actuals.
    pub actuals: &'a Actuals,
    /// The committee's ratings.
    pub ratings: &'a [CommitteeRating],
    /// The round's items.
    pub items: &'a [RoundItem],
    /// The round's meetings.
    pub meetings: &'a [Meeting],
    /// The material number printed on the cover (資料1), if any.
    pub material: Option<&'a str>,
    /// The achievements of the round's year, each as its latest approved revision (set-aside
    /// duplicates left out); the report keeps the approved, public, notable ones.
    pub achievements: &'a [Achievement],
}

/// What the report says under each list of notable achievements.
pub const ACHIEVEMENTS_NOTE: &str = "成果一覧で顕著な成果の候補とされ承認された成果のうち、公開可のものだけを掲げています（非公開の成果は掲載していません）。";

/// The report, ready for the renderers.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// 第2期医療分野研究開発推進計画 令和4年度 フォローアップ報告.
    pub title: String,
    /// The plan's name.
    pub plan_name: String,
    /// The round's result year.
    pub fiscal_year: FiscalYear,
    /// 令和4年度.
    pub fiscal_year_ja: String,
    /// 第35回健康・医療戦略推進専門調査会, when the round has a meeting ①.
    pub meeting: Option<String>,
    /// The cover's date in 和暦: the meeting's day, else the round's deadline.
    pub date_ja: String,
    /// 資料1, if given.
    pub material: Option<String>,
    /// The fiscal years of the tables: the plan's first year to the round's year.
    pub years: Vec<FiscalYear>,
    /// The years as column headings: 令和2年度 ….
    pub year_labels: Vec<String>,
    /// Ratings per project.
    pub summary: Vec<SummaryRow>,
    /// All projects together.
    pub total: SummaryRow,
    /// 「37項目中30項目がA」.
    pub total_sentence: String,
    /// One section per integrated project, in plan order.
    pub projects: Vec<ProjectSection>,
    /// 重点的に議論・提案すべき項目.
    pub priorities: Vec<PriorityRow>,
    /// 資源配分方針.
    pub clauses: Vec<ClauseRow>,
    /// POC, impact factor, ….
    pub glossary: Vec<(String, String)>,
}

/// Counts of committee ratings of one project (or all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    /// The project's name (「合計」 for the total).
    pub name: String,
    /// A.
    pub a: u32,
    /// B.
    pub b: u32,
    /// N.
    pub n: u32,
    /// Numeric indicators not rated.
    pub unrated: u32,
}

/// One integrated project.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectSection {
    /// p1.
    pub id: String,
    /// 医薬品プロジェクト.
    pub name: String,
    /// Output then outcome tables.
    pub tables: Vec<IndicatorTable>,
    /// その他管理指標 with their latest narratives.
    pub management: Vec<ManagementRow>,
    /// 顕著な成果 about the project or its indicators.
    pub notable: Vec<String>,
    /// The approved, public achievements of the round's year marked as candidates for 顕著な成果,
    /// in plan order of their indicators.
    pub achievements: Vec<AchievementRow>,
    /// 課題 and 解決策 of its indicators.
    pub issues: Vec<IssueRow>,
    /// Opinions marked as reflected (for the report) about it or its indicators.
    pub opinions: Vec<String>,
}

/// The output or outcome table of a project.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorTable {
    /// アウトプット or アウトカム.
    pub heading: String,
    /// Groups in plan order (シーズ研究に関する指標 …).
    pub groups: Vec<IndicatorGroup>,
}

/// Indicators under one group heading.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorGroup {
    /// The heading.
    pub name: String,
    /// Its indicators, sub-targets right after their parent.
    pub rows: Vec<IndicatorRow>,
}

/// One numeric indicator's line.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorRow {
    /// p1-out-01.
    pub id: String,
    /// The name as the plan writes it.
    pub name: String,
    /// Whether it is a sub-target (うち…).
    pub sub: bool,
    /// 件, %, ….
    pub unit: String,
    /// 25件, 2件以上, 75%.
    pub target_text: String,
    /// Each year's actual (all bodies), in the order of [`Report::years`]; none when not reported.
    pub actuals: Vec<Option<f64>>,
    /// The actuals as text (ratios as percentages).
    pub actual_texts: Vec<String>,
    /// Cumulative (cumulative forms) or the latest value.
    pub figure: Option<f64>,
    /// The figure as text with its unit.
    pub figure_text: String,
    /// Progress toward the target, 0–1 (and beyond).
    pub progress: Option<f64>,
    /// Expected progress by now, 0–1.
    pub expected: Option<f64>,
    /// The engine's status: 達成, A, B, N, ー.
    pub status: String,
    /// The committee's rating: A, B, N, or ー.
    pub rating: String,
    /// The chart, for cumulative forms with a target.
    pub chart: Option<ChartData>,
}

/// What a chart of one indicator shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    /// Labels of the plan's years (R2 …), the whole period.
    pub year_labels: Vec<String>,
    /// The cumulative actual at each year so far.
    pub cumulative: Vec<f64>,
    /// The expected cumulative at each year of the period.
    pub expected: Vec<f64>,
    /// The target.
    pub target: f64,
}

/// A management indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagementRow {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The latest narrative, or empty.
    pub narrative: String,
}

/// A notable achievement, with only what may be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AchievementRow {
    /// The indicator's name (the parent's, for a sub-target's achievement).
    pub indicator: String,
    /// 成果名.
    pub title: String,
    /// 実施機関, or empty.
    pub institution: String,
}

/// An indicator's issue and solution.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueRow {
    /// The indicator's name.
    pub indicator: String,
    /// Its rating.
    pub rating: String,
    /// 課題.
    pub issue: String,
    /// 解決策.
    pub solution: String,
}

/// A priority item.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorityRow {
    /// Its number in the database.
    pub id: i64,
    /// The title.
    pub title: String,
    /// The text.
    pub text: String,
    /// 留意点.
    pub points: String,
    /// The projects and indicators concerned, by name.
    pub concerns: Vec<String>,
}

/// A clause of the resource allocation policy.
#[derive(Debug, Clone, PartialEq)]
pub struct ClauseRow {
    /// The title.
    pub title: String,
    /// The text.
    pub text: String,
    /// What it reflects: indicators, projects, priority items and opinions, by name.
    pub reflects: Vec<String>,
    /// 予算への反映.
    pub budget: String,
}

impl Report {
    /// Builds the report of `input`.
    pub fn build(input: &ReportInput<'_>) -> Report {
        let plan = input.plan;
        let fy = input.round.fiscal_year;
        let years: Vec<FiscalYear> = plan.period.years().take_while(|y| *y <= fy).collect();
        let (per_project, total) = rating_counts(plan, input.ratings);
        let summary = plan
            .projects
            .iter()
            .zip(&per_project)
            .map(|(p, (_, c))| SummaryRow {
                name: p.name.clone(),
                a: c.a,
                b: c.b,
                n: c.n,
                unrated: c.unrated,
            })
            .collect();
        let meeting_1 = input
            .meetings
            .iter()
            .filter(|m| m.kind == MeetingKind::First)
            .min_by_key(|m| m.date);
        let committee = plan.committee.clone().unwrap_or_default();
        Report {
            title: format!("{} {} フォローアップ報告", plan.name, fy.wareki()),
            plan_name: plan.name.clone(),
            fiscal_year: fy,
            fiscal_year_ja: fy.wareki(),
            meeting: meeting_1
                .map(Meeting::title)
                .or_else(|| (!committee.is_empty()).then(|| committee.clone())),
            date_ja: date_wareki(meeting_1.map_or(input.round.deadline, |m| m.date)),
            material: input.material.map(str::to_owned),
            year_labels: years.iter().map(|y| y.wareki()).collect(),
            summary,
            total: SummaryRow {
                name: "合計".to_owned(),
                a: total.a,
                b: total.b,
                n: total.n,
                unrated: total.unrated,
            },
            total_sentence: total.sentence(),
            projects: plan
                .projects
                .iter()
                .map(|p| project_section(input, p, &years))
                .collect(),
            priorities: input
                .items
                .iter()
                .filter(|i| i.kind == ItemKind::PriorityItem)
                .map(|i| PriorityRow {
                    id: i.id,
                    title: i.title.clone().unwrap_or_default(),
                    text: i.text.clone(),
                    points: i.points.clone().unwrap_or_default(),
                    concerns: i.links.iter().map(|l| link_name(input, l)).collect(),
                })
                .collect(),
            clauses: input
                .items
                .iter()
                .filter(|i| i.kind == ItemKind::PolicyClause)
                .map(|i| ClauseRow {
                    title: i.title.clone().unwrap_or_default(),
                    text: i.text.clone(),
                    reflects: i.links.iter().map(|l| link_name(input, l)).collect(),
                    budget: i.budget.clone().unwrap_or_default(),
                })
                .collect(),
            glossary: plan
                .glossary
                .iter()
                .map(|g| (g.term.clone(), g.definition.clone()))
                .collect(),
            years,
        }
    }

    /// Every numeric indicator row, in plan order.
    pub fn rows(&self) -> impl Iterator<Item = &IndicatorRow> {
        self.projects
            .iter()
            .flat_map(|p| &p.tables)
            .flat_map(|t| &t.groups)
            .flat_map(|g| &g.rows)
    }
}

/// A link as the report names it: the indicator's or project's name, or the item's title.
fn link_name(input: &ReportInput<'_>, link: &Link) -> String {
    match link.kind {
        LinkKind::Indicator => input
            .plan
            .indicator(&link.id)
            .map_or_else(|| link.id.clone(), |i| i.name.clone()),
        LinkKind::Project => input
            .plan
            .projects
            .iter()
            .find(|p| p.id == link.id)
            .map_or_else(|| link.id.clone(), |p| p.name.clone()),
        LinkKind::Item => input
            .items
            .iter()
            .find(|i| i.id.to_string() == link.id)
            .map_or_else(
                || format!("#{}", link.id),
                |i| {
                    let label = i.kind.label_ja();
                    match &i.title {
                        Some(t) => format!("{label}「{t}」"),
                        None => format!("{label}「{}」", i.text),
                    }
                },
            ),
    }
}

fn about(item: &RoundItem, project: &Project) -> bool {
    item.links.iter().any(|l| match l.kind {
        LinkKind::Project => l.id == project.id,
        LinkKind::Indicator => project.indicators.iter().any(|i| i.id == l.id),
        LinkKind::Item => false,
    })
}

fn project_section(
    input: &ReportInput<'_>,
    project: &Project,
    years: &[FiscalYear],
) -> ProjectSection {
    let evaluation = |id: &str| input.evaluation.indicators.iter().find(|e| e.id == id);
    let tables = [IndicatorKind::Output, IndicatorKind::Outcome]
        .into_iter()
        .filter_map(|kind| {
            let mut groups: Vec<IndicatorGroup> = Vec::new();
            for indicator in project
                .indicators
                .iter()
                .filter(|i| i.kind == kind && !i.management)
            {
                let Some(e) = evaluation(&indicator.id) else {
                    continue;
                };
                let row = indicator_row(input, indicator, e, years);
                match groups.last_mut() {
                    Some(g) if g.name == indicator.group => g.rows.push(row),
                    _ => groups.push(IndicatorGroup {
                        name: indicator.group.clone(),
                        rows: vec![row],
                    }),
                }
            }
            (!groups.is_empty()).then(|| IndicatorTable {
                heading: kind.label().to_owned(),
                groups,
            })
        })
        .collect();
    let management = project
        .indicators
        .iter()
        .filter(|i| i.management)
        .map(|i| ManagementRow {
            id: i.id.clone(),
            name: i.name.clone(),
            narrative: evaluation(&i.id)
                .and_then(|e| e.narrative.clone())
                .unwrap_or_default(),
        })
        .collect();
    let issues = project
        .indicators
        .iter()
        .filter_map(|i| {
            let r = input.ratings.iter().find(|r| r.indicator_id == i.id)?;
            (r.issue.is_some() || r.solution.is_some()).then(|| IssueRow {
                indicator: i.name.clone(),
                rating: format!("{:?}", r.rating),
                issue: r.issue.clone().unwrap_or_default(),
                solution: r.solution.clone().unwrap_or_default(),
            })
        })
        .collect();
    let texts = |kind: ItemKind, only_reflected: bool| {
        input
            .items
            .iter()
            .filter(|i| i.kind == kind && about(i, project) && (!only_reflected || i.reflected))
            .map(|i| i.text.clone())
            .collect::<Vec<_>>()
    };
    let achievements = project
        .indicators
        .iter()
        .flat_map(|i| {
            input
                .achievements
                .iter()
                .filter(move |a| {
                    let f = &a.fields;
                    f.indicator == i.id
                        && f.year == input.round.fiscal_year
                        && f.public
                        && f.notable
                        && a.state.is_approved()
                })
                .map(move |a| AchievementRow {
                    indicator: i.name.clone(),
                    title: a.fields.title.clone(),
                    institution: a.fields.institution.clone().unwrap_or_default(),
                })
        })
        .collect();
    ProjectSection {
        id: project.id.clone(),
        name: project.name.clone(),
        tables,
        management,
        notable: texts(ItemKind::NotableResult, false),
        achievements,
        issues,
        opinions: texts(ItemKind::Opinion, true),
    }
}

/// A year's actual as a number: the count or level, or the ratio in percent.
fn year_number(indicator: &Indicator, ya: &YearActual) -> Option<f64> {
    match indicator.measure {
        Measure::Count | Measure::Level | Measure::Milestone => Some(ya.number),
        Measure::Ratio if ya.denominator > 0.0 => Some(100.0 * ya.numerator / ya.denominator),
        Measure::Ratio | Measure::Qualitative => None,
    }
}

fn indicator_row(
    input: &ReportInput<'_>,
    indicator: &Indicator,
    e: &Evaluation,
    years: &[FiscalYear],
) -> IndicatorRow {
    let actuals: Vec<Option<f64>> = years
        .iter()
        .map(|y| {
            input
                .actuals
                .year(&indicator.id, *y)
                .and_then(|ya| year_number(indicator, ya))
        })
        .collect();
    let unit = indicator.unit.clone();
    let number_text = |v: f64| {
        if indicator.measure == Measure::Ratio {
            format!("{v:.1}%")
        } else {
            format!("{}{unit}", format_number(v))
        }
    };
    let figure = e.cumulative.or(e.value);
    let expected = match (e.expected, e.target) {
        (Some(expected), Some(target)) if target > 0.0 && e.cumulative.is_some() => {
            Some(expected / target)
        }
        _ => None,
    };
    let rating = input
        .ratings
        .iter()
        .find(|r| r.indicator_id == indicator.id)
        .map_or_else(|| "ー".to_owned(), |r| format!("{:?}", r.rating));
    IndicatorRow {
        id: indicator.id.clone(),
        name: indicator.name.clone(),
        sub: indicator.parent.is_some(),
        target_text: target_text(indicator),
        actual_texts: actuals
            .iter()
            .map(|a| a.map_or_else(|| "ー".to_owned(), number_text))
            .collect(),
        actuals,
        figure,
        figure_text: figure.map_or_else(|| "ー".to_owned(), number_text),
        progress: e.progress,
        expected,
        status: status_short(e.status).to_owned(),
        rating,
        chart: chart(input, indicator, e),
        unit,
    }
}

fn status_short(status: Status) -> &'static str {
    status.short_label()
}

/// The chart of a cumulative indicator: the cumulative actual year by year, the expected line
/// T·k/n (or the plan's profile) and the target.
fn chart(input: &ReportInput<'_>, indicator: &Indicator, e: &Evaluation) -> Option<ChartData> {
    let target = e.target?;
    e.cumulative?;
    let plan = input.plan;
    let period: Vec<FiscalYear> = plan.period.years().collect();
    let n = period.len() as f64;
    let mut running = 0.0;
    let cumulative = period
        .iter()
        .take_while(|y| **y <= input.round.fiscal_year)
        .map(|y| {
            running += input
                .actuals
                .year(&indicator.id, *y)
                .map_or(0.0, |ya| ya.number);
            running
        })
        .collect();
    let expected = match &indicator.expected_profile {
        Some(profile) => {
            let mut sum = 0.0;
            profile
                .iter()
                .map(|p| {
                    sum += p;
                    sum
                })
                .collect()
        }
        None => (1..=period.len()).map(|k| target * k as f64 / n).collect(),
    };
    Some(ChartData {
        year_labels: period.iter().map(|y| y.wareki_short()).collect(),
        cumulative,
        expected,
        target,
    })
}
