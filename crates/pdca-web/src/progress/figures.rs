//! The vocabulary of the reading pages: each figure with one name and one unit, the same on
//! the dashboard, the project and the indicator pages (and in the API's descriptions):
//!
//! - 進捗率 (progress): a percentage of the target;
//! - 期待値 (expected): what was expected by now, in the indicator's unit (20件, not 80%);
//! - ペース (pace): the actual against the expected, a percentage (110%, not 1.10);
//! - 達成見込み (outlook): the chance of reaching the target, in words and % (高い 83%);
//! - 未報告 (not reported) where nothing was reported, never 0%;
//! - 自動判定 (automatic judgement): what the engine proposes; the committee's rating, when it
//!   has rated, is the main badge and the automatic judgement its suggestion.
//!
//! Each figure's label links to its explanation on `/help/terms` (anchors progress, expected,
//! pace, outlook, not-reported, auto-judgement, rating, sub-target, management-indicator).

use std::collections::HashMap;

use pdca_core::actuals::YearActual;
use pdca_core::follow_up::{CommitteeRating, RoundState};
use pdca_core::plan::{Indicator, Measure};
use pdca_core::{ActualValue, Actuals, Evaluation, FiscalYear, Rating, Status};

use crate::frame::auth::CurrentUser;
use crate::frame::cache::Evaluated;
use crate::frame::i18n::Text;
use crate::frame::view::{percent, status_class};
use crate::{AppState, WebError};
use pdca_app::json::format_number;
use pdca_core::access::Role;

/// 達成見込み is 高い from this chance of reaching the target on.
pub(crate) const OUTLOOK_HIGH_FROM: f64 = 0.8;
/// 達成見込み is 中程度 from this chance on, 低い below it; an indicator below it that has not
/// been achieved needs attention (要注意) on the dashboard.
pub(crate) const OUTLOOK_MEDIUM_FROM: f64 = 0.5;

/// A badge: the short label in colour, its meaning as text.
#[derive(Debug, Clone)]
pub(crate) struct Badge {
    pub short: &'static str,
    pub long: &'static str,
    pub class: &'static str,
}

impl Badge {
    /// The badge of an automatic judgement (or of a status in the legend).
    pub fn status(t: &Text, status: Status) -> Self {
        let (short, long) = (t.status_short(status), t.status_long(status));
        Self {
            short,
            // 達成 says it all; the others' letters need their meaning beside them.
            long: if long == short { "" } else { long },
            class: status_class(status),
        }
    }

    /// The badge of the committee's rating.
    pub fn rating(t: &Text, rating: Rating) -> Self {
        Self::status(
            t,
            match rating {
                Rating::A => Status::OnTrack,
                Rating::B => Status::Insufficient,
                Rating::N => Status::NotEvaluable,
            },
        )
    }
}

/// The rating cell of an indicator: the committee's rating as the main badge when it has
/// rated, with the automatic judgement as a suggestion beside it; otherwise the automatic
/// judgement alone, marked as such.
#[derive(Debug, Clone)]
pub(crate) struct RatingCell {
    /// The committee's rating, when it has rated.
    pub committee: Option<Badge>,
    /// The engine's automatic judgement.
    pub auto: Badge,
}

impl RatingCell {
    pub fn new(t: &Text, status: Status, committee: Option<Rating>) -> Self {
        Self {
            committee: committee.map(|r| Badge::rating(t, r)),
            auto: Badge::status(t, status),
        }
    }
}

/// 達成見込み: a word and a percentage.
#[derive(Debug, Clone)]
pub(crate) struct Outlook {
    pub word: &'static str,
    pub percent: String,
    pub class: &'static str,
}

/// The outlook of the chance `p` of reaching the target.
pub(crate) fn outlook(t: &Text, p: f64) -> Outlook {
    let (word, class) = if p >= OUTLOOK_HIGH_FROM {
        (t.outlook_high, "outlook-high")
    } else if p >= OUTLOOK_MEDIUM_FROM {
        (t.outlook_medium, "outlook-medium")
    } else {
        (t.outlook_low, "outlook-low")
    };
    Outlook {
        word,
        percent: percent(Some(p)),
        class,
    }
}

/// Whether the outlook `p` calls for attention.
pub(crate) fn is_unlikely(p: Option<f64>) -> bool {
    p.is_some_and(|p| p < OUTLOOK_MEDIUM_FROM)
}

/// Every figure of one indicator, as the pages show them; `None` where a figure does not
/// apply, and `reported == false` where nothing was reported up to the as-of year (the pages
/// then say 未報告 instead of the figures built on nothing).
#[derive(Debug, Clone)]
pub(crate) struct Figures {
    pub reported: bool,
    /// The cumulative, or the value, with the unit.
    pub figure: Option<String>,
    /// 進捗率, in %.
    pub progress: Option<String>,
    /// 期待値, in the indicator's unit.
    pub expected: Option<String>,
    /// ペース, in %.
    pub pace: Option<String>,
    /// 期間末の見込み, in the indicator's unit.
    pub projected_end: Option<String>,
    /// 達成見込み.
    pub outlook: Option<Outlook>,
}

impl Figures {
    pub fn new(
        t: &Text,
        i: &Indicator,
        e: &Evaluation,
        actuals: &Actuals,
        as_of: FiscalYear,
    ) -> Self {
        let reported = is_reported(actuals, &i.id, as_of);
        let given = |v: Option<String>| v.filter(|v| !v.is_empty() && reported);
        Figures {
            reported,
            figure: given(match (i.measure, e.value) {
                (Measure::Milestone, Some(v)) => Some(milestone(t, v).to_owned()),
                _ => figure(i, e),
            }),
            progress: given(Some(percent(e.progress))),
            expected: e.expected.map(|x| with_unit(i, x)),
            pace: given(Some(percent(e.pace))),
            projected_end: given(e.projected_end.map(|x| with_unit(i, x))),
            outlook: e
                .p_attain
                .filter(|p| p.is_finite() && reported)
                .map(|p| outlook(t, p)),
        }
    }
}

/// Whether any value of indicator `id` was reported in a year up to `as_of`.
pub(crate) fn is_reported(actuals: &Actuals, id: &str, as_of: FiscalYear) -> bool {
    actuals
        .years(id)
        .is_some_and(|years| years.keys().any(|fy| *fy <= as_of))
}

/// A number of the indicator's unit, to one decimal: 15件, 36.5%.
pub(crate) fn with_unit(i: &Indicator, x: f64) -> String {
    if i.unit == "%" {
        format!("{x:.1}%")
    } else {
        format!("{}{}", format_number((x * 10.0).round() / 10.0), i.unit)
    }
}

/// The figure the evaluation rests on: the cumulative, or the value (the CLI's table column).
pub(crate) fn figure(i: &Indicator, e: &Evaluation) -> Option<String> {
    match (e.cumulative, e.value) {
        (Some(c), _) => Some(format!("{}{}", format_number(c), i.unit)),
        (None, Some(_)) if i.measure == Measure::Milestone => None,
        (None, Some(v)) => Some(with_unit(i, v)),
        (None, None) => None,
    }
}

/// A year's actual, all bodies together.
pub(crate) fn year_total(t: &Text, i: &Indicator, ya: &YearActual) -> Option<String> {
    match i.measure {
        Measure::Count | Measure::Level => Some(format_number(ya.number)),
        Measure::Milestone => Some(milestone(t, ya.number).to_owned()),
        Measure::Ratio if ya.denominator > 0.0 => {
            Some(format!("{:.1}%", 100.0 * ya.numerator / ya.denominator))
        }
        Measure::Ratio => None,
        Measure::Qualitative => ya.narratives.last().map(|(_, text)| text.clone()),
    }
}

pub(crate) fn milestone(t: &Text, value: f64) -> &'static str {
    if value >= 1.0 {
        t.milestone_done
    } else {
        t.milestone_pending
    }
}

/// One body's value as reported.
pub(crate) fn body_value(t: &Text, i: &Indicator, value: &ActualValue) -> String {
    match value {
        ActualValue::Number(v) if i.measure == Measure::Milestone => milestone(t, *v).to_owned(),
        ActualValue::Number(v) => format_number(*v),
        ActualValue::Ratio {
            numerator,
            denominator,
        } => format!(
            "{}/{}",
            format_number(*numerator),
            format_number(*denominator)
        ),
        ActualValue::Narrative(text) => text.clone(),
    }
}

/// The committee's ratings of the as-of year's round, by indicator id: none when there is no
/// round for that year, or when the user may not read it (a viewer reads closed rounds only).
pub(crate) async fn committee_ratings(
    state: &AppState,
    user: &CurrentUser,
    cx: &Evaluated,
) -> Result<HashMap<String, Rating>, WebError> {
    let Some(round) = cx.rounds.iter().find(|r| r.fiscal_year == cx.as_of) else {
        return Ok(HashMap::new());
    };
    if user.role() == Role::Viewer && round.state != RoundState::Closed {
        return Ok(HashMap::new());
    }
    let ratings: Vec<CommitteeRating> = state
        .store
        .round_ratings(&cx.plan.id, round.fiscal_year)
        .await?;
    Ok(ratings
        .into_iter()
        .map(|r| (r.indicator_id, r.rating))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::i18n::JA;

    #[test]
    fn the_outlook_has_one_set_of_thresholds() {
        assert_eq!(outlook(&JA, 0.83).word, "高い");
        assert_eq!(outlook(&JA, 0.83).percent, "83%");
        assert_eq!(outlook(&JA, OUTLOOK_HIGH_FROM).word, "高い");
        assert_eq!(outlook(&JA, 0.6).word, "中程度");
        assert_eq!(outlook(&JA, 0.2).word, "低い");
        assert!(is_unlikely(Some(0.2)) && !is_unlikely(Some(0.6)) && !is_unlikely(None));
        // The dashboard's explanation of 要注意 names the same threshold.
        let threshold = format!("{:.0}%", OUTLOOK_MEDIUM_FROM * 100.0);
        assert!(JA.attention_explained.contains(&threshold));
        assert!(
            crate::frame::i18n::EN
                .attention_explained
                .contains(&threshold)
        );
    }
}
