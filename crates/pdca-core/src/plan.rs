//! The plan catalogue: projects, indicators and their targets, reporting bodies, glossary, and the
//! revisions (計画の一部変更) of a plan over its period.

use serde::{Deserialize, Serialize};

use crate::fiscal_year::FiscalYear;

/// A plan (医療分野研究開発推進計画 or any other) in one revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Stable identifier, e.g. `medical-rd-2`.
    pub id: String,
    /// The plan's name as officials write it.
    pub name: String,
    /// The fiscal years the plan covers.
    pub period: Period,
    /// Revision number, 1 for the plan as first decided.
    pub revision: u32,
    /// The first fiscal year this revision applies to (its start year for revision 1).
    pub effective_from: FiscalYear,
    /// The date the revision was decided, as written in the plan file (YYYY-MM-DD).
    pub decided_on: Option<String>,
    /// What this revision changed, or who decided the plan.
    pub revision_note: Option<String>,
    /// θ: a cumulative indicator is on track when C ≥ θ·E.
    pub on_track_threshold: f64,
    /// The committee that follows the plan up.
    pub committee: Option<String>,
    /// Ministries and agencies that report actuals.
    pub bodies: Vec<Body>,
    /// Definitions of terms used in indicator names (the plan's footnotes).
    pub glossary: Vec<GlossaryEntry>,
    /// The integrated projects, in the plan's order.
    pub projects: Vec<Project>,
}

/// The fiscal years `start..=end` of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// First fiscal year.
    pub start: FiscalYear,
    /// Last fiscal year.
    pub end: FiscalYear,
}

impl Period {
    /// n, the number of years.
    pub fn len(self) -> u32 {
        u32::try_from(self.end.year() - self.start.year() + 1).unwrap_or(0)
    }

    /// Whether the period holds no year (never true for a validated plan).
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Whether `fy` lies in the period.
    pub fn contains(self, fy: FiscalYear) -> bool {
        self.start <= fy && fy <= self.end
    }

    /// The years of the period in order.
    pub fn years(self) -> impl Iterator<Item = FiscalYear> {
        (self.start.year()..=self.end.year()).filter_map(|y| FiscalYear::new(y).ok())
    }
}

/// A reporting body (関係府省 or agency).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    /// Stable identifier, e.g. `amed`, `mext`.
    pub id: String,
    /// Official name, e.g. 文部科学省.
    pub name: String,
    /// Short name, e.g. AMED.
    pub short_name: Option<String>,
}

/// A term and its definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlossaryEntry {
    /// The term, e.g. POC.
    pub term: String,
    /// Its definition.
    pub definition: String,
}

/// An integrated project (統合プロジェクト).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// Stable identifier, e.g. `p1`.
    pub id: String,
    /// Name, e.g. 医薬品プロジェクト.
    pub name: String,
    /// Indicators in the plan's order, outputs before outcomes, sub-targets after their parent.
    pub indicators: Vec<Indicator>,
}

/// Output (アウトプット) or outcome (アウトカム).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// アウトプット
    Output,
    /// アウトカム
    Outcome,
}

impl IndicatorKind {
    /// アウトプット / アウトカム.
    pub fn label(self) -> &'static str {
        match self {
            IndicatorKind::Output => "アウトプット",
            IndicatorKind::Outcome => "アウトカム",
        }
    }
}

/// What an indicator's actual for a year is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// A count of events in the year (件); cumulated over the period.
    Count,
    /// A numerator and denominator per year; the value is 100·Σnum/Σden.
    Ratio,
    /// A level measured each year (not cumulated), e.g. an annual volume.
    Level,
    /// Whether a milestone has been reached (1) or not yet (0).
    Milestone,
    /// A narrative status (その他管理指標).
    Qualitative,
}

impl Measure {
    /// The name used in files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Count => "count",
            Measure::Ratio => "ratio",
            Measure::Level => "level",
            Measure::Milestone => "milestone",
            Measure::Qualitative => "qualitative",
        }
    }
}

/// How the years of an indicator are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Counting {
    /// Japanese fiscal years (April–March), the default.
    #[default]
    FiscalYear,
    /// Calendar years (January–December); year N is evaluated with fiscal year N.
    CalendarYear,
}

/// Which side of the target is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    /// A plain target to reach ("25件"): at or above it is reached.
    Reach,
    /// A floor ("2件以上"): at or above it is reached.
    AtLeast,
    /// A ceiling, lower is better ("5％以下"): at or below it is reached.
    AtMost,
}

impl Comparator {
    /// Whether `value` meets `target` on this comparator's side.
    pub fn meets(self, value: f64, target: f64) -> bool {
        match self {
            Comparator::Reach | Comparator::AtLeast => value >= target,
            Comparator::AtMost => value <= target,
        }
    }

    /// Whether lower values are better.
    pub fn lower_is_better(self) -> bool {
        self == Comparator::AtMost
    }

    /// The name used in files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparator::Reach => "reach",
            Comparator::AtLeast => "at_least",
            Comparator::AtMost => "at_most",
        }
    }
}

/// An indicator's target, one of the forms plans use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum Target {
    /// A total over the period ("25件", "2件以上", or a ceiling with `AtMost`).
    Cumulative {
        /// T.
        value: f64,
        /// Reach, at least or at most.
        comparator: Comparator,
    },
    /// A yearly target with a period total ("130件/年、5年累計650件").
    PerYear {
        /// The yearly target.
        per_year: f64,
        /// T, the period total.
        value: f64,
    },
    /// A percentage of Σnumerator/Σdenominator over the years so far ("75％").
    Ratio {
        /// P, in percent.
        value: f64,
        /// Reach or at least (≥ P), or at most (≤ P).
        comparator: Comparator,
    },
    /// A level to be held in the year evaluated ("年間100件", "10件以下").
    Level {
        /// The level.
        value: f64,
        /// Reach or at least, or at most.
        comparator: Comparator,
    },
    /// A level relative to a baseline year's actual ("2023年度比で2倍", "半減" with 0.5).
    Relative {
        /// The factor applied to the baseline actual.
        factor: f64,
        /// The baseline year.
        baseline: FiscalYear,
        /// Reach or at least (higher is better), or at most (lower is better).
        comparator: Comparator,
    },
    /// A milestone to reach by a deadline ("2026年度までに着手").
    Milestone {
        /// The last fiscal year in which reaching it is on time.
        deadline: FiscalYear,
    },
}

impl Target {
    /// The name of the form in files and JSON (`basis`).
    pub fn basis(&self) -> &'static str {
        match self {
            Target::Cumulative { .. } => "cumulative",
            Target::PerYear { .. } => "per_year",
            Target::Ratio { .. } => "ratio",
            Target::Level { .. } => "level",
            Target::Relative { .. } => "relative",
            Target::Milestone { .. } => "milestone",
        }
    }

    /// The comparator; a per-year target and a milestone are reached from below.
    pub fn comparator(&self) -> Comparator {
        match self {
            Target::Cumulative { comparator, .. }
            | Target::Ratio { comparator, .. }
            | Target::Level { comparator, .. }
            | Target::Relative { comparator, .. } => *comparator,
            Target::PerYear { .. } | Target::Milestone { .. } => Comparator::Reach,
        }
    }

    /// The target's value where it has one fixed in the plan (T or P).
    pub fn value(&self) -> Option<f64> {
        match self {
            Target::Cumulative { value, .. }
            | Target::PerYear { value, .. }
            | Target::Ratio { value, .. }
            | Target::Level { value, .. } => Some(*value),
            Target::Relative { .. } | Target::Milestone { .. } => None,
        }
    }
}

/// A body that reports an indicator, with its own share of the target if it holds one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// The body's id.
    pub body: String,
    /// The part of the target this body carries (e.g. 2 of the plan's 25 POCs).
    pub share: Option<f64>,
}

/// An indicator (成果目標 KPI, その他管理指標, or a sub-target).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// Stable identifier, unique in the plan, e.g. `p1-out-01`.
    pub id: String,
    /// Name as the plan writes it.
    pub name: String,
    /// Output or outcome.
    pub kind: IndicatorKind,
    /// The indicator group heading, e.g. シーズ研究に関する指標.
    pub group: String,
    /// Whether this is one of the その他管理指標.
    pub management: bool,
    /// What a yearly actual is.
    pub measure: Measure,
    /// The unit figures are shown in (件, %, …); empty for qualitative indicators.
    pub unit: String,
    /// The target, or none for an indicator that is only monitored.
    pub target: Option<Target>,
    /// The indicator this one is a part of (うち…), if any.
    pub parent: Option<String>,
    /// The bodies that report it.
    pub assignments: Vec<Assignment>,
    /// Fiscal or calendar years.
    pub counting: Counting,
    /// Expected amount per year of the period, replacing the linear default T·k/n.
    pub expected_profile: Option<Vec<f64>>,
    /// A note on how the indicator is counted.
    pub note: Option<String>,
    /// Where the yearly actuals come from: typed by the bodies (the default), or counted from
    /// the indicator's list of achievements (`counted_from = "achievements"`).
    #[serde(default)]
    pub counted_from: CountedFrom,
    /// A sub-target's tag (区分) in its parent's achievements; `None` is the sub-target's name
    /// without a leading うち (see [`Indicator::achievement_tag`]).
    #[serde(default)]
    pub achievement_tag: Option<String>,
}

/// Where an indicator's yearly actuals come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountedFrom {
    /// Typed (or imported) by the reporting bodies, the default.
    #[default]
    Reported,
    /// The number of distinct approved achievements (成果から集計); cannot be typed.
    Achievements,
}

impl CountedFrom {
    /// The name used in files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            CountedFrom::Reported => "reported",
            CountedFrom::Achievements => "achievements",
        }
    }
}

impl Indicator {
    /// Whether the yearly actuals are counted from achievements.
    pub fn counted_from_achievements(&self) -> bool {
        self.counted_from == CountedFrom::Achievements
    }

    /// The tag (区分) that marks this sub-target's achievements among its parent's: the plan's
    /// `achievement_tag`, else the name without a leading うち (「うち遺伝子治療」→「遺伝子治療」),
    /// trimmed. `None` for an indicator that is not a sub-target.
    pub fn achievement_tag(&self) -> Option<String> {
        self.parent.as_ref()?;
        Some(effective_tag(self.achievement_tag.as_deref(), &self.name))
    }
}

/// A sub-target's tag from its explicit tag or its name (see [`Indicator::achievement_tag`]).
pub fn effective_tag(explicit: Option<&str>, name: &str) -> String {
    match explicit.map(str::trim).filter(|t| !t.is_empty()) {
        Some(tag) => tag.to_owned(),
        None => {
            let name = name.trim();
            name.strip_prefix("うち").unwrap_or(name).trim().to_owned()
        }
    }
}

impl Plan {
    /// Every indicator in plan order with its project.
    pub fn indicators(&self) -> impl Iterator<Item = (&Project, &Indicator)> {
        self.projects
            .iter()
            .flat_map(|p| p.indicators.iter().map(move |i| (p, i)))
    }

    /// The indicator with this id.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators().map(|(_, i)| i).find(|i| i.id == id)
    }

    /// The project that holds the indicator with this id.
    pub fn project_of(&self, id: &str) -> Option<&Project> {
        self.indicators().find(|(_, i)| i.id == id).map(|(p, _)| p)
    }

    /// An indicator's name as it reads out of its table: a sub-target's after its parent's,
    /// between the page language's brackets (「企業へ導出される段階に至った研究課題数（うち遺伝子
    /// 治療）」); any other indicator's as the plan writes it.
    pub fn full_name(&self, indicator: &Indicator, open: &str, close: &str) -> String {
        match indicator.parent.as_deref().and_then(|p| self.indicator(p)) {
            Some(parent) => [parent.name.as_str(), open, &indicator.name, close].concat(),
            None => indicator.name.clone(),
        }
    }

    /// Mutable access to the indicator with this id.
    pub fn indicator_mut(&mut self, id: &str) -> Option<&mut Indicator> {
        self.projects
            .iter_mut()
            .flat_map(|p| p.indicators.iter_mut())
            .find(|i| i.id == id)
    }

    /// The body with this id.
    pub fn body(&self, id: &str) -> Option<&Body> {
        self.bodies.iter().find(|b| b.id == id)
    }

    /// The fiscal years in which `indicator` may hold actuals: the period, plus the baseline
    /// year of a relative target.
    pub fn accepts_year(&self, indicator: &Indicator, fy: FiscalYear) -> bool {
        self.period.contains(fy)
            || matches!(indicator.target, Some(Target::Relative { baseline, .. }) if baseline == fy)
    }
}

/// Every revision of one plan, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanHistory {
    versions: Vec<Plan>,
}

/// Why revisions do not form one plan's history.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    /// No revision was given.
    #[error("計画の版がありません")]
    Empty,
    /// A revision belongs to another plan.
    #[error("版 {revision} は別の計画 {found} のものです（期待: {expected}）")]
    OtherPlan {
        /// The first revision's plan id.
        expected: String,
        /// The offending plan id.
        found: String,
        /// The offending revision.
        revision: u32,
    },
    /// Revision numbers repeat or go backwards, or their effective years do.
    #[error("版 {0} の番号または適用年度が前の版より後になっていません")]
    OutOfOrder(u32),
}

impl PlanHistory {
    /// Builds a history from revisions in any order; numbers and effective years must increase
    /// together.
    pub fn new(mut versions: Vec<Plan>) -> Result<Self, HistoryError> {
        versions.sort_by_key(|p| p.revision);
        let first = versions.first().ok_or(HistoryError::Empty)?;
        let id = first.id.clone();
        for v in &versions {
            if v.id != id {
                return Err(HistoryError::OtherPlan {
                    expected: id,
                    found: v.id.clone(),
                    revision: v.revision,
                });
            }
        }
        for pair in versions.windows(2) {
            if pair[1].revision == pair[0].revision
                || pair[1].effective_from < pair[0].effective_from
            {
                return Err(HistoryError::OutOfOrder(pair[1].revision));
            }
        }
        Ok(Self { versions })
    }

    /// The latest revision.
    pub fn current(&self) -> &Plan {
        // `new` refuses an empty history.
        &self.versions[self.versions.len() - 1]
    }

    /// The revision in force for results of `fy`: the latest whose effective year is ≤ `fy`,
    /// or the first revision for years before any took effect.
    pub fn in_force(&self, fy: FiscalYear) -> &Plan {
        self.versions
            .iter()
            .rev()
            .find(|p| p.effective_from <= fy)
            .unwrap_or(&self.versions[0])
    }

    /// All revisions, oldest first.
    pub fn versions(&self) -> &[Plan] {
        &self.versions
    }
}
