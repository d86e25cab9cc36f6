//! The JSON shapes shared with the command line: the plan catalogue (`pdca plan export`) and an
//! evaluation (`pdca evaluate --format json`), so that the API and the CLI answer alike. Each
//! shape is a type that serialises to it and describes itself to the API's OpenAPI document
//! (`utoipa::ToSchema`), so the document cannot drift from what is sent. Also the plan's
//! wording of a target and of a number, used by the pages and the CLI's tables.

use pdca_core::Plan;
use pdca_core::evaluation::{PlanEvaluation, Rating, Status};
use pdca_core::plan::{
    Comparator, CountedFrom, Counting, Indicator, IndicatorKind, Measure, Target,
};
pub use pdca_core::wording::{format_number, target_text};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// Output or outcome (アウトプット / アウトカム).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KindJson {
    /// Direct results.
    Output,
    /// Effects further out.
    Outcome,
}

impl From<IndicatorKind> for KindJson {
    fn from(kind: IndicatorKind) -> Self {
        match kind {
            IndicatorKind::Output => KindJson::Output,
            IndicatorKind::Outcome => KindJson::Outcome,
        }
    }
}

/// What an indicator measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureJson {
    /// A count summed over the years.
    Count,
    /// A percentage of Σnumerator/Σdenominator.
    Ratio,
    /// A level held in a year.
    Level,
    /// A milestone reached or not.
    Milestone,
    /// A management indicator without a numeric target (its status is a narrative).
    Qualitative,
}

impl From<Measure> for MeasureJson {
    fn from(measure: Measure) -> Self {
        match measure {
            Measure::Count => MeasureJson::Count,
            Measure::Ratio => MeasureJson::Ratio,
            Measure::Level => MeasureJson::Level,
            Measure::Milestone => MeasureJson::Milestone,
            Measure::Qualitative => MeasureJson::Qualitative,
        }
    }
}

/// 自動判定 (automatic judgement): the engine's verdict from the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusJson {
    /// 達成: the target is already reached.
    Achieved,
    /// On track.
    OnTrack,
    /// Progress is insufficient.
    Insufficient,
    /// Cannot be evaluated yet.
    NotEvaluable,
    /// Not rated (management indicators).
    NotRated,
}

impl From<Status> for StatusJson {
    fn from(status: Status) -> Self {
        match status {
            Status::Achieved => StatusJson::Achieved,
            Status::OnTrack => StatusJson::OnTrack,
            Status::Insufficient => StatusJson::Insufficient,
            Status::NotEvaluable => StatusJson::NotEvaluable,
            Status::NotRated => StatusJson::NotRated,
        }
    }
}

/// A rating: A 順調に進捗している, B 進捗が不十分, N 現時点で評価が困難.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum RatingJson {
    /// 順調に進捗している.
    A,
    /// 進捗が不十分.
    B,
    /// 現時点で評価が困難.
    N,
}

impl From<Rating> for RatingJson {
    fn from(rating: Rating) -> Self {
        match rating {
            Rating::A => RatingJson::A,
            Rating::B => RatingJson::B,
            Rating::N => RatingJson::N,
        }
    }
}

/// A body's part in a cumulative indicator.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct BodyProgressJson {
    /// The body's id.
    pub body: String,
    /// Σ of the body's actuals over the years so far.
    pub cumulative: f64,
    /// The body's share of the target, if it holds one.
    pub share: Option<f64>,
    /// cumulative / share.
    pub progress: Option<f64>,
}

/// One indicator's figures; the rules are in the README. The pages name each figure the same
/// way (用語の説明: /help/terms): 進捗率 and ペース as %, 期待値 in the indicator's unit, 達成見込み
/// in words and %.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EvaluationJson {
    /// The indicator's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its project's id.
    pub project: String,
    /// Output or outcome.
    pub kind: KindJson,
    /// What it measures.
    pub measure: MeasureJson,
    /// The parent indicator of a sub-target.
    pub parent: Option<String>,
    /// 自動判定: the engine's verdict. The committee's rating, the decision, is in the round.
    pub status: StatusJson,
    /// The rating the automatic judgement proposes; null when not rated.
    pub rating: Option<RatingJson>,
    /// 目標: the figure judged against, in the indicator's unit.
    pub target: Option<f64>,
    /// 累計: the sum of the actuals up to as_of, in the indicator's unit.
    pub cumulative: Option<f64>,
    /// 期待値: what was expected by as_of, in the indicator's unit (15 for 15件).
    pub expected: Option<f64>,
    /// 進捗率: the cumulative (or the way from baseline) as a fraction of the target.
    pub progress: Option<f64>,
    /// ペース: the actual against the expected, as a fraction; 1.1 is shown as 110%.
    pub pace: Option<f64>,
    /// 期間末の見込み: the value projected for the end of the period at the current pace.
    pub projected_end: Option<f64>,
    /// 値: the percentage (ratio), the year's level (level), or 1/0 (milestone).
    pub value: Option<f64>,
    /// 達成見込み: the probability (0–1) of reaching the target by the end of the period.
    pub p_attain: Option<f64>,
    /// A management indicator's narrative status.
    pub narrative: Option<String>,
    /// What the engine could not use, for a person.
    pub warnings: Vec<String>,
    /// The bodies' parts.
    pub bodies: Vec<BodyProgressJson>,
}

/// An evaluation of a plan as of a fiscal year: `pdca evaluate --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PlanEvaluationJson {
    /// The plan's id.
    pub plan: String,
    /// The plan revision in force as of `as_of`.
    pub revision: u32,
    /// The as-of fiscal year.
    pub as_of: i32,
    /// The as-of fiscal year in 和暦 (令和5年度).
    pub as_of_wareki: String,
    /// Every indicator, in the plan's order.
    pub indicators: Vec<EvaluationJson>,
}

/// The evaluation in its documented shape.
pub fn evaluation_document(plan: &Plan, evaluation: &PlanEvaluation) -> PlanEvaluationJson {
    let indicators = plan
        .indicators()
        .zip(&evaluation.indicators)
        .map(|((project, indicator), e)| EvaluationJson {
            id: e.id.clone(),
            name: indicator.name.clone(),
            project: project.id.clone(),
            kind: indicator.kind.into(),
            measure: indicator.measure.into(),
            parent: indicator.parent.clone(),
            status: e.status.into(),
            rating: e.rating.map(Into::into),
            target: e.target,
            cumulative: e.cumulative,
            expected: e.expected,
            progress: e.progress,
            pace: e.pace,
            projected_end: e.projected_end,
            value: e.value,
            p_attain: e.p_attain,
            narrative: e.narrative.clone(),
            warnings: e.warnings.clone(),
            bodies: e
                .bodies
                .iter()
                .map(|b| BodyProgressJson {
                    body: b.body.clone(),
                    cumulative: b.cumulative,
                    share: b.share,
                    progress: b.progress,
                })
                .collect(),
        })
        .collect();
    PlanEvaluationJson {
        plan: evaluation.plan.clone(),
        revision: evaluation.revision,
        as_of: evaluation.as_of.year(),
        as_of_wareki: evaluation.as_of.wareki(),
        indicators,
    }
}

/// The documented JSON shape: `{plan, as_of, indicators:[{id, status, cumulative, expected,
/// progress, pace, projected_end, value, p_attain, warnings, …}]}`.
pub fn evaluation_json(plan: &Plan, evaluation: &PlanEvaluation) -> Value {
    serde_json::to_value(evaluation_document(plan, evaluation)).unwrap_or(Value::Null)
}

/// A plan's period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PeriodJson {
    /// The first fiscal year.
    pub start_fy: i32,
    /// The last fiscal year.
    pub end_fy: i32,
}

/// A reporting body.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct BodyJson {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its short name.
    pub short_name: Option<String>,
}

/// A term of the plan's glossary.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GlossaryJson {
    /// The term.
    pub term: String,
    /// What it means.
    pub definition: String,
}

/// A body reporting an indicator, with its share of the target.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AssignmentJson {
    /// The body's id.
    pub body: String,
    /// The part of the target this body carries.
    pub share: Option<f64>,
}

/// Which side of the target is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComparatorJson {
    /// A plain target to reach.
    Reach,
    /// A floor (以上).
    AtLeast,
    /// A ceiling (以下), lower is better.
    AtMost,
}

impl From<Comparator> for ComparatorJson {
    fn from(c: Comparator) -> Self {
        match c {
            Comparator::Reach => ComparatorJson::Reach,
            Comparator::AtLeast => ComparatorJson::AtLeast,
            Comparator::AtMost => ComparatorJson::AtMost,
        }
    }
}

/// The form of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BasisJson {
    /// A total over the period.
    Cumulative,
    /// A yearly target with a period total.
    PerYear,
    /// A percentage.
    Ratio,
    /// A level held in the year evaluated.
    Level,
    /// A level relative to a baseline year.
    Relative,
    /// A milestone with a deadline.
    Milestone,
}

/// An indicator's target.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TargetJson {
    /// T or P, where the plan fixes it.
    pub value: Option<f64>,
    /// The indicator's unit.
    pub unit: String,
    /// Which side is good.
    pub comparator: ComparatorJson,
    /// The form of the target.
    pub basis: BasisJson,
    /// The yearly target (`per_year`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_year: Option<f64>,
    /// The factor applied to the baseline (`relative`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
    /// The baseline year (`relative`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_fy: Option<i32>,
    /// The last year in which reaching it is on time (`milestone`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline_fy: Option<i32>,
}

/// Where an indicator's yearly actual comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CountedFromJson {
    /// Typed by the reporting bodies.
    Reported,
    /// Counted from the approved achievements (成果の一覧).
    Achievements,
}

/// How an indicator's years are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CountingJson {
    /// Fiscal years (April–March).
    FiscalYear,
    /// Calendar years, year N evaluated with fiscal year N.
    CalendarYear,
}

impl From<Counting> for CountingJson {
    fn from(c: Counting) -> Self {
        match c {
            Counting::FiscalYear => CountingJson::FiscalYear,
            Counting::CalendarYear => CountingJson::CalendarYear,
        }
    }
}

/// An indicator of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IndicatorJson {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Output or outcome.
    pub kind: KindJson,
    /// The heading grouping it (○…に関する指標).
    pub group: String,
    /// Whether it is a management indicator (その他管理指標).
    pub management: bool,
    /// What it measures.
    pub measure: MeasureJson,
    /// Its unit.
    pub unit: String,
    /// Its target, when it has one.
    pub target: Option<TargetJson>,
    /// The parent of a sub-target.
    pub parent: Option<String>,
    /// How its years are counted.
    pub counting: CountingJson,
    /// Where its yearly actual comes from: `reported` (typed by the bodies) or `achievements`
    /// (the number of distinct approved achievements; it cannot be typed).
    pub counted_from: CountedFromJson,
    /// A sub-target's tag (区分) among its parent's achievements, when the parent is counted
    /// from achievements.
    pub achievement_tag: Option<String>,
    /// The expected share of the target per year, when not even.
    pub expected_profile: Option<Vec<f64>>,
    /// The bodies reporting it.
    pub bodies: Vec<AssignmentJson>,
    /// A note.
    pub note: Option<String>,
}

/// An integrated project with its indicators.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProjectJson {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its indicators.
    pub indicators: Vec<IndicatorJson>,
}

/// The plan catalogue: header, bodies, glossary, projects and their indicators with targets
/// (docs/plan-format.md); `pdca plan export --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PlanCatalogue {
    /// The plan's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The revision.
    pub revision: u32,
    /// The fiscal year from which this revision is in force.
    pub effective_from: i32,
    /// When it was decided.
    pub decided_on: Option<String>,
    /// The plan's period.
    pub period: PeriodJson,
    /// The pace at or above which a cumulative indicator is on track.
    pub on_track_threshold: f64,
    /// The committee's name.
    pub committee: Option<String>,
    /// The reporting bodies.
    pub bodies: Vec<BodyJson>,
    /// The glossary.
    pub glossary: Vec<GlossaryJson>,
    /// The projects.
    pub projects: Vec<ProjectJson>,
}

/// The plan catalogue in its documented shape.
pub fn plan_document(plan: &Plan) -> PlanCatalogue {
    PlanCatalogue {
        id: plan.id.clone(),
        name: plan.name.clone(),
        revision: plan.revision,
        effective_from: plan.effective_from.year(),
        decided_on: plan.decided_on.clone(),
        period: PeriodJson {
            start_fy: plan.period.start.year(),
            end_fy: plan.period.end.year(),
        },
        on_track_threshold: plan.on_track_threshold,
        committee: plan.committee.clone(),
        bodies: plan
            .bodies
            .iter()
            .map(|b| BodyJson {
                id: b.id.clone(),
                name: b.name.clone(),
                short_name: b.short_name.clone(),
            })
            .collect(),
        glossary: plan
            .glossary
            .iter()
            .map(|g| GlossaryJson {
                term: g.term.clone(),
                definition: g.definition.clone(),
            })
            .collect(),
        projects: plan
            .projects
            .iter()
            .map(|p| ProjectJson {
                id: p.id.clone(),
                name: p.name.clone(),
                indicators: p.indicators.iter().map(indicator_document).collect(),
            })
            .collect(),
    }
}

/// The plan catalogue as JSON (the documented export shape).
pub fn plan_json(plan: &Plan) -> Value {
    serde_json::to_value(plan_document(plan)).unwrap_or(Value::Null)
}

fn indicator_document(i: &Indicator) -> IndicatorJson {
    IndicatorJson {
        id: i.id.clone(),
        name: i.name.clone(),
        kind: i.kind.into(),
        group: i.group.clone(),
        management: i.management,
        measure: i.measure.into(),
        unit: i.unit.clone(),
        target: i.target.as_ref().map(|t| target_document(t, &i.unit)),
        parent: i.parent.clone(),
        counting: i.counting.into(),
        counted_from: match i.counted_from {
            CountedFrom::Reported => CountedFromJson::Reported,
            CountedFrom::Achievements => CountedFromJson::Achievements,
        },
        achievement_tag: i
            .counted_from_achievements()
            .then(|| i.achievement_tag())
            .flatten(),
        expected_profile: i.expected_profile.clone(),
        bodies: i
            .assignments
            .iter()
            .map(|a| AssignmentJson {
                body: a.body.clone(),
                share: a.share,
            })
            .collect(),
        note: i.note.clone(),
    }
}

fn target_document(t: &Target, unit: &str) -> TargetJson {
    let mut json = TargetJson {
        value: t.value(),
        unit: unit.to_owned(),
        comparator: t.comparator().into(),
        basis: match t {
            Target::Cumulative { .. } => BasisJson::Cumulative,
            Target::PerYear { .. } => BasisJson::PerYear,
            Target::Ratio { .. } => BasisJson::Ratio,
            Target::Level { .. } => BasisJson::Level,
            Target::Relative { .. } => BasisJson::Relative,
            Target::Milestone { .. } => BasisJson::Milestone,
        },
        per_year: None,
        factor: None,
        baseline_fy: None,
        deadline_fy: None,
    };
    match t {
        Target::PerYear { per_year, .. } => json.per_year = Some(*per_year),
        Target::Relative {
            factor, baseline, ..
        } => {
            json.factor = Some(*factor);
            json.baseline_fy = Some(baseline.year());
        }
        Target::Milestone { deadline } => json.deadline_fy = Some(deadline.year()),
        _ => {}
    }
    json
}
