//! The follow-up rules on the built-in plan: ratings against the engine's proposal, the closing
//! rule, items and their links, rating counts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use pdca_core::actuals::Actuals;
use pdca_core::builtin::builtin_plan;
use pdca_core::evaluation::Rating;
use pdca_core::follow_up::{
    CommitteeRating, ItemKind, Link, LinkKind, MeetingKind, Missing, NewItem, NewRating,
    RoundError, default_schedule, draft_agenda, missing_for_close, rating_counts,
};
use pdca_core::{FiscalYear, Plan, PlanEvaluation, evaluate_plan};

fn plan() -> Plan {
    builtin_plan().unwrap()
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

/// With no actuals at all, every numeric indicator is proposed N (no report for the year).
fn evaluation(plan: &Plan) -> PlanEvaluation {
    evaluate_plan(plan, &Actuals::default(), fy(2022)).unwrap()
}

fn rating(id: &str, rating: Rating) -> CommitteeRating {
    CommitteeRating {
        indicator_id: id.to_owned(),
        rating,
        reason: None,
        issue: None,
        solution: None,
        recorded_by: "secretariat".to_owned(),
        recorded_at: "2023-05-20T10:00:00Z".to_owned(),
    }
}

fn new_rating(id: &str, r: Rating, reason: Option<&str>) -> NewRating {
    NewRating {
        indicator_id: id.to_owned(),
        rating: r,
        reason: reason.map(str::to_owned),
        issue: None,
        solution: None,
    }
}

#[test]
fn a_rating_that_differs_from_the_proposal_needs_a_reason() {
    let plan = plan();
    let evaluation = evaluation(&plan);
    // Proposed N: N needs no reason; A needs one.
    assert!(
        new_rating("p1-out-01", Rating::N, None)
            .validate(&plan, &evaluation)
            .is_ok()
    );
    let refused = new_rating("p1-out-01", Rating::A, None).validate(&plan, &evaluation);
    assert!(matches!(
        refused,
        Err(RoundError::ReasonRequired {
            proposal: Rating::N,
            rating: Rating::A,
            ..
        })
    ));
    assert!(refused.unwrap_err().to_string().contains("p1-out-01"));
    // A blank reason is no reason.
    assert!(
        new_rating("p1-out-01", Rating::A, Some("　"))
            .validate(&plan, &evaluation)
            .is_err()
    );
    let ok =
        new_rating("ｐ1-out-01", Rating::A, Some("中間評価で確認")).validate(&plan, &evaluation);
    assert_eq!(ok.unwrap().indicator_id, "p1-out-01");
    assert!(matches!(
        new_rating("p9-out-01", Rating::A, None).validate(&plan, &evaluation),
        Err(RoundError::UnknownIndicator(_))
    ));
}

#[test]
fn closing_needs_every_numeric_rating_and_issue_and_solution_for_each_b() {
    let plan = plan();
    let numeric: Vec<&str> = plan
        .indicators()
        .filter(|(_, i)| !i.management)
        .map(|(_, i)| i.id.as_str())
        .collect();
    assert_eq!(numeric.len(), 37);
    let missing = missing_for_close(&plan, &[]);
    assert_eq!(missing.len(), 37);
    assert!(missing.iter().all(|m| matches!(m, Missing::Rating { .. })));

    let mut ratings: Vec<CommitteeRating> =
        numeric.iter().map(|id| rating(id, Rating::A)).collect();
    assert!(missing_for_close(&plan, &ratings).is_empty());

    ratings[0].rating = Rating::B;
    ratings[0].issue = Some("症例の集積が遅れている".to_owned());
    let missing = missing_for_close(&plan, &ratings);
    assert_eq!(
        missing,
        vec![Missing::IssueOrSolution {
            indicator_id: numeric[0].to_owned(),
            issue: false,
            solution: true,
        }]
    );
    assert!(missing[0].to_string().contains("解決策"));
    ratings[0].solution = Some("連携体制を強化する".to_owned());
    assert!(missing_for_close(&plan, &ratings).is_empty());

    // Management indicators need no rating, but may have one.
    ratings.push(rating("p1-out-m1", Rating::A));
    assert!(missing_for_close(&plan, &ratings).is_empty());
}

#[test]
fn counts_per_project_and_in_all() {
    let plan = plan();
    let ratings = vec![
        rating("p1-out-01", Rating::A),
        rating("p1-out-02", Rating::B),
        rating("p2-out-01", Rating::N),
    ];
    let (projects, total) = rating_counts(&plan, &ratings);
    assert_eq!(projects.len(), 6);
    assert_eq!((projects[0].1.a, projects[0].1.b), (1, 1));
    assert_eq!((total.a, total.b, total.n), (1, 1, 1));
    assert_eq!(total.total(), 37);
    assert_eq!(total.sentence(), "37項目中1項目がA");
}

#[test]
fn items_need_what_their_kind_says() {
    let plan = plan();
    let item = |kind, text: &str| NewItem {
        kind: Some(kind),
        text: text.to_owned(),
        ..NewItem::default()
    };
    assert!(
        item(ItemKind::PriorityItem, "本文")
            .validate(&plan)
            .is_err()
    );
    let mut priority = item(ItemKind::PriorityItem, "本文");
    priority.title = Some("データ利活用".to_owned());
    assert!(priority.validate(&plan).is_ok());
    assert!(
        item(ItemKind::NotableResult, "成果")
            .validate(&plan)
            .is_err()
    );
    let mut notable = item(ItemKind::NotableResult, "成果");
    notable.links = vec![Link::parse("p1", &plan).unwrap()];
    assert_eq!(
        notable.validate(&plan).unwrap().1.links[0].kind,
        LinkKind::Project
    );
    assert!(item(ItemKind::Opinion, "").validate(&plan).is_err());
    let mut measure = item(ItemKind::PriorityMeasure, "重点");
    measure.body_id = Some("no-such-body".to_owned());
    assert!(matches!(
        measure.validate(&plan),
        Err(RoundError::UnknownBody(_))
    ));
    let mut status = item(ItemKind::ClauseStatus, "実施した");
    status.body_id = Some("amed".to_owned());
    assert!(status.clone().validate(&plan).is_err());
    status.links = vec![Link::parse("＃3", &plan).unwrap()];
    assert!(status.validate(&plan).is_ok());
    assert!(matches!(
        Link::parse("p7", &plan),
        Err(RoundError::UnknownLink(_))
    ));
    assert!(Link::parse("#x", &plan).is_err());
}

#[test]
fn agendas_are_drafted_from_the_round() {
    let plan = plan();
    let first = draft_agenda(MeetingKind::First, &plan, fy(2022), &[]);
    assert!(first[0].contains("令和4年度の実施状況の報告"));
    let second = draft_agenda(MeetingKind::Second, &plan, fy(2022), &[]);
    assert!(second.iter().any(|l| l.contains("令和6年度の資源配分方針")));
    assert_eq!(
        default_schedule(fy(2022)).meeting_1.to_string(),
        "2023-05-20"
    );
}

#[test]
fn control_characters_in_ratings_and_items_are_refused_naming_the_field() {
    let plan = plan();
    let evaluation = evaluation(&plan);
    let mut rating = new_rating("p1-out-01", Rating::N, None);
    rating.issue = Some("課題\u{0}".to_owned());
    let refused = rating.validate(&plan, &evaluation).unwrap_err();
    assert!(matches!(refused, RoundError::Control(_)), "{refused:?}");
    assert!(refused.to_string().contains("課題（issue）"), "{refused}");
    // Line breaks and tabs are allowed in running text.
    let mut rating = new_rating("p1-out-01", Rating::N, None);
    rating.solution = Some("一行目\n\t二行目".to_owned());
    assert!(rating.validate(&plan, &evaluation).is_ok());

    let item = |title: &str, text: &str| NewItem {
        kind: Some(ItemKind::PriorityItem),
        title: Some(title.to_owned()),
        text: text.to_owned(),
        ..NewItem::default()
    };
    let refused = item("表題", "意見\u{7f}").validate(&plan).unwrap_err();
    assert!(refused.to_string().contains("本文（text）"), "{refused}");
    let refused = item("表\n題", "意見").validate(&plan).unwrap_err();
    assert!(refused.to_string().contains("表題（title）"), "{refused}");
    assert!(item("表題", "意見\r\n続き").validate(&plan).is_ok());
    assert!(Link::parse("p1\u{0}", &plan).is_err_and(|e| matches!(e, RoundError::Control(_))));
}
