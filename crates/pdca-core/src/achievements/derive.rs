//! Counting achievements: the yearly actuals of an indicator counted from achievements, and the
//! warnings about achievements (open duplicate pairs, a reported number that differs from its
//! list).
//!
//! The rules, in the order they apply:
//! - Only achievements whose state `counts` (approved, as the store calls it) take part, and only
//!   those recorded on a count indicator of the plan that is not a sub-target.
//! - Achievements decided the same (directly or through a chain of such decisions) are one
//!   achievement, counted once for the report that stands: the lowest id among the group's
//!   counted reports that no decision set aside, or the lowest counted id when every one was set
//!   aside. Its year, body and tags are the ones counted.
//! - An indicator with `counted_from = "achievements"` gets, for each year and body, the number of
//!   its distinct achievements. A year and body whose achievements were all decided the same as
//!   another report get 0, so that a number counted before the decision does not stay; a year
//!   and body without any achievement get nothing (as a body that did not report).
//! - A sub-target of such an indicator gets the number of its parent's distinct achievements
//!   carrying its tag, for every year and body its parent has a count for (0 where none carries
//!   the tag): it never exceeds its parent.
//! - Warnings: each indicator with open pairs among its counted achievements says how many and
//!   which; a count indicator typed by its bodies (or its sub-target) whose total for a year
//!   differs from the number of its distinct achievements that year says so. A year without a
//!   typed total is left to the evaluation's own "not reported" warning.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::access::ActualState;
use crate::actuals::{ActualValue, Actuals, Contribution};
use crate::fiscal_year::FiscalYear;
use crate::normalize::normalize_text;
use crate::plan::{Counting, Indicator, Measure, Plan};
use crate::wording::format_number;

use super::duplicates::duplicates_among;
use super::{Achievement, AchievementId, DuplicateDecision, Resolution};

/// How many open pairs a warning names before it says how many more there are.
const PAIRS_NAMED: usize = 3;

/// What achievements add to the actuals: counted values and warnings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Derived {
    /// One value per (indicator, year, body) counted from achievements, in plan order, then
    /// year, then body id.
    pub contributions: Vec<Contribution>,
    /// (indicator id, warning in Japanese), in plan order.
    pub warnings: Vec<(String, String)>,
}

/// The state in which an achievement counts: approved by the secretariat (or locked with its
/// year). The usual `counts` argument of [`derive`] and [`apply`].
pub fn is_approved(state: ActualState) -> bool {
    matches!(state, ActualState::Approved | ActualState::Locked)
}

/// A distinct achievement as counted: the report that stands.
struct Counted<'a> {
    item: &'a Achievement,
    /// The normalised tags.
    tags: Vec<String>,
}

/// Per indicator: the distinct achievements by (year, body), and the (year, body) keys that had
/// any counted report at all.
#[derive(Default)]
struct Tally {
    distinct: BTreeMap<(FiscalYear, String), u64>,
    reported: BTreeSet<(FiscalYear, String)>,
}

/// The counts and warnings that `items` and `decisions` give for `plan` (see the module doc).
/// `typed` holds the bodies' typed actuals, compared with the lists of indicators that are not
/// counted from achievements.
pub fn derive(
    plan: &Plan,
    items: &[Achievement],
    decisions: &[DuplicateDecision],
    typed: &Actuals,
    counts: fn(ActualState) -> bool,
) -> Derived {
    let recordable: HashMap<&str, &Indicator> = plan
        .indicators()
        .map(|(_, i)| i)
        .filter(|i| i.measure == Measure::Count && i.parent.is_none())
        .map(|i| (i.id.as_str(), i))
        .collect();
    let mut seen = HashSet::new();
    let counted: Vec<&Achievement> = items
        .iter()
        .filter(|a| counts(a.state) && recordable.contains_key(a.fields.indicator.as_str()))
        .filter(|a| seen.insert(a.id))
        .collect();
    let distinct = distinct_achievements(&counted, decisions);

    // Tallies of the recorded indicators, then of their sub-targets by tag.
    let mut tallies: HashMap<&str, Tally> = HashMap::new();
    for a in &counted {
        let f = &a.fields;
        tallies
            .entry(f.indicator.as_str())
            .or_default()
            .reported
            .insert((f.year, f.body.clone()));
    }
    for c in &distinct {
        let f = &c.item.fields;
        *tallies
            .entry(f.indicator.as_str())
            .or_default()
            .distinct
            .entry((f.year, f.body.clone()))
            .or_default() += 1;
    }
    let mut sub_tallies: HashMap<&str, Tally> = HashMap::new();
    for (_, sub) in plan.indicators() {
        let (Some(parent), Some(tag)) = (sub.parent.as_deref(), sub.achievement_tag()) else {
            continue;
        };
        let tag = normalize_text(&tag);
        let mut tally = Tally::default();
        for a in counted.iter().filter(|a| a.fields.indicator == parent) {
            if a.fields.tags.iter().any(|t| normalize_text(t) == tag) {
                tally
                    .reported
                    .insert((a.fields.year, a.fields.body.clone()));
            }
        }
        for c in distinct
            .iter()
            .filter(|c| c.item.fields.indicator == parent)
        {
            if c.tags.contains(&tag) {
                let f = &c.item.fields;
                *tally.distinct.entry((f.year, f.body.clone())).or_default() += 1;
            }
        }
        sub_tallies.insert(sub.id.as_str(), tally);
    }

    let mut out = Derived::default();
    let open = open_pairs(&counted, decisions);
    let empty = Tally::default();
    for (_, indicator) in plan.indicators() {
        if indicator.measure != Measure::Count {
            continue;
        }
        let parent = indicator.parent.as_deref();
        let tally = match parent {
            None => tallies.get(indicator.id.as_str()),
            Some(_) => sub_tallies.get(indicator.id.as_str()),
        }
        .unwrap_or(&empty);
        if indicator.counted_from_achievements() {
            let keys: BTreeSet<&(FiscalYear, String)> = match parent {
                None => tally.reported.iter().chain(tally.distinct.keys()).collect(),
                // A sub-target follows its parent's keys, 0 where no achievement has its tag.
                Some(p) => tallies
                    .get(p)
                    .map(|t| t.reported.iter().chain(t.distinct.keys()).collect())
                    .unwrap_or_default(),
            };
            for key in keys {
                let n = tally.distinct.get(key).copied().unwrap_or(0);
                out.contributions.push(Contribution {
                    indicator: indicator.id.clone(),
                    year: key.0,
                    body: key.1.clone(),
                    value: ActualValue::Number(n as f64),
                });
            }
        } else {
            mismatches(indicator, tally, typed, &mut out.warnings);
        }
        if let Some(pairs) = open.get(indicator.id.as_str()) {
            out.warnings
                .push((indicator.id.clone(), open_pairs_warning(pairs)));
        }
    }
    out
}

/// Adds what [`derive`] gives to `actuals`: an indicator counted from achievements loses any
/// typed value and takes its counts; every indicator takes its warnings. Typed values of other
/// indicators are left as they are.
pub fn apply(
    plan: &Plan,
    actuals: &mut Actuals,
    items: &[Achievement],
    decisions: &[DuplicateDecision],
    counts: fn(ActualState) -> bool,
) {
    let derived = derive(plan, items, decisions, actuals, counts);
    for (_, indicator) in plan.indicators() {
        if indicator.counted_from_achievements() {
            actuals.remove_indicator(&indicator.id);
        }
    }
    for c in &derived.contributions {
        actuals.insert(c);
    }
    for (indicator, text) in derived.warnings {
        actuals.add_warning(&indicator, text);
    }
}

/// The distinct achievements among `counted`: the Same decisions between two counted reports
/// of one indicator join them (transitively, by union–find), and each group is counted once as
/// its standing report (see the module doc).
fn distinct_achievements<'a>(
    counted: &[&'a Achievement],
    decisions: &[DuplicateDecision],
) -> Vec<Counted<'a>> {
    let index: HashMap<AchievementId, usize> =
        counted.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
    let mut parent: Vec<usize> = (0..counted.len()).collect();
    let mut set_aside = vec![false; counted.len()];
    for d in decisions {
        let Resolution::Same { kept } = d.resolution else {
            continue;
        };
        let (Some(&a), Some(&b)) = (index.get(&d.a), index.get(&d.b)) else {
            continue;
        };
        if a == b || counted[a].fields.indicator != counted[b].fields.indicator {
            continue;
        }
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
        if kept == d.a {
            set_aside[b] = true;
        } else if kept == d.b {
            set_aside[a] = true;
        }
    }
    // The standing report of each group: lowest id not set aside, else lowest id.
    let mut standing: HashMap<usize, usize> = HashMap::new();
    for i in 0..counted.len() {
        let r = root(&mut parent, i);
        let better = |current: usize| {
            let key = |j: usize| (set_aside[j], counted[j].id);
            key(i) < key(current)
        };
        match standing.get(&r) {
            Some(&current) if !better(current) => {}
            _ => {
                standing.insert(r, i);
            }
        }
    }
    let mut chosen: Vec<usize> = standing.into_values().collect();
    chosen.sort_unstable();
    chosen
        .into_iter()
        .map(|i| {
            let item = counted[i];
            let mut tags: Vec<String> =
                item.fields.tags.iter().map(|t| normalize_text(t)).collect();
            tags.sort();
            tags.dedup();
            Counted { item, tags }
        })
        .collect()
}

fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// The open pairs among the counted achievements, by the indicator they are recorded on.
fn open_pairs<'a>(
    counted: &[&'a Achievement],
    decisions: &[DuplicateDecision],
) -> HashMap<&'a str, Vec<(AchievementId, AchievementId)>> {
    let indicator_of: HashMap<AchievementId, &str> = counted
        .iter()
        .map(|a| (a.id, a.fields.indicator.as_str()))
        .collect();
    let mut open: HashMap<&str, Vec<(AchievementId, AchievementId)>> = HashMap::new();
    for pair in duplicates_among(counted.iter().copied(), decisions) {
        if pair.is_open()
            && let Some(indicator) = indicator_of.get(&pair.a)
        {
            open.entry(indicator).or_default().push((pair.a, pair.b));
        }
    }
    open
}

/// 「重複の可能性がある成果が2組あり、事務局の判断を待っています（成果 ID 12 と 15、20 と 21）」
fn open_pairs_warning(pairs: &[(AchievementId, AchievementId)]) -> String {
    let named: Vec<String> = pairs
        .iter()
        .take(PAIRS_NAMED)
        .map(|(a, b)| format!("{} と {}", a.0, b.0))
        .collect();
    let more = match pairs.len().saturating_sub(PAIRS_NAMED) {
        0 => String::new(),
        n => format!(" ほか{n}組"),
    };
    format!(
        "重複の可能性がある成果が{}組あり、事務局の判断を待っています（成果 ID {}{more}）",
        pairs.len(),
        named.join("、")
    )
}

/// The years whose typed total differs from the number of distinct achievements.
fn mismatches(
    indicator: &Indicator,
    tally: &Tally,
    typed: &Actuals,
    warnings: &mut Vec<(String, String)>,
) {
    let years: BTreeSet<FiscalYear> = tally.reported.iter().map(|(y, _)| *y).collect();
    for year in years {
        let listed: u64 = tally
            .distinct
            .range((year, String::new())..)
            .take_while(|((y, _), _)| *y == year)
            .map(|(_, n)| *n)
            .sum();
        let Some(reported) = typed.year(&indicator.id, year).map(|y| y.number) else {
            continue;
        };
        if reported != listed as f64 {
            let unit = &indicator.unit;
            warnings.push((
                indicator.id.clone(),
                format!(
                    "{}の報告値 {}{unit}と成果の一覧 {listed}{unit}が一致しません",
                    year_label(indicator, year),
                    format_number(reported)
                ),
            ));
        }
    }
}

/// 令和4年度, or 2022年 for an indicator counted by calendar year.
pub(super) fn year_label(indicator: &Indicator, year: FiscalYear) -> String {
    match indicator.counting {
        Counting::FiscalYear => year.wareki(),
        Counting::CalendarYear => format!("{}年", year.year()),
    }
}
