//! The evaluation engine: for each indicator and an as-of fiscal year, the figures and the status
//! that say whether it is on track. The rules are documented in the README and are exact: later
//! checks recompute them independently.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use statrs::distribution::{DiscreteCDF, NegativeBinomial};

use crate::actuals::{Actuals, YearActual};
use crate::fiscal_year::FiscalYear;
use crate::plan::{Comparator, Indicator, Measure, Plan, Target};

/// The engine's verdict for one indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 達成: the target is already reached.
    Achieved,
    /// On track to reach the target.
    OnTrack,
    /// Progress is insufficient.
    Insufficient,
    /// Cannot be evaluated now (no report for the year, or too early to tell).
    NotEvaluable,
    /// No target to rate against (qualitative or monitored-only indicators).
    NotRated,
}

impl Status {
    /// The name used in JSON and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Achieved => "achieved",
            Status::OnTrack => "on_track",
            Status::Insufficient => "insufficient",
            Status::NotEvaluable => "not_evaluable",
            Status::NotRated => "not_rated",
        }
    }

    /// The committee's rating this status proposes.
    pub fn rating(self) -> Option<Rating> {
        match self {
            Status::Achieved | Status::OnTrack => Some(Rating::A),
            Status::Insufficient => Some(Rating::B),
            Status::NotEvaluable => Some(Rating::N),
            Status::NotRated => None,
        }
    }

    /// The short label in Japanese tables: 達成, A, B, N, or ー.
    pub fn short_label(self) -> &'static str {
        match self {
            Status::Achieved => "達成",
            Status::OnTrack => "A",
            Status::Insufficient => "B",
            Status::NotEvaluable => "N",
            Status::NotRated => "ー",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The committee's three-level rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Rating {
    /// 順調に進捗している
    A,
    /// 進捗が不十分
    B,
    /// 現時点で評価が困難
    N,
}

impl Rating {
    /// The rating's meaning in Japanese.
    pub fn label(self) -> &'static str {
        match self {
            Rating::A => "順調に進捗している",
            Rating::B => "進捗が不十分",
            Rating::N => "現時点で評価が困難",
        }
    }
}

/// A body's part in a cumulative indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodyProgress {
    /// The body's id.
    pub body: String,
    /// Σ of the body's actuals over the years so far.
    pub cumulative: f64,
    /// The body's share of the target, if it holds one.
    pub share: Option<f64>,
    /// cumulative / share.
    pub progress: Option<f64>,
}

/// The engine's figures for one indicator as of one fiscal year (進捗状況).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The indicator's id.
    pub id: String,
    /// The verdict.
    pub status: Status,
    /// The rating the status proposes (A, B, N), none when not rated.
    pub rating: Option<Rating>,
    /// The target figure the status was judged against (T, P, a level, factor × baseline).
    pub target: Option<f64>,
    /// C: Σ of the actuals over the years so far (cumulative forms).
    pub cumulative: Option<f64>,
    /// E: what was expected by now.
    pub expected: Option<f64>,
    /// C/T (or the share of the way from baseline to target).
    pub progress: Option<f64>,
    /// C/E (or progress relative to the expected share).
    pub pace: Option<f64>,
    /// C + (C/k)·(n−k).
    pub projected_end: Option<f64>,
    /// The percentage (ratio), the year's level (level forms), or 1/0 (milestone).
    pub value: Option<f64>,
    /// The probability of reaching the target by the end of the period.
    pub p_attain: Option<f64>,
    /// The latest narrative status (qualitative indicators).
    pub narrative: Option<String>,
    /// What the figures had to assume (missing reports, bodies that did not report).
    pub warnings: Vec<String>,
    /// Each body's part, for cumulative indicators with more than one body or with shares.
    pub bodies: Vec<BodyProgress>,
}

/// The evaluation of a whole plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanEvaluation {
    /// The plan's id.
    pub plan: String,
    /// The plan's revision used.
    pub revision: u32,
    /// The as-of fiscal year.
    pub as_of: FiscalYear,
    /// One evaluation per indicator, in plan order.
    pub indicators: Vec<Evaluation>,
}

/// Why a plan cannot be evaluated as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvaluationError {
    /// The as-of year lies outside the plan period.
    #[error("評価年度 {as_of} は計画期間 {start}〜{end} の外です")]
    OutsidePeriod {
        /// Asked year.
        as_of: FiscalYear,
        /// Plan start.
        start: FiscalYear,
        /// Plan end.
        end: FiscalYear,
    },
}

/// Evaluates every indicator of `plan` as of fiscal year `as_of`.
pub fn evaluate_plan(
    plan: &Plan,
    actuals: &Actuals,
    as_of: FiscalYear,
) -> Result<PlanEvaluation, EvaluationError> {
    if !plan.period.contains(as_of) {
        return Err(EvaluationError::OutsidePeriod {
            as_of,
            start: plan.period.start,
            end: plan.period.end,
        });
    }
    let mut indicators = Vec::with_capacity(plan.projects.iter().map(|p| p.indicators.len()).sum());
    indicators.extend(
        plan.indicators()
            .map(|(_, indicator)| evaluate_indicator(plan, indicator, actuals, as_of)),
    );
    Ok(PlanEvaluation {
        plan: plan.id.clone(),
        revision: plan.revision,
        as_of,
        indicators,
    })
}

/// The years and thresholds of one evaluation.
struct Frame<'a> {
    plan: &'a Plan,
    indicator: &'a Indicator,
    /// The indicator's reports by year, looked up once.
    reports: Option<&'a BTreeMap<FiscalYear, YearActual>>,
    y: FiscalYear,
    /// n
    n: f64,
    /// k
    k: f64,
    warnings: Vec<String>,
}

impl<'a> Frame<'a> {
    fn year(&self, fy: FiscalYear) -> Option<&'a YearActual> {
        self.reports?.get(&fy)
    }

    fn label(&self, fy: FiscalYear) -> String {
        match self.indicator.counting {
            crate::plan::Counting::FiscalYear => format!("{fy}（{}）", fy.wareki()),
            crate::plan::Counting::CalendarYear => format!("{}年", fy.year()),
        }
    }

    /// k as a count of years (0 if the as-of year were before the period).
    fn elapsed_years(&self) -> usize {
        usize::try_from(self.y.year() - self.plan.period.start.year() + 1).unwrap_or(0)
    }

    /// The reports of the years s..=y in year order; years nobody reported are absent.
    fn so_far(&self) -> impl Iterator<Item = (FiscalYear, &'a YearActual)> + use<'a> {
        let (s, y) = (self.plan.period.start, self.y);
        self.reports
            .filter(|_| s <= y)
            .into_iter()
            .flat_map(move |years| years.range(s..=y))
            .map(|(fy, ya)| (*fy, ya))
    }

    /// Warns about each year s..=y nobody reported, then about each assigned body that did not
    /// report for year y. Formats nothing when every report is there.
    fn warn_missing(&mut self) {
        let reported = self.so_far().count();
        self.warn_missing_given(reported);
    }

    /// [`Frame::warn_missing`] when the caller already counted the years s..=y reported.
    fn warn_missing_given(&mut self, reported: usize) {
        let y = self.y;
        if reported < self.elapsed_years() {
            for fy in self.plan.period.years().take_while(|fy| *fy <= y) {
                if self.year(fy).is_none() {
                    let w = format!("{}の実績が未報告です", self.label(fy));
                    self.warnings.push(w);
                }
            }
        }
        if let Some(ya) = self.year(y) {
            let (plan, indicator) = (self.plan, self.indicator);
            for a in &indicator.assignments {
                if !ya.has_body(&a.body) {
                    let name = plan
                        .body(&a.body)
                        .map_or(a.body.as_str(), |b| b.name.as_str());
                    let w = format!("{}の{name}の報告がありません", self.label(y));
                    self.warnings.push(w);
                }
            }
        }
    }

    fn reported_now(&self) -> bool {
        self.year(self.y).is_some()
    }
}

/// Σ of the yearly totals, from +0 (no report at all sums to 0, never −0), and the number of
/// years summed.
fn sum_numbers<'a>(reports: impl Iterator<Item = (FiscalYear, &'a YearActual)>) -> (f64, usize) {
    reports.fold((0.0, 0), |(acc, years), (_, ya)| {
        (acc + ya.number, years + 1)
    })
}

/// (Σnumerator, Σdenominator) of the yearly totals, and the number of years summed.
fn ratio_sums<'a>(
    reports: impl Iterator<Item = (FiscalYear, &'a YearActual)>,
) -> (f64, f64, usize) {
    reports.fold((0.0, 0.0, 0), |(n, d, years), (_, ya)| {
        (n + ya.numerator, d + ya.denominator, years + 1)
    })
}

fn blank(id: &str, status: Status) -> Evaluation {
    Evaluation {
        id: id.to_owned(),
        status,
        rating: status.rating(),
        target: None,
        cumulative: None,
        expected: None,
        progress: None,
        pace: None,
        projected_end: None,
        value: None,
        p_attain: None,
        narrative: None,
        warnings: Vec::new(),
        bodies: Vec::new(),
    }
}

/// Evaluates one indicator of `plan` as of `y` (which must lie in the plan period).
pub fn evaluate_indicator(
    plan: &Plan,
    indicator: &Indicator,
    actuals: &Actuals,
    y: FiscalYear,
) -> Evaluation {
    let n = f64::from(plan.period.len());
    let k = f64::from(y.year() - plan.period.start.year() + 1);
    let mut frame = Frame {
        plan,
        indicator,
        reports: actuals.years(&indicator.id),
        y,
        n,
        k,
        warnings: Vec::new(),
    };
    let mut e = match (&indicator.target, indicator.measure) {
        (_, Measure::Qualitative) => qualitative(&mut frame),
        (None, _) => monitored(&mut frame),
        (Some(Target::Cumulative { value, comparator }), _) => {
            cumulative(&mut frame, *value, *comparator, None)
        }
        (Some(Target::PerYear { per_year, value }), _) => {
            cumulative(&mut frame, *value, Comparator::Reach, Some(*per_year))
        }
        (Some(Target::Ratio { value, comparator }), _) => ratio(&mut frame, *value, *comparator),
        (Some(Target::Level { value, comparator }), _) => level(&mut frame, *value, *comparator),
        (
            Some(Target::Relative {
                factor,
                baseline,
                comparator,
            }),
            _,
        ) => relative(&mut frame, *factor, *baseline, *comparator),
        (Some(Target::Milestone { deadline }), _) => milestone(&mut frame, *deadline),
    };
    e.rating = e.status.rating();
    e.warnings = frame.warnings;
    e.warnings
        .extend(actuals.warnings(&indicator.id).iter().cloned());
    e
}

fn qualitative(f: &mut Frame) -> Evaluation {
    let mut e = blank(&f.indicator.id, Status::NotRated);
    let y = f.y;
    let latest = f
        .reports
        .into_iter()
        .flat_map(|years| years.range(..=y).rev())
        .find(|(_, ya)| !ya.narratives.is_empty());
    e.narrative = latest.map(|(_, ya)| {
        if ya.narratives.len() == 1 {
            ya.narratives[0].1.clone()
        } else {
            ya.narratives
                .iter()
                .map(|(body, text)| {
                    let name = f.plan.body(body).map_or(body.as_str(), |b| b.name.as_str());
                    format!("【{name}】{text}")
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
    });
    if !f.reported_now() {
        let w = format!("{}の状況が未報告です", f.label(f.y));
        f.warnings.push(w);
    }
    e
}

fn monitored(f: &mut Frame) -> Evaluation {
    let mut e = blank(&f.indicator.id, Status::NotRated);
    match f.indicator.measure {
        Measure::Count => {
            let (c, reported) = sum_numbers(f.so_far());
            f.warn_missing_given(reported);
            e.cumulative = Some(c);
        }
        Measure::Ratio => {
            let (num, den, reported) = ratio_sums(f.so_far());
            f.warn_missing_given(reported);
            e.value = (den > 0.0).then(|| 100.0 * num / den);
        }
        Measure::Level | Measure::Milestone => {
            f.warn_missing();
            e.value = f.year(f.y).map(|ya| ya.number);
        }
        Measure::Qualitative => f.warn_missing(),
    }
    e
}

/// Count targets over the period (plain, at-least, ceiling, and per-year with a total).
fn cumulative(f: &mut Frame, t: f64, comparator: Comparator, per_year: Option<f64>) -> Evaluation {
    let mut e = blank(&f.indicator.id, Status::NotEvaluable);
    let (c, reported_years) = sum_numbers(f.so_far());
    f.warn_missing_given(reported_years);
    let (n, k) = (f.n, f.k);
    let expected = match (&f.indicator.expected_profile, per_year) {
        // The profile's first k years.
        (Some(profile), _) => profile
            .iter()
            .take(f.elapsed_years())
            .fold(0.0, |acc, v| acc + v),
        (None, Some(per_year)) => per_year * k,
        (None, None) => t * k / n,
    };
    let theta = f.plan.on_track_threshold;
    e.target = Some(t);
    e.cumulative = Some(c);
    e.expected = Some(expected);
    e.progress = Some(c / t);
    e.pace = (expected > 0.0).then(|| c / expected);
    e.projected_end = Some(c + (c / k) * (n - k));
    e.p_attain = Some(p_attain(c, t, k, n - k, comparator)).filter(|p| !p.is_nan());
    let reported = f.reported_now();
    e.status = if comparator.lower_is_better() {
        if c > t {
            Status::Insufficient
        } else if !reported {
            Status::NotEvaluable
        } else if f.y == f.plan.period.end {
            Status::Achieved
        } else if c * theta <= expected {
            Status::OnTrack
        } else {
            Status::Insufficient
        }
    } else if c >= t {
        Status::Achieved
    } else if !reported {
        Status::NotEvaluable
    } else if c >= theta * expected {
        Status::OnTrack
    } else if expected < 1.0 {
        Status::NotEvaluable
    } else {
        Status::Insufficient
    };
    if let Some(per_year) = per_year {
        e.value = f.year(f.y).map(|ya| ya.number);
        for (fy, ya) in f.so_far() {
            if ya.number < per_year {
                let w = format!(
                    "{}の実績 {} が年間目標 {per_year} を下回っています",
                    f.label(fy),
                    ya.number
                );
                f.warnings.push(w);
            }
        }
    }
    e.bodies = body_progress(f);
    e
}

fn body_progress(f: &Frame) -> Vec<BodyProgress> {
    let assignments = &f.indicator.assignments;
    if assignments.len() < 2 && assignments.iter().all(|a| a.share.is_none()) {
        return Vec::new();
    }
    assignments
        .iter()
        .map(|a| {
            let cumulative = f
                .so_far()
                .flat_map(|(_, ya)| ya.by_body.iter())
                .filter(|(b, _)| *b == a.body)
                .fold(0.0, |acc, (_, v)| match v {
                    crate::actuals::ActualValue::Number(n) => acc + n,
                    _ => acc,
                });
            BodyProgress {
                body: a.body.clone(),
                cumulative,
                share: a.share,
                progress: a.share.filter(|s| *s > 0.0).map(|s| cumulative / s),
            }
        })
        .collect()
}

/// The probability that the count over the remaining `m` years takes C to the target, with a
/// Jeffreys prior on the yearly rate: Gamma(0.5 + C, rate k) makes the remaining count negative
/// binomial with shape r = 0.5 + C and success probability p = k/(k + m) (statrs counts the
/// failures before the r-th success: mean r(1 − p)/p = (0.5 + C)·m/k).
///
/// For a target to reach it is P(X ≥ ⌈T − C⌉), 1 if C ≥ T and 0 if m = 0 and C < T. For a
/// ceiling (`AtMost`) it is P(X ≤ ⌊T − C⌋), 0 if C > T and 1 if m = 0 and C ≤ T. NaN when the
/// figures admit no such distribution (C < −0.5, a NaN argument, k/(k + m) outside [0, 1]).
pub fn p_attain(c: f64, t: f64, k: f64, m: f64, comparator: Comparator) -> f64 {
    if c.is_nan() || t.is_nan() || k.is_nan() || m.is_nan() {
        return f64::NAN;
    }
    let lower = comparator.lower_is_better();
    if lower {
        if c > t {
            return 0.0;
        }
        if m <= 0.0 {
            return 1.0;
        }
    } else {
        if c >= t {
            return 1.0;
        }
        if m <= 0.0 {
            return 0.0;
        }
    }
    let r = 0.5 + c;
    // statrs accepts r = 0 but its regularised beta function then panics.
    if !(r > 0.0 && r.is_finite()) {
        return f64::NAN;
    }
    let Ok(nb) = NegativeBinomial::new(r, k / (k + m)) else {
        return f64::NAN;
    };
    let p = if lower {
        // P(X ≤ T − C) = P(X ≤ ⌊T − C⌋)
        nb.cdf(to_count((t - c).floor()))
    } else {
        // P(X ≥ T − C) = P(X ≥ ⌈T − C⌉) = P(X > ⌈T − C⌉ − 1); sf(x) is P(X > x).
        let needed = to_count((t - c).ceil());
        if needed == 0 { 1.0 } else { nb.sf(needed - 1) }
    };
    p.clamp(0.0, 1.0)
}

fn to_count(x: f64) -> u64 {
    if x <= 0.0 {
        0
    } else if x >= u64::MAX as f64 {
        u64::MAX
    } else {
        x as u64
    }
}

/// A percentage of Σnum/Σden over the years so far.
fn ratio(f: &mut Frame, p: f64, comparator: Comparator) -> Evaluation {
    let mut e = blank(&f.indicator.id, Status::NotEvaluable);
    let (num, den, reported_years) = ratio_sums(f.so_far());
    f.warn_missing_given(reported_years);
    e.target = Some(p);
    let value = (den > 0.0).then(|| 100.0 * num / den);
    e.value = value;
    e.status = match value {
        Some(v) if f.reported_now() => {
            if comparator.meets(v, p) {
                if f.y == f.plan.period.end {
                    Status::Achieved
                } else {
                    Status::OnTrack
                }
            } else {
                Status::Insufficient
            }
        }
        _ => Status::NotEvaluable,
    };
    e
}

/// A level to be held in the year evaluated.
fn level(f: &mut Frame, t: f64, comparator: Comparator) -> Evaluation {
    let mut e = blank(&f.indicator.id, Status::NotEvaluable);
    f.warn_missing();
    e.target = Some(t);
    let v = f.year(f.y).map(|ya| ya.number);
    e.value = v;
    if let Some(v) = v {
        if !comparator.lower_is_better() && t != 0.0 {
            e.progress = Some(v / t);
        }
        e.status = if comparator.meets(v, t) {
            if f.y == f.plan.period.end {
                Status::Achieved
            } else {
                Status::OnTrack
            }
        } else {
            Status::Insufficient
        };
    }
    e
}

/// A level relative to a baseline year's actual.
fn relative(
    f: &mut Frame,
    factor: f64,
    baseline: FiscalYear,
    comparator: Comparator,
) -> Evaluation {
    let mut e = blank(&f.indicator.id, Status::NotEvaluable);
    f.warn_missing();
    let base = f.year(baseline).map(|ya| ya.number);
    let v = f.year(f.y).map(|ya| ya.number);
    e.value = v;
    let Some(base) = base.filter(|b| *b != 0.0) else {
        let w = format!(
            "基準年度{}の実績がないか0のため、目標値が定まりません",
            f.label(baseline)
        );
        f.warnings.push(w);
        return e;
    };
    let t = factor * base;
    e.target = Some(t);
    if f.y <= baseline {
        let w = format!("評価年度が基準年度{}以前です", f.label(baseline));
        f.warnings.push(w);
        return e;
    }
    let end = f.plan.period.end;
    let elapsed = f64::from(f.y.year() - baseline.year()) / f64::from(end.year() - baseline.year());
    e.expected = Some(base + (t - base) * elapsed);
    let Some(v) = v else { return e };
    let progress = (v - base) / (t - base);
    let pace = progress / elapsed;
    e.progress = Some(progress);
    e.pace = Some(pace);
    e.status = if comparator.meets(v, t) {
        if f.y == end {
            Status::Achieved
        } else {
            Status::OnTrack
        }
    } else if pace >= f.plan.on_track_threshold {
        Status::OnTrack
    } else {
        Status::Insufficient
    };
    e
}

/// A milestone reached (1) or not yet (0), by a deadline.
fn milestone(f: &mut Frame, deadline: FiscalYear) -> Evaluation {
    let mut e = blank(&f.indicator.id, Status::NotEvaluable);
    f.warn_missing();
    let y = f.y;
    let reached = f
        .reports
        .into_iter()
        .flat_map(|years| years.range(..=y))
        .any(|(_, ya)| ya.number >= 1.0);
    e.value = Some(if reached { 1.0 } else { 0.0 });
    e.progress = e.value;
    e.status = if reached {
        Status::Achieved
    } else if !f.reported_now() {
        Status::NotEvaluable
    } else if f.y >= deadline {
        Status::Insufficient
    } else {
        Status::OnTrack
    };
    e
}
