//! Two revisions of a plan side by side (計画の一部変更の新旧対照): which indicators were added,
//! removed, renamed or given another target, in the plan's order, with the changes of the plan
//! header and of the projects; and [`carry_ids`], which gives a revision drafted from text the
//! ids of the revision before it, so that actuals carry over.
//!
//! Indicators are matched by id: ids are stable across revisions (docs/plan-format.md).

use std::collections::{HashMap, HashSet};

use crate::fiscal_year::FiscalYear;
use crate::plan::{Counting, Indicator, Period, Plan, Project};
use crate::wording::{format_number, target_text};

/// What changed from one revision to another.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanDiff {
    /// The plan header's changes: name, period, effective year.
    pub header: Vec<HeaderChange>,
    /// Projects added, removed or renamed, in the plan's order.
    pub projects: Vec<ProjectChange>,
    /// The indicators' changes in the plan's order: the new revision's order, a removed
    /// indicator after the one that preceded it in the old revision.
    pub changes: Vec<IndicatorChange>,
}

impl PlanDiff {
    /// Whether nothing compared differs.
    pub fn is_empty(&self) -> bool {
        self.header.is_empty() && self.projects.is_empty() && self.changes.is_empty()
    }
}

/// A change of the plan header.
#[derive(Debug, Clone, PartialEq)]
pub enum HeaderChange {
    /// The plan's name.
    Name {
        /// Before.
        old: String,
        /// After.
        new: String,
    },
    /// The plan's period.
    Period {
        /// Before.
        old: Period,
        /// After.
        new: Period,
    },
    /// The first fiscal year the revision governs.
    EffectiveFrom {
        /// Before.
        old: FiscalYear,
        /// After.
        new: FiscalYear,
    },
}

/// A project added, removed or renamed.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectChange {
    /// The project's id.
    pub id: String,
    /// What happened to it.
    pub change: ProjectChangeKind,
}

/// What happened to a project.
#[derive(Debug, Clone, PartialEq)]
pub enum ProjectChangeKind {
    /// New in the later revision.
    Added {
        /// Its name.
        name: String,
    },
    /// Gone from the later revision.
    Removed {
        /// Its name.
        name: String,
    },
    /// The same id under another name.
    Renamed {
        /// Before.
        old: String,
        /// After.
        new: String,
    },
}

/// An indicator that differs between the revisions.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorChange {
    /// The indicator's id.
    pub id: String,
    /// Its project's id (in the later revision; in the earlier one for a removed indicator).
    pub project_id: String,
    /// Its project's name, likewise.
    pub project_name: String,
    /// Its name, likewise (the later one of a renamed indicator).
    pub name: String,
    /// What changed.
    pub change: ChangeKind,
}

/// How an indicator changed. Targets are written as the plan writes them
/// ([`target_text`]); `None` is no target.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeKind {
    /// New in the later revision.
    Added {
        /// Its name.
        name: String,
        /// Its target.
        target: Option<String>,
    },
    /// Gone from the later revision.
    Removed {
        /// Its name.
        name: String,
        /// Its target.
        target: Option<String>,
    },
    /// In both revisions, with some difference.
    Changed {
        /// Renamed: (old, new).
        name: Option<(String, String)>,
        /// Another target: (old, new).
        target: Option<(Option<String>, Option<String>)>,
        /// Anything else that differs, each as a short description in Japanese
        /// (「種別: アウトプット → アウトカム」).
        other: Vec<String>,
    },
}

/// The indicator's target as the plan writes it, if it has one.
fn target_of(i: &Indicator) -> Option<String> {
    i.target.as_ref().map(|_| target_text(i))
}

/// What differs from `old` to `new` (two revisions of one plan, usually).
pub fn diff_plans(old: &Plan, new: &Plan) -> PlanDiff {
    PlanDiff {
        header: header_changes(old, new),
        projects: project_changes(old, new),
        changes: indicator_changes(old, new),
    }
}

fn header_changes(old: &Plan, new: &Plan) -> Vec<HeaderChange> {
    let mut header = Vec::new();
    if old.name != new.name {
        header.push(HeaderChange::Name {
            old: old.name.clone(),
            new: new.name.clone(),
        });
    }
    if old.period != new.period {
        header.push(HeaderChange::Period {
            old: old.period,
            new: new.period,
        });
    }
    if old.effective_from != new.effective_from {
        header.push(HeaderChange::EffectiveFrom {
            old: old.effective_from,
            new: new.effective_from,
        });
    }
    header
}

/// Projects in the new order, a removed one after the project that preceded it.
fn project_changes(old: &Plan, new: &Plan) -> Vec<ProjectChange> {
    let old_by_id: HashMap<&str, &Project> =
        old.projects.iter().map(|p| (p.id.as_str(), p)).collect();
    let new_ids: HashSet<&str> = new.projects.iter().map(|p| p.id.as_str()).collect();
    let removed = anchored(old.projects.iter().map(|p| p.id.as_str()), &new_ids);
    let removed_change = |id: &str| {
        old_by_id.get(id).map(|p| ProjectChange {
            id: p.id.clone(),
            change: ProjectChangeKind::Removed {
                name: p.name.clone(),
            },
        })
    };
    let mut changes: Vec<ProjectChange> = removed
        .get(&None)
        .into_iter()
        .flatten()
        .filter_map(|id| removed_change(id))
        .collect();
    for p in &new.projects {
        match old_by_id.get(p.id.as_str()) {
            None => changes.push(ProjectChange {
                id: p.id.clone(),
                change: ProjectChangeKind::Added {
                    name: p.name.clone(),
                },
            }),
            Some(before) if before.name != p.name => changes.push(ProjectChange {
                id: p.id.clone(),
                change: ProjectChangeKind::Renamed {
                    old: before.name.clone(),
                    new: p.name.clone(),
                },
            }),
            Some(_) => {}
        }
        changes.extend(
            removed
                .get(&Some(p.id.as_str()))
                .into_iter()
                .flatten()
                .filter_map(|id| removed_change(id)),
        );
    }
    changes
}

/// The ids of `old_order` missing from `kept`, each under the last kept id before it in
/// `old_order` (`None`: before any), in their old order.
fn anchored<'a>(
    old_order: impl Iterator<Item = &'a str>,
    kept: &HashSet<&str>,
) -> HashMap<Option<&'a str>, Vec<&'a str>> {
    let mut anchor = None;
    let mut removed: HashMap<Option<&str>, Vec<&str>> = HashMap::new();
    for id in old_order {
        if kept.contains(id) {
            anchor = Some(id);
        } else {
            removed.entry(anchor).or_default().push(id);
        }
    }
    removed
}

fn indicator_changes(old: &Plan, new: &Plan) -> Vec<IndicatorChange> {
    let old_by_id: HashMap<&str, (&Project, &Indicator)> = old
        .indicators()
        .map(|(p, i)| (i.id.as_str(), (p, i)))
        .collect();
    let new_ids: HashSet<&str> = new.indicators().map(|(_, i)| i.id.as_str()).collect();
    let removed = anchored(old.indicators().map(|(_, i)| i.id.as_str()), &new_ids);
    let removed_change = |id: &str| {
        old_by_id.get(id).map(|(p, i)| IndicatorChange {
            id: i.id.clone(),
            project_id: p.id.clone(),
            project_name: p.name.clone(),
            name: i.name.clone(),
            change: ChangeKind::Removed {
                name: i.name.clone(),
                target: target_of(i),
            },
        })
    };
    let mut changes: Vec<IndicatorChange> = removed
        .get(&None)
        .into_iter()
        .flatten()
        .filter_map(|id| removed_change(id))
        .collect();
    for (project, i) in new.indicators() {
        let change = match old_by_id.get(i.id.as_str()) {
            None => Some(ChangeKind::Added {
                name: i.name.clone(),
                target: target_of(i),
            }),
            Some((old_project, before)) => compare(old_project, before, project, i),
        };
        if let Some(change) = change {
            changes.push(IndicatorChange {
                id: i.id.clone(),
                project_id: project.id.clone(),
                project_name: project.name.clone(),
                name: i.name.clone(),
                change,
            });
        }
        changes.extend(
            removed
                .get(&Some(i.id.as_str()))
                .into_iter()
                .flatten()
                .filter_map(|id| removed_change(id)),
        );
    }
    changes
}

/// How `before` (in `old_project`) became `after` (in `project`), or `None` when they are the
/// same.
fn compare(
    old_project: &Project,
    before: &Indicator,
    project: &Project,
    after: &Indicator,
) -> Option<ChangeKind> {
    let name = (before.name != after.name).then(|| (before.name.clone(), after.name.clone()));
    let target_differs =
        before.target != after.target || (after.target.is_some() && before.unit != after.unit);
    let target = target_differs.then(|| (target_of(before), target_of(after)));
    let mut other = Vec::new();
    let mut note = |what: &str, old: String, new: String| {
        if old != new {
            other.push(format!("{what}: {old} → {new}"));
        }
    };
    note("プロジェクト", old_project.id.clone(), project.id.clone());
    note(
        "種別",
        before.kind.label().to_owned(),
        after.kind.label().to_owned(),
    );
    note("区分", before.group.clone(), after.group.clone());
    note(
        "その他管理指標",
        yes_no(before.management),
        yes_no(after.management),
    );
    note(
        "測り方",
        before.measure.as_str().to_owned(),
        after.measure.as_str().to_owned(),
    );
    if !target_differs {
        note("単位", or_none(&before.unit), or_none(&after.unit));
    }
    note(
        "親指標",
        or_none(before.parent.as_deref().unwrap_or_default()),
        or_none(after.parent.as_deref().unwrap_or_default()),
    );
    note("報告機関", bodies_text(before), bodies_text(after));
    note(
        "数え方",
        counting_text(before.counting).to_owned(),
        counting_text(after.counting).to_owned(),
    );
    note(
        "各年の期待値",
        profile_text(before.expected_profile.as_deref()),
        profile_text(after.expected_profile.as_deref()),
    );
    note(
        "成果から集計",
        yes_no(before.counted_from_achievements()),
        yes_no(after.counted_from_achievements()),
    );
    // A renamed sub-target's tag follows its name; that is worth saying only where tags are used.
    let tags_used = |i: &Indicator| i.counted_from_achievements() || i.achievement_tag.is_some();
    if tags_used(before) || tags_used(after) {
        note(
            "成果の区分",
            or_none(&before.achievement_tag().unwrap_or_default()),
            or_none(&after.achievement_tag().unwrap_or_default()),
        );
    }
    note(
        "注記",
        or_none(before.note.as_deref().unwrap_or_default()),
        or_none(after.note.as_deref().unwrap_or_default()),
    );
    if name.is_none() && target.is_none() && other.is_empty() {
        None
    } else {
        Some(ChangeKind::Changed {
            name,
            target,
            other,
        })
    }
}

fn yes_no(flag: bool) -> String {
    if flag { "はい" } else { "いいえ" }.to_owned()
}

fn or_none(text: &str) -> String {
    if text.is_empty() {
        "なし".to_owned()
    } else {
        text.to_owned()
    }
}

fn bodies_text(i: &Indicator) -> String {
    let bodies: Vec<String> = i
        .assignments
        .iter()
        .map(|a| match a.share {
            Some(s) => format!("{}:{}", a.body, format_number(s)),
            None => a.body.clone(),
        })
        .collect();
    or_none(&bodies.join(", "))
}

fn counting_text(counting: Counting) -> &'static str {
    match counting {
        Counting::FiscalYear => "年度",
        Counting::CalendarYear => "暦年",
    }
}

fn profile_text(profile: Option<&[f64]>) -> String {
    match profile {
        None => "なし（均等）".to_owned(),
        Some(values) => values
            .iter()
            .map(|v| format_number(*v))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

// ---------------------------------------------------------------------------------------------
// Carrying ids

/// Gives `next` (a revision drafted from text, whose ids are positional: p1-out-01, …) the ids
/// of `previous` wherever they are the same project or indicator, so that actuals carry over.
///
/// Projects are matched by name, then the rest by position. In a matched project, an indicator
/// takes the id of the previous indicator with the same name (trimmed; a sub-target's parent
/// must match too); the indicators left over on both sides are then paired in order within the
/// same kind and group (a rename). Any other indicator or project keeps its id when `previous`
/// does not use it, and otherwise gets a fresh one used in neither plan (`…-new`, `…-new2`, …).
/// `parent` references follow their indicator.
pub fn carry_ids(previous: &Plan, next: &mut Plan) {
    let project_pairs = match_projects(previous, next);
    let project_ids = rekey(
        next.projects.iter().map(|p| p.id.as_str()),
        previous.projects.iter().map(|p| p.id.as_str()),
        project_pairs
            .iter()
            .map(|&(n, p)| (n, previous.projects[p].id.as_str())),
        |i| next.projects[i].id.as_str(),
    );

    let mut indicator_pairs: Vec<(String, String)> = Vec::new();
    for &(n, p) in &project_pairs {
        for (next_id, prev_id) in match_indicators(&previous.projects[p], &next.projects[n]) {
            indicator_pairs.push((next_id.to_owned(), prev_id.to_owned()));
        }
    }
    let next_indicator_ids: Vec<String> = next.indicators().map(|(_, i)| i.id.clone()).collect();
    let position: HashMap<&str, usize> = next_indicator_ids
        .iter()
        .enumerate()
        .map(|(k, id)| (id.as_str(), k))
        .collect();
    let indicator_ids = rekey(
        next_indicator_ids.iter().map(String::as_str),
        previous.indicators().map(|(_, i)| i.id.as_str()),
        indicator_pairs
            .iter()
            .filter_map(|(n, p)| position.get(n.as_str()).map(|&k| (k, p.as_str()))),
        |k| next_indicator_ids[k].as_str(),
    );

    let renamed: HashMap<String, String> = next_indicator_ids
        .iter()
        .cloned()
        .zip(indicator_ids)
        .collect();
    for (project, id) in next.projects.iter_mut().zip(project_ids) {
        project.id = id;
        for indicator in &mut project.indicators {
            if let Some(id) = renamed.get(&indicator.id) {
                indicator.id.clone_from(id);
            }
            if let Some(parent) = indicator.parent.as_mut()
                && let Some(id) = renamed.get(parent.as_str())
            {
                parent.clone_from(id);
            }
        }
    }
}

/// The new id of each of `next_ids` (by position): its pair's previous id, else its own when
/// `previous_ids` does not hold it, else a fresh one.
fn rekey<'a>(
    next_ids: impl Iterator<Item = &'a str>,
    previous_ids: impl Iterator<Item = &'a str>,
    pairs: impl Iterator<Item = (usize, &'a str)>,
    own: impl Fn(usize) -> &'a str,
) -> Vec<String> {
    let next_ids: Vec<&str> = next_ids.collect();
    let previous_ids: HashSet<&str> = previous_ids.collect();
    let pairs: HashMap<usize, &str> = pairs.collect();
    let mut taken: HashSet<String> = next_ids
        .iter()
        .chain(previous_ids.iter())
        .map(|id| (*id).to_owned())
        .collect();
    (0..next_ids.len())
        .map(|k| {
            if let Some(id) = pairs.get(&k) {
                (*id).to_owned()
            } else if !previous_ids.contains(own(k)) {
                own(k).to_owned()
            } else {
                let id = fresh_id(own(k), &taken);
                taken.insert(id.clone());
                id
            }
        })
        .collect()
}

/// `base-new`, `base-new2`, … : the first not in `taken`, within the 64 characters of an id.
fn fresh_id(base: &str, taken: &HashSet<String>) -> String {
    (1..)
        .map(|n: u32| {
            let suffix = if n == 1 {
                "-new".to_owned()
            } else {
                format!("-new{n}")
            };
            let room = 64usize.saturating_sub(suffix.len());
            let stem: String = base.chars().take(room).collect();
            stem + &suffix
        })
        .find(|id| !taken.contains(id))
        .unwrap_or_else(|| base.to_owned())
}

/// Pairs (next index, previous index) of the projects: by name, then by position.
fn match_projects(previous: &Plan, next: &Plan) -> Vec<(usize, usize)> {
    let mut used = vec![false; previous.projects.len()];
    let mut pairs: Vec<Option<usize>> = vec![None; next.projects.len()];
    for (n, project) in next.projects.iter().enumerate() {
        if let Some(p) = previous
            .projects
            .iter()
            .enumerate()
            .position(|(p, q)| !used[p] && q.name.trim() == project.name.trim())
        {
            used[p] = true;
            pairs[n] = Some(p);
        }
    }
    for (n, pair) in pairs.iter_mut().enumerate() {
        if pair.is_none() && n < used.len() && !used[n] {
            used[n] = true;
            *pair = Some(n);
        }
    }
    pairs
        .into_iter()
        .enumerate()
        .filter_map(|(n, p)| p.map(|p| (n, p)))
        .collect()
}

/// Pairs (next id, previous id) of two matched projects' indicators.
fn match_indicators<'a>(previous: &'a Project, next: &'a Project) -> Vec<(&'a str, &'a str)> {
    let mut used = vec![false; previous.indicators.len()];
    let mut pairs: Vec<Option<usize>> = vec![None; next.indicators.len()];
    let mut carried: HashMap<&str, &str> = HashMap::new();
    // The same name; a sub-target under the parent its own parent became.
    for (n, indicator) in next.indicators.iter().enumerate() {
        let parent = indicator.parent.as_deref().map(|p| carried.get(p).copied());
        let found = previous.indicators.iter().enumerate().position(|(p, q)| {
            !used[p]
                && q.name.trim() == indicator.name.trim()
                && q.parent.is_some() == parent.is_some()
                && match parent {
                    Some(Some(mapped)) => q.parent.as_deref() == Some(mapped),
                    _ => true,
                }
        });
        if let Some(p) = found {
            used[p] = true;
            pairs[n] = Some(p);
            carried.insert(indicator.id.as_str(), previous.indicators[p].id.as_str());
        }
    }
    // The rest in order within the same kind and group (and sub-target or not): renamed.
    let key = |i: &Indicator| (i.kind, i.group.trim().to_owned(), i.parent.is_some());
    for (n, indicator) in next.indicators.iter().enumerate() {
        if pairs[n].is_some() {
            continue;
        }
        let found = previous
            .indicators
            .iter()
            .enumerate()
            .position(|(p, q)| !used[p] && key(q) == key(indicator));
        if let Some(p) = found {
            used[p] = true;
            pairs[n] = Some(p);
        }
    }
    pairs
        .into_iter()
        .enumerate()
        .filter_map(|(n, p)| {
            p.map(|p| {
                (
                    next.indicators[n].id.as_str(),
                    previous.indicators[p].id.as_str(),
                )
            })
        })
        .collect()
}
