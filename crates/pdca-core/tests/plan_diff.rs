//! Revisions side by side (`pdca_core::plan_diff`): what a revision added, removed, renamed or
//! retargeted, in the plan's order; and the ids a drafted revision takes over from the one
//! before it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, HashSet};

use pdca_core::FiscalYear;
use pdca_core::builtin::builtin_plan;
use pdca_core::plan::{
    Comparator, CountedFrom, Counting, Indicator, IndicatorKind, Measure, Period, Plan, Project,
    Target,
};
use pdca_core::plan_diff::{
    ChangeKind, HeaderChange, IndicatorChange, ProjectChangeKind, carry_ids, diff_plans,
};
use proptest::prelude::*;

fn builtin() -> Plan {
    builtin_plan().unwrap()
}

fn fy(year: i32) -> FiscalYear {
    FiscalYear::new(year).unwrap()
}

fn change<'a>(changes: &'a [IndicatorChange], id: &str) -> &'a ChangeKind {
    &changes
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no change of {id}: {changes:#?}"))
        .change
}

/// Removes the indicator `id` from `plan` and returns it.
fn take(plan: &mut Plan, id: &str) -> Indicator {
    for project in &mut plan.projects {
        if let Some(k) = project.indicators.iter().position(|i| i.id == id) {
            return project.indicators.remove(k);
        }
    }
    panic!("no indicator {id}");
}

#[test]
fn a_revision_compared_with_itself_has_no_change() {
    let plan = builtin();
    let diff = diff_plans(&plan, &plan);
    assert!(diff.is_empty(), "{diff:#?}");
}

#[test]
fn each_kind_of_change_is_named_in_the_plans_order() {
    let old = builtin();
    let mut new = old.clone();
    new.revision = 2;
    new.effective_from = fy(2022);
    // A target raised, a name changed, one indicator removed and one added.
    new.indicator_mut("p1-out-01").unwrap().target = Some(Target::Cumulative {
        value: 30.0,
        comparator: Comparator::Reach,
    });
    new.indicator_mut("p1-out-02").unwrap().name = "企業導出件数".to_owned();
    take(&mut new, "p1-out-03");
    let mut added = old.indicator("p1-out-02").unwrap().clone();
    added.id = "p1-out-09".to_owned();
    added.name = "新しい指標".to_owned();
    new.projects[0].indicators.insert(3, added);
    new.indicator_mut("p2-out-01").unwrap().kind = IndicatorKind::Outcome;

    let diff = diff_plans(&old, &new);

    assert_eq!(
        diff.header,
        vec![HeaderChange::EffectiveFrom {
            old: fy(2020),
            new: fy(2022)
        }]
    );
    assert!(diff.projects.is_empty());
    let ids: Vec<&str> = diff.changes.iter().map(|c| c.id.as_str()).collect();
    // p1-out-03 stood after p1-out-02 in revision 1; p1-out-09 is fourth in revision 2.
    assert_eq!(
        ids,
        [
            "p1-out-01",
            "p1-out-02",
            "p1-out-03",
            "p1-out-09",
            "p2-out-01"
        ]
    );
    assert_eq!(
        change(&diff.changes, "p1-out-01"),
        &ChangeKind::Changed {
            name: None,
            target: Some((Some("25件".to_owned()), Some("30件".to_owned()))),
            other: vec![],
        }
    );
    assert_eq!(
        change(&diff.changes, "p1-out-02"),
        &ChangeKind::Changed {
            name: Some((
                "創薬支援ネットワークの活動による有望創薬シーズの企業導出件数".to_owned(),
                "企業導出件数".to_owned()
            )),
            target: None,
            other: vec![],
        }
    );
    assert_eq!(
        change(&diff.changes, "p1-out-03"),
        &ChangeKind::Removed {
            name: "臨床POCの取得件数".to_owned(),
            target: Some("5件".to_owned()),
        }
    );
    assert_eq!(
        change(&diff.changes, "p1-out-09"),
        &ChangeKind::Added {
            name: "新しい指標".to_owned(),
            target: Some("10件".to_owned()),
        }
    );
    let ChangeKind::Changed { other, .. } = change(&diff.changes, "p2-out-01") else {
        panic!("p2-out-01 changed");
    };
    assert_eq!(other, &vec!["種別: アウトプット → アウトカム".to_owned()]);
    let removed = diff.changes.iter().find(|c| c.id == "p1-out-03").unwrap();
    assert_eq!(removed.project_name, "医薬品プロジェクト");
    assert!(!diff.is_empty());
}

#[test]
fn removed_first_indicators_come_first_and_projects_are_compared() {
    let old = builtin();
    let mut new = old.clone();
    take(&mut new, "p1-out-01");
    new.projects[1].name = "医療機器・ヘルスケアプロジェクト（改）".to_owned();
    let gone = new.projects.remove(5);
    new.name = "改定後の計画".to_owned();
    new.period = Period {
        start: fy(2020),
        end: fy(2025),
    };
    let diff = diff_plans(&old, &new);
    assert_eq!(diff.changes[0].id, "p1-out-01");
    assert!(matches!(diff.changes[0].change, ChangeKind::Removed { .. }));
    // Every indicator of the removed project, after p5's last, in their order.
    let tail: Vec<&str> = diff.changes[1..].iter().map(|c| c.id.as_str()).collect();
    let expected: Vec<&str> = gone.indicators.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(tail, expected);
    assert_eq!(diff.projects.len(), 2);
    assert!(matches!(
        &diff.projects[0].change,
        ProjectChangeKind::Renamed { new, .. } if new.ends_with("（改）")
    ));
    assert_eq!(diff.projects[1].id, gone.id);
    assert!(matches!(
        diff.projects[1].change,
        ProjectChangeKind::Removed { .. }
    ));
    assert_eq!(diff.header.len(), 2, "{:?}", diff.header);
}

#[test]
fn a_target_removed_or_given_is_none_on_its_side() {
    let old = builtin();
    let mut new = old.clone();
    new.indicator_mut("p1-out-01").unwrap().target = None;
    let diff = diff_plans(&old, &new);
    assert_eq!(
        change(&diff.changes, "p1-out-01"),
        &ChangeKind::Changed {
            name: None,
            target: Some((Some("25件".to_owned()), None)),
            other: vec![],
        }
    );
    let back = diff_plans(&new, &old);
    assert!(matches!(
        change(&back.changes, "p1-out-01"),
        ChangeKind::Changed { target: Some((None, Some(t))), .. } if t == "25件"
    ));
}

/// `plan` with every project and indicator id replaced by its position, as a draft writes them.
fn scrambled(plan: &Plan) -> Plan {
    let mut next = plan.clone();
    let mut map = HashMap::new();
    let mut k = 0;
    for (n, project) in next.projects.iter_mut().enumerate() {
        project.id = format!("q{}", n + 1);
        for indicator in &mut project.indicators {
            k += 1;
            let id = format!("{}-x{k:02}", project.id);
            map.insert(indicator.id.clone(), id.clone());
            indicator.id = id;
        }
    }
    for project in &mut next.projects {
        for indicator in &mut project.indicators {
            if let Some(parent) = indicator.parent.as_mut() {
                *parent = map[parent.as_str()].clone();
            }
        }
    }
    next
}

#[test]
fn a_drafted_copy_of_the_built_in_plan_gets_its_ids_back() {
    let plan = builtin();
    let mut next = scrambled(&plan);
    carry_ids(&plan, &mut next);
    assert_eq!(next, plan);
}

#[test]
fn a_renamed_indicator_keeps_its_id_and_a_new_one_gets_a_fresh_id() {
    let plan = builtin();
    // A revision drafted from text: p1-out-02 renamed, p1-out-03 gone and a new indicator in a
    // new group in its place; the draft numbers p1's indicators by position again, so the new
    // one is drafted as p1-out-03, an id the previous revision uses for another indicator.
    let mut drafted = plan.clone();
    drafted.indicator_mut("p1-out-02").unwrap().name = "企業導出件数".to_owned();
    let mut added = take(&mut drafted, "p1-out-03");
    added.name = "医薬品の新しい指標".to_owned();
    added.group = "新しい区分".to_owned();
    drafted.projects[0].indicators.insert(2, added);
    let mut map = HashMap::new();
    for (k, i) in drafted.projects[0].indicators.iter_mut().enumerate() {
        let id = format!("p1-out-{:02}", k + 1);
        map.insert(i.id.clone(), id.clone());
        i.id = id;
    }
    for i in &mut drafted.projects[0].indicators {
        if let Some(parent) = i.parent.as_mut() {
            *parent = map[parent.as_str()].clone();
        }
    }

    carry_ids(&plan, &mut drafted);

    let ids: Vec<&str> = drafted.projects[0]
        .indicators
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(
        &ids[..4],
        ["p1-out-01", "p1-out-02", "p1-out-03-new", "p1-out-04"]
    );
    assert_eq!(drafted.projects[0].id, "p1");
    let diff = diff_plans(&plan, &drafted);
    let order: Vec<&str> = diff.changes.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(order, ["p1-out-02", "p1-out-03", "p1-out-03-new"]);
    assert!(matches!(
        change(&diff.changes, "p1-out-02"),
        ChangeKind::Changed {
            name: Some(_),
            target: None,
            ..
        }
    ));
    assert!(matches!(
        change(&diff.changes, "p1-out-03"),
        ChangeKind::Removed { .. }
    ));
    assert!(matches!(
        change(&diff.changes, "p1-out-03-new"),
        ChangeKind::Added { name, .. } if name == "医薬品の新しい指標"
    ));
}

#[test]
fn sub_targets_of_the_same_name_follow_their_parents() {
    let plan = builtin();
    let names: Vec<&str> = plan
        .indicators()
        .filter(|(_, i)| i.parent.is_some())
        .map(|(_, i)| i.name.as_str())
        .collect();
    let distinct: HashSet<&&str> = names.iter().collect();
    assert!(
        distinct.len() < names.len(),
        "the built-in plan repeats a sub-target's name"
    );
    // Drafted with positional ids, each sub-target finds its own id under its own parent.
    let mut next = scrambled(&plan);
    carry_ids(&plan, &mut next);
    for (project, i) in next.indicators() {
        let same = plan.indicator(&i.id).unwrap();
        assert_eq!(same.name, i.name, "{}", project.id);
        assert_eq!(same.parent, i.parent);
    }
}

// ---------------------------------------------------------------------------------------------
// Properties, on plans made of a few names, groups and ids so that they collide.

fn indicator(id: String, name: &str, outcome: bool, group: &str, value: u8) -> Indicator {
    Indicator {
        id,
        name: name.to_owned(),
        kind: if outcome {
            IndicatorKind::Outcome
        } else {
            IndicatorKind::Output
        },
        group: group.to_owned(),
        management: false,
        measure: Measure::Count,
        unit: "件".to_owned(),
        target: (value > 0).then_some(Target::Cumulative {
            value: f64::from(value),
            comparator: Comparator::Reach,
        }),
        parent: None,
        assignments: vec![],
        counting: Counting::FiscalYear,
        expected_profile: None,
        note: None,
        counted_from: CountedFrom::Reported,
        achievement_tag: None,
    }
}

type Row = (u8, bool, u8, u8, bool);

/// A plan of projects from `rows`: (name, outcome, group, target, sub-target of the one before).
fn plan_of(projects: &[(u8, Vec<Row>)], ids: &[u8]) -> Plan {
    let mut plan = builtin();
    plan.projects.clear();
    let mut used = HashSet::new();
    let mut k = 0;
    for (n, (name, rows)) in projects.iter().enumerate() {
        let mut project = Project {
            id: format!("p{n}"),
            name: format!("プロジェクト{name}"),
            indicators: vec![],
        };
        let mut last_top: Option<String> = None;
        for &(name, outcome, group, value, sub) in rows {
            // An id from a small pool, else one of its own.
            let id = ids
                .get(k)
                .map(|i| format!("i{i}"))
                .filter(|id| used.insert(id.clone()))
                .unwrap_or_else(|| format!("own{k}"));
            used.insert(id.clone());
            k += 1;
            let mut i = indicator(
                id,
                &format!("指標{name}"),
                outcome,
                &format!("区分{group}"),
                value,
            );
            match (&last_top, sub) {
                (Some(parent), true) => i.parent = Some(parent.clone()),
                _ => last_top = Some(i.id.clone()),
            }
            project.indicators.push(i);
        }
        plan.projects.push(project);
    }
    plan
}

fn plans() -> impl Strategy<Value = Plan> {
    let row = (0u8..4, any::<bool>(), 0u8..2, 0u8..3, any::<bool>());
    let project = (0u8..3, prop::collection::vec(row, 0..6));
    (
        prop::collection::vec(project, 1..4),
        prop::collection::vec(0u8..12, 0..20),
    )
        .prop_map(|(projects, ids)| plan_of(&projects, &ids))
}

proptest! {
    #[test]
    fn a_plan_compared_with_itself_is_unchanged(plan in plans()) {
        prop_assert!(diff_plans(&plan, &plan).is_empty());
    }

    #[test]
    fn carried_ids_undo_a_positional_draft(plan in plans()) {
        let mut next = scrambled(&plan);
        carry_ids(&plan, &mut next);
        prop_assert_eq!(next, plan);
    }

    #[test]
    fn every_id_is_in_one_change_or_unchanged(old in plans(), new in plans()) {
        let diff = diff_plans(&old, &new);
        let mut seen = HashSet::new();
        for c in &diff.changes {
            prop_assert!(seen.insert(c.id.clone()), "{} twice", c.id);
            let (in_old, in_new) = (old.indicator(&c.id), new.indicator(&c.id));
            match &c.change {
                ChangeKind::Added { .. } => prop_assert!(in_old.is_none() && in_new.is_some()),
                ChangeKind::Removed { .. } => prop_assert!(in_old.is_some() && in_new.is_none()),
                ChangeKind::Changed { .. } => prop_assert!(in_old.is_some() && in_new.is_some()),
            }
        }
        for (_, i) in old.indicators().chain(new.indicators()) {
            if !seen.contains(&i.id) {
                prop_assert_eq!(old.indicator(&i.id), new.indicator(&i.id));
            }
        }
        // In the new plan's order.
        let order: HashMap<&str, usize> =
            new.indicators().enumerate().map(|(k, (_, i))| (i.id.as_str(), k)).collect();
        let kept: Vec<usize> =
            diff.changes.iter().filter_map(|c| order.get(c.id.as_str()).copied()).collect();
        prop_assert!(kept.windows(2).all(|w| w[0] < w[1]), "{:?}", kept);
    }

    #[test]
    fn carried_ids_are_unique_and_parents_resolve(old in plans(), new in plans()) {
        let mut next = new.clone();
        carry_ids(&old, &mut next);
        let ids: Vec<&str> = next.indicators().map(|(_, i)| i.id.as_str()).collect();
        let distinct: HashSet<&&str> = ids.iter().collect();
        prop_assert_eq!(distinct.len(), ids.len());
        let projects: HashSet<&str> = next.projects.iter().map(|p| p.id.as_str()).collect();
        prop_assert_eq!(projects.len(), next.projects.len());
        for (project, i) in next.indicators() {
            if let Some(parent) = &i.parent {
                prop_assert!(project.indicators.iter().any(|p| &p.id == parent));
            }
        }
        // Names and order are untouched: only ids change.
        let names = |p: &Plan| p.indicators().map(|(_, i)| i.name.clone()).collect::<Vec<_>>();
        prop_assert_eq!(names(&next), names(&new));
    }
}
