//! The achievements (成果) behind a count, as the command line and the web read them: where an
//! indicator's list is recorded (a sub-target's is its parent's, carrying its tag), and which
//! achievements a role sees, and how much of each ([`pdca_core::achievements::visible`]).

use std::collections::HashSet;

use pdca_core::access::Role;
use pdca_core::achievements::{Achievement, AchievementId, AchievementView, visible};
use pdca_core::normalize::normalize_text;
use pdca_core::{FiscalYear, Plan};
use pdca_store::{AchievementFilter, Store, StoreError};

/// Where the achievements of indicator `id` are recorded: the indicator itself, or for a
/// sub-target (うち…) its parent, with the tag that marks the sub-target's. `None` when the plan
/// has no such indicator.
pub fn recorded_on(plan: &Plan, id: &str) -> Option<(String, Option<String>)> {
    let found = plan.indicator(id)?;
    Some(match &found.parent {
        Some(parent) => (parent.clone(), found.achievement_tag()),
        None => (found.id.clone(), None),
    })
}

/// Whether `a` carries `tag` (compared as the counting compares tags: normalised).
fn carries(a: &Achievement, tag: &str) -> bool {
    let tag = normalize_text(tag);
    a.fields.tags.iter().any(|t| normalize_text(t) == tag)
}

/// The filter and the tag of the list of `indicator` (every indicator's when `None`) in `year`.
fn filter_of(
    plan: &Plan,
    indicator: Option<&str>,
    year: Option<FiscalYear>,
) -> Result<(AchievementFilter, Option<String>), StoreError> {
    let (on, tag) = match indicator {
        None => (None, None),
        Some(id) => {
            let (on, tag) = recorded_on(plan, id).ok_or_else(|| {
                StoreError::NotFound(format!("計画「{}」の指標「{id}」", plan.id))
            })?;
            (Some(on), tag)
        }
    };
    Ok((
        AchievementFilter {
            indicator: on,
            year,
            ..AchievementFilter::default()
        },
        tag,
    ))
}

/// The current revision of every achievement of `indicator` (every indicator's when `None`) in
/// `year` (every year's when `None`), whatever its state, in id order: what the secretariat
/// reads. An unknown indicator is [`StoreError::NotFound`].
pub async fn recorded_achievements(
    store: &Store,
    plan: &Plan,
    indicator: Option<&str>,
    year: Option<FiscalYear>,
) -> Result<Vec<Achievement>, StoreError> {
    let (filter, tag) = filter_of(plan, indicator, year)?;
    let mut items = store.achievements(&plan.id, &filter).await?;
    if let Some(tag) = tag {
        items.retain(|a| carries(a, &tag));
    }
    Ok(items)
}

/// The achievements of `indicator` (or all) in `year` (or all) that `role` (of `body`) may see,
/// as it may see them, in id order. The secretariat and the committee read each current
/// revision; the others read the latest approved revision of each achievement, and a body its
/// own achievements' current revisions too.
pub async fn achievements_for(
    store: &Store,
    plan: &Plan,
    role: Role,
    body: Option<&str>,
    indicator: Option<&str>,
    year: Option<FiscalYear>,
) -> Result<Vec<AchievementView>, StoreError> {
    let (filter, tag) = filter_of(plan, indicator, year)?;
    let mut items = if role.reads_unapproved() {
        store.achievements(&plan.id, &filter).await?
    } else {
        let approved = AchievementFilter {
            approved_only: true,
            ..filter.clone()
        };
        let own = match (role, body) {
            (Role::Body, Some(body)) => Some(body),
            _ => None,
        };
        // A body's own achievements as they are now; an id moved between bodies is read once.
        let mine = match own {
            Some(own) => {
                let mine = AchievementFilter {
                    body: Some(own.to_owned()),
                    ..filter
                };
                store.achievements(&plan.id, &mine).await?
            }
            None => Vec::new(),
        };
        let ids: HashSet<AchievementId> = mine.iter().map(|a| a.id).collect();
        let mut items: Vec<Achievement> = store
            .achievements(&plan.id, &approved)
            .await?
            .into_iter()
            .filter(|a| own != Some(a.fields.body.as_str()) && !ids.contains(&a.id))
            .collect();
        items.extend(mine);
        items.sort_by_key(|a| a.id);
        items
    };
    if let Some(tag) = tag {
        items.retain(|a| carries(a, &tag));
    }
    Ok(items
        .iter()
        .filter_map(|a| visible(role, body, a))
        .collect())
}
