//! What a revision drafted from the plan's text keeps from the revision before it.
//!
//! The text of a plan (its KPI annex) gives the projects, the indicators with their kinds,
//! groups, targets and sub-targets, and the footnotes; it does not say which bodies report each
//! indicator, their shares, an expected profile or the committee. Those were set up in pdca for
//! the revision in force, and a new revision of the same plan keeps them for every indicator
//! that carries over (the same id, see `plan_diff::carry_ids`).

use crate::plan::{Counting, Plan};

/// Copies the setup of `previous` into `next`, a revision of the same plan drafted from text:
///
/// - the header: name and period (a revision does not change them), the committee and the
///   on-track threshold θ;
/// - every body of `previous`, followed by the bodies only `next` names;
/// - for each indicator of `next` whose id is in `previous`: its bodies and shares; its
///   expected profile when its target is unchanged (a profile sums to the target); its counting
///   when `next` has the default (the text rarely says 暦年); its note when `next` has none;
/// - the glossary of `previous` when the text gave none.
///
/// Indicators new in `next` keep what was drafted for them (the plan's default body).
pub fn carry_setup(previous: &Plan, next: &mut Plan) {
    next.name.clone_from(&previous.name);
    next.period = previous.period;
    next.committee.clone_from(&previous.committee);
    next.on_track_threshold = previous.on_track_threshold;
    let mut bodies = previous.bodies.clone();
    for body in &next.bodies {
        if !bodies.iter().any(|b| b.id == body.id) {
            bodies.push(body.clone());
        }
    }
    next.bodies = bodies;
    if next.glossary.is_empty() {
        next.glossary.clone_from(&previous.glossary);
    }
    for project in &mut next.projects {
        for indicator in &mut project.indicators {
            let Some(before) = previous.indicator(&indicator.id) else {
                continue;
            };
            indicator.assignments.clone_from(&before.assignments);
            if indicator.target == before.target && indicator.measure == before.measure {
                indicator
                    .expected_profile
                    .clone_from(&before.expected_profile);
            }
            if indicator.counting == Counting::default() {
                indicator.counting = before.counting;
            }
            if indicator.note.is_none() {
                indicator.note.clone_from(&before.note);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::builtin;
    use crate::plan::{Assignment, Target};

    #[test]
    fn a_drafted_revision_keeps_bodies_shares_profiles_and_counting() {
        let mut previous = builtin::builtin_plan().unwrap();
        previous.bodies.push(crate::plan::Body {
            id: "mext".to_owned(),
            name: "文部科学省".to_owned(),
            short_name: None,
        });
        let carried_id = previous.projects[0].indicators[0].id.clone();
        previous.indicator_mut(&carried_id).unwrap().assignments = vec![
            Assignment {
                body: "amed".to_owned(),
                share: Some(20.0),
            },
            Assignment {
                body: "mext".to_owned(),
                share: Some(5.0),
            },
        ];
        let mut next = previous.clone();
        next.name = "drafted".to_owned();
        next.committee = None;
        next.glossary.clear();
        next.bodies.retain(|b| b.id == "amed");
        for project in &mut next.projects {
            for i in &mut project.indicators {
                i.assignments = vec![Assignment {
                    body: "amed".to_owned(),
                    share: None,
                }];
                i.counting = Counting::default();
                i.note = None;
            }
        }
        carry_setup(&previous, &mut next);
        assert_eq!(next, previous);
        assert!(next.indicator(&carried_id).unwrap().assignments.len() > 1);
    }

    #[test]
    fn a_changed_target_drops_the_profile_and_new_indicators_keep_their_draft() {
        let mut previous = builtin::builtin_plan().unwrap();
        let id = previous
            .indicators()
            .find(|(_, i)| matches!(i.target, Some(Target::Cumulative { .. })))
            .map(|(_, i)| i.id.clone())
            .unwrap();
        let len = previous.period.len() as usize;
        let value = previous
            .indicator(&id)
            .unwrap()
            .target
            .as_ref()
            .unwrap()
            .value()
            .unwrap();
        previous.indicator_mut(&id).unwrap().expected_profile = Some(vec![value / len as f64; len]);
        let mut next = previous.clone();
        next.indicator_mut(&id).unwrap().target = Some(Target::Cumulative {
            value: value + 5.0,
            comparator: crate::plan::Comparator::Reach,
        });
        next.indicator_mut(&id).unwrap().expected_profile = None;
        let mut fresh = next.projects[0].indicators[0].clone();
        fresh.id = "p1-new-01".to_owned();
        fresh.parent = None;
        fresh.assignments = vec![Assignment {
            body: "amed".to_owned(),
            share: None,
        }];
        next.projects[0].indicators.push(fresh.clone());
        carry_setup(&previous, &mut next);
        assert_eq!(next.indicator(&id).unwrap().expected_profile, None);
        assert_eq!(
            next.indicator("p1-new-01").unwrap().assignments,
            fresh.assignments
        );
    }
}
