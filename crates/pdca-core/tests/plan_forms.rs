//! Every target form of the plan file format (docs/plan-format.md): each example file under
//! `tests/plans/` parses into the model it describes and evaluates to figures computed here by
//! hand. Then plan files with mistakes, each refused with an error that names the file, the line,
//! the key and what was expected.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use pdca_core::FiscalYear;
use pdca_core::actuals::{ActualValue, Actuals, Contribution};
use pdca_core::evaluation::{Evaluation, PlanEvaluation, Rating, Status, evaluate_plan};
use pdca_core::plan::{Assignment, Comparator, Counting, Measure, Plan, PlanHistory, Target};
use pdca_core::plan_file::{PlanFileErrors, parse_plan};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn parse(file: &str, text: &str) -> Plan {
    parse_plan(file, text).unwrap_or_else(|e| panic!("{file} does not parse:\n{e}"))
}

fn num(indicator: &str, year: i32, body: &str, v: f64) -> Contribution {
    Contribution {
        indicator: indicator.into(),
        year: fy(year),
        body: body.into(),
        value: ActualValue::Number(v),
    }
}

fn ratio(indicator: &str, year: i32, numerator: f64, denominator: f64) -> Contribution {
    Contribution {
        indicator: indicator.into(),
        year: fy(year),
        body: "amed".into(),
        value: ActualValue::Ratio {
            numerator,
            denominator,
        },
    }
}

/// AMED's yearly counts of one indicator, from the first year on.
fn yearly(indicator: &str, from: i32, values: &[f64]) -> Vec<Contribution> {
    values
        .iter()
        .zip(from..)
        .map(|(v, y)| num(indicator, y, "amed", *v))
        .collect()
}

fn evaluate(plan: &Plan, actuals: &[Contribution], as_of: i32) -> PlanEvaluation {
    let actuals: Actuals = actuals.iter().cloned().collect();
    evaluate_plan(plan, &actuals, fy(as_of)).unwrap()
}

fn eval_of<'a>(e: &'a PlanEvaluation, id: &str) -> &'a Evaluation {
    e.indicators
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("no evaluation of {id}"))
}

fn close(got: Option<f64>, want: f64) -> bool {
    got.is_some_and(|g| (g - want).abs() < 1e-9)
}

macro_rules! assert_close {
    ($got:expr, $want:expr) => {{
        let (got, want): (Option<f64>, f64) = ($got, $want);
        assert!(
            close(got, want),
            "{} = {got:?}, expected {want}",
            stringify!($got)
        );
    }};
}

// ---------------------------------------------------------------------------------------------
// Plain forms: 25件, 2件以上, 75％, a level
// ---------------------------------------------------------------------------------------------

const BASIC: &str = include_str!("plans/basic.toml");

#[test]
fn basic_forms_parse() {
    let plan = parse("basic.toml", BASIC);
    assert_eq!(plan.revision, 1);
    assert_eq!(plan.effective_from, fy(2020));
    assert!((plan.on_track_threshold - 1.0).abs() < f64::EPSILON);
    let i = plan.indicator("p1-out-01").unwrap();
    assert_eq!(
        i.target,
        Some(Target::Cumulative {
            value: 25.0,
            comparator: Comparator::Reach
        })
    );
    assert_eq!(i.unit, "件");
    assert_eq!(
        plan.indicator("p1-oc-01").unwrap().target,
        Some(Target::Cumulative {
            value: 2.0,
            comparator: Comparator::AtLeast
        })
    );
    let r = plan.indicator("p1-out-02").unwrap();
    assert_eq!(r.measure, Measure::Ratio);
    assert_eq!(r.unit, "%");
    assert_eq!(
        r.target,
        Some(Target::Ratio {
            value: 75.0,
            comparator: Comparator::Reach
        })
    );
    assert_eq!(
        plan.indicator("p1-out-03").unwrap().target,
        Some(Target::Level {
            value: 100.0,
            comparator: Comparator::Reach
        })
    );
}

#[test]
fn basic_forms_evaluate() {
    let plan = parse("basic.toml", BASIC);
    let mut actuals = yearly("p1-out-01", 2020, &[5.0, 6.0]);
    actuals.extend(yearly("p1-oc-01", 2020, &[1.0, 1.0]));
    actuals.push(ratio("p1-out-02", 2020, 3.0, 4.0));
    actuals.push(ratio("p1-out-02", 2021, 5.0, 8.0));
    actuals.extend(yearly("p1-out-03", 2020, &[110.0, 90.0]));
    let e = evaluate(&plan, &actuals, 2021);
    assert_eq!(e.plan, "forms-basic");
    assert_eq!(e.as_of, fy(2021));

    // 25件: C = 11, E = 25·2/5 = 10, C ≥ E.
    let c = eval_of(&e, "p1-out-01");
    assert_eq!(c.status, Status::OnTrack);
    assert_eq!(c.rating, Some(Rating::A));
    assert_close!(c.target, 25.0);
    assert_close!(c.cumulative, 11.0);
    assert_close!(c.expected, 10.0);
    assert_close!(c.progress, 0.44);
    assert_close!(c.pace, 1.1);
    // 11 + 5.5·3
    assert_close!(c.projected_end, 27.5);

    // 2件以上: C = 2 reaches the floor.
    let a = eval_of(&e, "p1-oc-01");
    assert_eq!(a.status, Status::Achieved);
    assert_close!(a.progress, 1.0);
    assert_close!(a.p_attain, 1.0);

    // 75％: Σ 8 / Σ 12 = 66.67％ < 75％.
    let r = eval_of(&e, "p1-out-02");
    assert_eq!(r.status, Status::Insufficient);
    assert_eq!(r.rating, Some(Rating::B));
    assert_close!(r.value, 800.0 / 12.0);
    // As of FY2020 alone: 3/4 = 75％, reached before the end: on track.
    let e2020 = evaluate(&plan, &actuals, 2020);
    let r = eval_of(&e2020, "p1-out-02");
    assert_eq!(r.status, Status::OnTrack);
    assert_close!(r.value, 75.0);

    // 年間100件: FY2021 holds 90.
    let l = eval_of(&e, "p1-out-03");
    assert_eq!(l.status, Status::Insufficient);
    assert_close!(l.value, 90.0);
    assert_close!(l.progress, 0.9);
    let l = eval_of(&e2020, "p1-out-03");
    assert_eq!(l.status, Status::OnTrack);
}

// ---------------------------------------------------------------------------------------------
// 130件/年、5年累計650件
// ---------------------------------------------------------------------------------------------

const PER_YEAR: &str = include_str!("plans/per_year.toml");

#[test]
fn per_year_with_total_parses() {
    let plan = parse("per_year.toml", PER_YEAR);
    let i = plan.indicator("p1-out-01").unwrap();
    assert_eq!(
        i.target,
        Some(Target::PerYear {
            per_year: 130.0,
            value: 650.0
        })
    );
    assert_eq!(i.target.as_ref().unwrap().basis(), "per_year");
    assert_eq!(i.target.as_ref().unwrap().comparator(), Comparator::Reach);
}

#[test]
fn per_year_without_total_takes_per_year_times_years() {
    let text = PER_YEAR.replace("per_year = 130, value = 650,", "per_year = 130,");
    let plan = parse("per_year.toml", &text);
    assert_eq!(
        plan.indicator("p1-out-01").unwrap().target,
        Some(Target::PerYear {
            per_year: 130.0,
            value: 650.0
        })
    );
}

#[test]
fn per_year_with_total_evaluates() {
    let plan = parse("per_year.toml", PER_YEAR);
    let actuals = yearly("p1-out-01", 2020, &[140.0, 120.0, 100.0]);

    // FY2021: C = 260, E = 130·2 = 260: on track, though FY2021 fell short of 130.
    let e = evaluate(&plan, &actuals, 2021);
    let i = eval_of(&e, "p1-out-01");
    assert_eq!(i.status, Status::OnTrack);
    assert_close!(i.target, 650.0);
    assert_close!(i.cumulative, 260.0);
    assert_close!(i.expected, 260.0);
    assert_close!(i.progress, 0.4);
    assert_close!(i.pace, 1.0);
    assert_close!(i.projected_end, 650.0);
    assert_close!(i.value, 120.0);
    assert_eq!(i.warnings.len(), 1, "{:?}", i.warnings);
    assert!(
        i.warnings[0].contains("120 が年間目標 130 を下回っています"),
        "{:?}",
        i.warnings
    );

    // FY2020: C = 140 ≥ E = 130, no warning.
    let e = evaluate(&plan, &actuals, 2020);
    let i = eval_of(&e, "p1-out-01");
    assert_eq!(i.status, Status::OnTrack);
    assert_close!(i.expected, 130.0);
    assert!(i.warnings.is_empty(), "{:?}", i.warnings);

    // FY2022: C = 360 < E = 390.
    let e = evaluate(&plan, &actuals, 2022);
    let i = eval_of(&e, "p1-out-01");
    assert_eq!(i.status, Status::Insufficient);
    assert_close!(i.cumulative, 360.0);
    assert_close!(i.expected, 390.0);
    assert_eq!(i.warnings.len(), 2, "{:?}", i.warnings);
}

// ---------------------------------------------------------------------------------------------
// 2023年度比で2倍 / 半減
// ---------------------------------------------------------------------------------------------

const RELATIVE: &str = include_str!("plans/relative.toml");

#[test]
fn relative_to_baseline_parses() {
    let plan = parse("relative.toml", RELATIVE);
    let double = plan.indicator("p1-oc-01").unwrap();
    assert_eq!(double.measure, Measure::Level);
    assert_eq!(
        double.target,
        Some(Target::Relative {
            factor: 2.0,
            baseline: fy(2023),
            comparator: Comparator::AtLeast
        })
    );
    // 半減 is lower-is-better without saying so.
    let half = plan.indicator("p1-oc-02").unwrap();
    assert_eq!(
        half.target,
        Some(Target::Relative {
            factor: 0.5,
            baseline: fy(2023),
            comparator: Comparator::AtMost
        })
    );
    assert_eq!(half.target.as_ref().unwrap().value(), None);
    // The baseline year takes actuals though it lies before the period; the year before does not.
    assert!(plan.accepts_year(double, fy(2023)));
    assert!(!plan.accepts_year(double, fy(2022)));
    assert!(plan.accepts_year(double, fy(2028)));
    assert!(!plan.accepts_year(double, fy(2029)));
}

#[test]
fn relative_to_baseline_evaluates() {
    let plan = parse("relative.toml", RELATIVE);
    let mut actuals = yearly("p1-oc-01", 2023, &[50.0, 60.0, 75.0, 78.0]);
    actuals.extend(yearly("p1-oc-02", 2023, &[40.0, 36.0, 30.0]));

    // FY2025: T = 2·50 = 100; elapsed (2025−2023)/(2028−2023) = 0.4; E = 50 + 50·0.4 = 70;
    // progress (75−50)/(100−50) = 0.5; pace 0.5/0.4 = 1.25 ≥ 1.
    let e = evaluate(&plan, &actuals, 2025);
    let d = eval_of(&e, "p1-oc-01");
    assert_eq!(d.status, Status::OnTrack);
    assert_close!(d.target, 100.0);
    assert_close!(d.value, 75.0);
    assert_close!(d.expected, 70.0);
    assert_close!(d.progress, 0.5);
    assert_close!(d.pace, 1.25);

    // Halving: T = 20; E = 40 − 20·0.4 = 32; progress (30−40)/(20−40) = 0.5; pace 1.25.
    let h = eval_of(&e, "p1-oc-02");
    assert_eq!(h.status, Status::OnTrack);
    assert_close!(h.target, 20.0);
    assert_close!(h.expected, 32.0);
    assert_close!(h.progress, 0.5);
    assert_close!(h.pace, 1.25);

    // FY2026: elapsed 0.6, progress (78−50)/50 = 0.56, pace 0.9333… < 1.
    let e = evaluate(&plan, &actuals, 2026);
    let d = eval_of(&e, "p1-oc-01");
    assert_eq!(d.status, Status::Insufficient);
    assert_close!(d.expected, 80.0);
    assert_close!(d.progress, 0.56);
    assert_close!(d.pace, 0.56 / 0.6);
    // Nothing reported for the halving in FY2026: not evaluable.
    assert_eq!(eval_of(&e, "p1-oc-02").status, Status::NotEvaluable);
}

#[test]
fn relative_target_reached_at_the_end_and_without_a_baseline() {
    let plan = parse("relative.toml", RELATIVE);
    let mut actuals = yearly("p1-oc-02", 2023, &[40.0, 36.0, 30.0, 26.0, 22.0, 20.0]);
    // No baseline for the doubling.
    actuals.push(num("p1-oc-01", 2028, "amed", 120.0));
    let e = evaluate(&plan, &actuals, 2028);
    let h = eval_of(&e, "p1-oc-02");
    assert_eq!(h.status, Status::Achieved);
    assert_close!(h.value, 20.0);
    assert_close!(h.progress, 1.0);
    let d = eval_of(&e, "p1-oc-01");
    assert_eq!(d.status, Status::NotEvaluable);
    assert_eq!(d.target, None);
    assert!(
        d.warnings.iter().any(|w| w.contains("基準年度")),
        "{:?}",
        d.warnings
    );
}

// ---------------------------------------------------------------------------------------------
// 2026年度までに着手
// ---------------------------------------------------------------------------------------------

const MILESTONE: &str = include_str!("plans/milestone.toml");

#[test]
fn milestone_with_deadline_parses() {
    let plan = parse("milestone.toml", MILESTONE);
    let i = plan.indicator("p1-out-01").unwrap();
    assert_eq!(i.measure, Measure::Milestone);
    assert_eq!(i.unit, "");
    assert_eq!(i.target, Some(Target::Milestone { deadline: fy(2026) }));
    assert_eq!(i.note.as_deref(), Some("着手した年度に 1 を報告する"));
}

#[test]
fn milestone_with_deadline_evaluates() {
    let plan = parse("milestone.toml", MILESTONE);
    let not_yet = yearly("p1-out-01", 2024, &[0.0, 0.0, 0.0]);

    // Before the deadline, not reached yet and reported: on track.
    let e = evaluate(&plan, &not_yet, 2025);
    let i = eval_of(&e, "p1-out-01");
    assert_eq!(i.status, Status::OnTrack);
    assert_close!(i.value, 0.0);
    // In the deadline year, still not reached: insufficient.
    let e = evaluate(&plan, &not_yet, 2026);
    assert_eq!(eval_of(&e, "p1-out-01").status, Status::Insufficient);
    // No report for the year: not evaluable.
    let e = evaluate(&plan, &not_yet[..1], 2025);
    assert_eq!(eval_of(&e, "p1-out-01").status, Status::NotEvaluable);

    // Reached in FY2026: achieved then and after, reported or not.
    let reached = yearly("p1-out-01", 2024, &[0.0, 0.0, 1.0]);
    for year in [2026, 2027] {
        let e = evaluate(&plan, &reached, year);
        let i = eval_of(&e, "p1-out-01");
        assert_eq!(i.status, Status::Achieved, "FY{year}");
        assert_close!(i.value, 1.0);
        assert_close!(i.progress, 1.0);
    }
}

// ---------------------------------------------------------------------------------------------
// 10件以下, 10％以下
// ---------------------------------------------------------------------------------------------

const LOWER: &str = include_str!("plans/lower_is_better.toml");

#[test]
fn lower_is_better_parses() {
    let plan = parse("lower_is_better.toml", LOWER);
    let c = plan.indicator("p1-out-01").unwrap();
    assert_eq!(
        c.target,
        Some(Target::Cumulative {
            value: 10.0,
            comparator: Comparator::AtMost
        })
    );
    assert!(c.target.as_ref().unwrap().comparator().lower_is_better());
    assert_eq!(
        plan.indicator("p1-out-02").unwrap().target,
        Some(Target::Ratio {
            value: 10.0,
            comparator: Comparator::AtMost
        })
    );
}

#[test]
fn lower_is_better_evaluates() {
    let plan = parse("lower_is_better.toml", LOWER);
    let mut actuals = yearly("p1-out-01", 2020, &[1.0, 2.0, 5.0]);
    actuals.push(ratio("p1-out-02", 2020, 1.0, 20.0));
    actuals.push(ratio("p1-out-02", 2021, 3.0, 30.0));
    actuals.push(ratio("p1-out-02", 2022, 6.0, 30.0));

    // FY2021: C = 3 ≤ E = 10·2/5 = 4: on track. Σ4/Σ50 = 8％ ≤ 10％.
    let e = evaluate(&plan, &actuals, 2021);
    let c = eval_of(&e, "p1-out-01");
    assert_eq!(c.status, Status::OnTrack);
    assert_close!(c.cumulative, 3.0);
    assert_close!(c.expected, 4.0);
    assert_close!(c.progress, 0.3);
    let r = eval_of(&e, "p1-out-02");
    assert_eq!(r.status, Status::OnTrack);
    assert_close!(r.value, 8.0);

    // FY2022: C = 8 > E = 6: insufficient. Σ10/Σ80 = 12.5％ > 10％.
    let e = evaluate(&plan, &actuals, 2022);
    let c = eval_of(&e, "p1-out-01");
    assert_eq!(c.status, Status::Insufficient);
    assert_close!(c.expected, 6.0);
    let r = eval_of(&e, "p1-out-02");
    assert_eq!(r.status, Status::Insufficient);
    assert_close!(r.value, 12.5);

    // Over the ceiling: insufficient and no chance left.
    let over = yearly("p1-out-01", 2020, &[6.0, 6.0]);
    let e = evaluate(&plan, &over, 2021);
    let c = eval_of(&e, "p1-out-01");
    assert_eq!(c.status, Status::Insufficient);
    assert_close!(c.p_attain, 0.0);

    // At the end, 9 ≤ 10: achieved.
    let kept = yearly("p1-out-01", 2020, &[1.0, 2.0, 2.0, 2.0, 2.0]);
    let e = evaluate(&plan, &kept, 2024);
    let c = eval_of(&e, "p1-out-01");
    assert_eq!(c.status, Status::Achieved);
    assert_close!(c.cumulative, 9.0);
    assert_close!(c.p_attain, 1.0);
}

// ---------------------------------------------------------------------------------------------
// Calendar-year counting
// ---------------------------------------------------------------------------------------------

const CALENDAR: &str = include_str!("plans/calendar_year.toml");

#[test]
fn calendar_year_counting_parses() {
    let plan = parse("calendar_year.toml", CALENDAR);
    let i = plan.indicator("p1-out-01").unwrap();
    assert_eq!(i.counting, Counting::CalendarYear);
    // The default is fiscal years.
    let basic = parse("basic.toml", BASIC);
    assert_eq!(
        basic.indicator("p1-out-01").unwrap().counting,
        Counting::FiscalYear
    );
}

#[test]
fn calendar_year_counting_evaluates_and_names_calendar_years() {
    let plan = parse("calendar_year.toml", CALENDAR);
    // 2021 is missing.
    let actuals = vec![
        num("p1-out-01", 2020, "amed", 20.0),
        num("p1-out-01", 2022, "amed", 30.0),
    ];
    // 2022: C = 50 < E = 100·3/5 = 60.
    let e = evaluate(&plan, &actuals, 2022);
    let i = eval_of(&e, "p1-out-01");
    assert_eq!(i.status, Status::Insufficient);
    assert_close!(i.cumulative, 50.0);
    assert_close!(i.expected, 60.0);
    assert_eq!(i.warnings, ["2021年の実績が未報告です"]);
}

// ---------------------------------------------------------------------------------------------
// expected_profile
// ---------------------------------------------------------------------------------------------

const PROFILE: &str = include_str!("plans/expected_profile.toml");

#[test]
fn expected_profile_parses() {
    let plan = parse("expected_profile.toml", PROFILE);
    let i = plan.indicator("p1-oc-01").unwrap();
    assert_eq!(
        i.expected_profile.as_deref(),
        Some(&[10.0, 15.0, 20.0, 25.0, 30.0][..])
    );
}

#[test]
fn expected_profile_replaces_the_linear_expectation() {
    let plan = parse("expected_profile.toml", PROFILE);
    let actuals = yearly("p1-oc-01", 2020, &[10.0, 16.0, 15.0]);

    // FY2021: E = 10 + 15 = 25 (linear would be 40); C = 26 ≥ 25.
    let e = evaluate(&plan, &actuals, 2021);
    let i = eval_of(&e, "p1-oc-01");
    assert_eq!(i.status, Status::OnTrack);
    assert_close!(i.cumulative, 26.0);
    assert_close!(i.expected, 25.0);
    assert_close!(i.pace, 1.04);

    // FY2022: E = 45, C = 41.
    let e = evaluate(&plan, &actuals, 2022);
    let i = eval_of(&e, "p1-oc-01");
    assert_eq!(i.status, Status::Insufficient);
    assert_close!(i.expected, 45.0);

    // Without the profile the same actuals are behind in FY2021 (26 < 40).
    let linear = parse(
        "linear.toml",
        &PROFILE.replace("expected_profile = [10, 15, 20, 25, 30]\n", ""),
    );
    let e = evaluate(&linear, &actuals, 2021);
    let i = eval_of(&e, "p1-oc-01");
    assert_eq!(i.status, Status::Insufficient);
    assert_close!(i.expected, 40.0);
}

// ---------------------------------------------------------------------------------------------
// Monitored only
// ---------------------------------------------------------------------------------------------

const MONITORED: &str = include_str!("plans/monitored.toml");

#[test]
fn monitored_only_parses() {
    let plan = parse("monitored.toml", MONITORED);
    let c = plan.indicator("p1-out-01").unwrap();
    assert_eq!(c.target, None);
    assert!(!c.management);
    assert_eq!(c.unit, "件");
    let r = plan.indicator("p1-out-02").unwrap();
    assert_eq!(r.target, None);
    assert_eq!(r.unit, "%");
    let m = plan.indicator("p1-out-m1").unwrap();
    assert!(m.management);
    assert_eq!(m.measure, Measure::Qualitative);
    assert_eq!(m.target, None);
    assert_eq!(m.unit, "");
}

#[test]
fn monitored_only_evaluates_without_a_rating() {
    let plan = parse("monitored.toml", MONITORED);
    let actuals = vec![
        num("p1-out-01", 2020, "amed", 3.0),
        num("p1-out-01", 2021, "amed", 4.0),
        ratio("p1-out-02", 2020, 1.0, 4.0),
        ratio("p1-out-02", 2021, 3.0, 4.0),
        Contribution {
            indicator: "p1-out-m1".into(),
            year: fy(2020),
            body: "amed".into(),
            value: ActualValue::Narrative("連携体制を構築した".into()),
        },
    ];
    let e = evaluate(&plan, &actuals, 2021);
    let c = eval_of(&e, "p1-out-01");
    assert_eq!(c.status, Status::NotRated);
    assert_eq!(c.rating, None);
    assert_close!(c.cumulative, 7.0);
    assert_eq!(c.target, None);
    let r = eval_of(&e, "p1-out-02");
    assert_eq!(r.status, Status::NotRated);
    assert_close!(r.value, 50.0);
    // The latest narrative so far, with a warning that FY2021's is missing.
    let m = eval_of(&e, "p1-out-m1");
    assert_eq!(m.status, Status::NotRated);
    assert_eq!(m.narrative.as_deref(), Some("連携体制を構築した"));
    assert_eq!(m.warnings.len(), 1, "{:?}", m.warnings);
    assert!(
        m.warnings[0].contains("状況が未報告です"),
        "{:?}",
        m.warnings
    );
}

// ---------------------------------------------------------------------------------------------
// Bodies with shares
// ---------------------------------------------------------------------------------------------

const SHARES: &str = include_str!("plans/shares.toml");

#[test]
fn bodies_with_shares_parse() {
    let plan = parse("shares.toml", SHARES);
    assert_eq!(
        plan.indicator("p1-out-01").unwrap().assignments,
        [
            Assignment {
                body: "amed".into(),
                share: Some(20.0)
            },
            Assignment {
                body: "mext".into(),
                share: Some(5.0)
            },
        ]
    );
    assert_eq!(
        plan.indicator("p1-out-02").unwrap().assignments,
        [
            Assignment {
                body: "mext".into(),
                share: None
            },
            Assignment {
                body: "mhlw".into(),
                share: None
            },
        ]
    );
}

#[test]
fn bodies_with_shares_evaluate_per_body() {
    let plan = parse("shares.toml", SHARES);
    let actuals = vec![
        num("p1-out-01", 2020, "amed", 4.0),
        num("p1-out-01", 2020, "mext", 1.0),
        num("p1-out-01", 2021, "amed", 5.0),
        num("p1-out-02", 2020, "mext", 1.0),
        num("p1-out-02", 2020, "mhlw", 2.0),
        num("p1-out-02", 2021, "mhlw", 1.0),
        num("p1-out-02", 2021, "mext", 1.0),
    ];
    // FY2021: C = 10 = E = 25·2/5.
    let e = evaluate(&plan, &actuals, 2021);
    let i = eval_of(&e, "p1-out-01");
    assert_eq!(i.status, Status::OnTrack);
    assert_close!(i.cumulative, 10.0);
    assert_close!(i.expected, 10.0);
    assert_eq!(i.bodies.len(), 2);
    assert_eq!(i.bodies[0].body, "amed");
    assert_close!(Some(i.bodies[0].cumulative), 9.0);
    assert_close!(i.bodies[0].share, 20.0);
    assert_close!(i.bodies[0].progress, 0.45);
    assert_eq!(i.bodies[1].body, "mext");
    assert_close!(Some(i.bodies[1].cumulative), 1.0);
    assert_close!(i.bodies[1].progress, 0.2);
    // 文部科学省 did not report FY2021.
    assert_eq!(i.warnings.len(), 1, "{:?}", i.warnings);
    assert!(
        i.warnings[0].contains("文部科学省の報告がありません"),
        "{:?}",
        i.warnings
    );

    // Two bodies without shares: each body's sum, no progress; C = 5, E = 4.
    let j = eval_of(&e, "p1-out-02");
    assert_eq!(j.status, Status::OnTrack);
    assert_close!(j.cumulative, 5.0);
    let parts: Vec<(&str, f64, Option<f64>)> = j
        .bodies
        .iter()
        .map(|b| (b.body.as_str(), b.cumulative, b.progress))
        .collect();
    assert_eq!(parts, [("mext", 2.0, None), ("mhlw", 3.0, None)]);
    assert!(j.warnings.is_empty(), "{:?}", j.warnings);
}

// ---------------------------------------------------------------------------------------------
// Revisions (計画の一部変更)
// ---------------------------------------------------------------------------------------------

const REVISION_1: &str = include_str!("plans/revision-1.toml");
const REVISION_2: &str = include_str!("plans/revision-2.toml");

fn history() -> PlanHistory {
    let r1 = parse("revision-1.toml", REVISION_1);
    let r2 = parse("revision-2.toml", REVISION_2);
    // Given newest first on purpose: the history orders them.
    PlanHistory::new(vec![r2, r1]).unwrap()
}

#[test]
fn revisions_parse() {
    let r1 = parse("revision-1.toml", REVISION_1);
    assert_eq!(r1.revision, 1);
    assert_eq!(r1.effective_from, fy(2020));
    assert_eq!(r1.decided_on.as_deref(), Some("2020-03-27"));
    let r2 = parse("revision-2.toml", REVISION_2);
    assert_eq!(r2.id, r1.id);
    assert_eq!(r2.revision, 2);
    assert_eq!(r2.effective_from, fy(2022));
    assert_eq!(r2.decided_on.as_deref(), Some("2022-04-01"));
    assert!(
        r2.revision_note
            .as_deref()
            .unwrap()
            .contains("25件から30件"),
        "{:?}",
        r2.revision_note
    );
    assert_eq!(
        r2.indicator("p1-out-01")
            .unwrap()
            .target
            .as_ref()
            .and_then(Target::value),
        Some(30.0)
    );
}

#[test]
fn history_puts_the_right_revision_in_force() {
    let h = history();
    let revisions: Vec<u32> = h.versions().iter().map(|p| p.revision).collect();
    assert_eq!(revisions, [1, 2]);
    assert_eq!(h.current().revision, 2);
    for (year, revision) in [(2020, 1), (2021, 1), (2022, 2), (2023, 2), (2024, 2)] {
        assert_eq!(h.in_force(fy(year)).revision, revision, "FY{year}");
    }
}

#[test]
fn evaluation_uses_the_target_of_the_revision_in_force() {
    let h = history();
    let actuals = yearly("p1-out-01", 2020, &[5.0, 5.0, 6.0]);

    // FY2021: revision 1, T = 25, E = 10, C = 10.
    let plan = h.in_force(fy(2021));
    let e = evaluate(plan, &actuals, 2021);
    assert_eq!(e.revision, 1);
    let i = eval_of(&e, "p1-out-01");
    assert_close!(i.target, 25.0);
    assert_close!(i.expected, 10.0);
    assert_eq!(i.status, Status::OnTrack);

    // FY2022: revision 2, T = 30, E = 30·3/5 = 18, C = 16 < 18.
    let plan = h.in_force(fy(2022));
    let e = evaluate(plan, &actuals, 2022);
    assert_eq!(e.revision, 2);
    let i = eval_of(&e, "p1-out-01");
    assert_close!(i.target, 30.0);
    assert_close!(i.expected, 18.0);
    assert_close!(i.cumulative, 16.0);
    assert_eq!(i.status, Status::Insufficient);

    // Under revision 1 the same year would have been on track (E = 15).
    let e = evaluate(&h.versions()[0], &actuals, 2022);
    assert_eq!(eval_of(&e, "p1-out-01").status, Status::OnTrack);
}

#[test]
fn history_refuses_versions_of_another_plan_or_out_of_order() {
    let r1 = parse("revision-1.toml", REVISION_1);
    let other = parse("basic.toml", BASIC);
    assert!(PlanHistory::new(vec![r1.clone(), other]).is_err());
    // Revision 2 taking effect before revision 1.
    let early = parse(
        "revision-2.toml",
        &REVISION_2.replace("effective_from = 2022", "effective_from = 2020"),
    );
    let mut late = r1.clone();
    late.effective_from = fy(2021);
    assert!(PlanHistory::new(vec![late, early]).is_err());
    assert!(PlanHistory::new(vec![r1.clone(), r1]).is_err());
}

// ---------------------------------------------------------------------------------------------
// Bad plan files
// ---------------------------------------------------------------------------------------------

/// A valid plan (lines 1–19) followed by `indicator`: its `[[projects.indicators]]` header is
/// line 20, `id` line 21, `kind` line 23, `measure` line 25, and the extra lines 26 and 27.
fn with_indicator(indicator: &str) -> String {
    format!(
        r#"[plan]
id = "bad"
name = "誤りのある計画"
start_fy = 2020
end_fy = 2024
default_bodies = ["amed"]

[[bodies]]
id = "amed"
name = "日本医療研究開発機構"

[[bodies]]
id = "mext"
name = "文部科学省"

[[projects]]
id = "p1"
name = "医薬品プロジェクト"

{indicator}"#
    )
}

/// A plain count indicator table with the given id, for building files.
fn count(id: &str, extra: &str) -> String {
    format!(
        r#"[[projects.indicators]]
id = "{id}"
name = "非臨床POCの取得件数"
kind = "output"
group = "シーズ研究に関する指標"
measure = "count"
{extra}
"#
    )
}

fn errors(text: &str) -> PlanFileErrors {
    match parse_plan("bad.toml", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e,
    }
}

/// The one error of `text`, displayed.
fn the_error(text: &str) -> String {
    let e = errors(text);
    assert_eq!(e.0.len(), 1, "expected one error, got:\n{e}");
    e.to_string()
}

#[test]
fn error_display_names_file_line_column_and_key() {
    let e = pdca_core::plan_file::PlanFileError {
        file: "plan.toml".into(),
        line: Some(12),
        column: Some(3),
        key: Some("plan.end_fy".into()),
        message: "メッセージ".into(),
    };
    assert_eq!(e.to_string(), "plan.toml:12:3: plan.end_fy: メッセージ");
}

/// The file parses once the mistake is taken out: each test below breaks exactly one thing.
#[test]
fn the_file_the_mistakes_are_made_in_is_valid() {
    let plan = parse(
        "bad.toml",
        &with_indicator(&count("x", "target = { value = 25 }")),
    );
    assert_eq!(plan.indicator("x").unwrap().assignments[0].body, "amed");
}

#[test]
fn unknown_key_is_named_with_the_keys_allowed() {
    let text = with_indicator(&count("x", "target = { value = 25 }\ncolour = \"red\""));
    assert_eq!(
        the_error(&text),
        "bad.toml:27:1: projects[0].indicators[0].colour: 不明なキー `colour` です（使えるキー: \
         `id`, `name`, `kind`, `group`, `management`, `measure`, `unit`, `target`, `parent`, \
         `bodies`, `counting`, `expected_profile`, `note`, `counted_from`, `achievement_tag`）"
    );
    let text = with_indicator(&count("x", "target = { valeu = 25 }"));
    assert_eq!(
        the_error(&text),
        "bad.toml:26:12: projects[0].indicators[0].target.valeu: 不明なキー `valeu` です（使えるキー: \
         `value`, `unit`, `comparator`, `per_year`, `factor`, `baseline_fy`, `deadline_fy`）"
    );
    let text = with_indicator(&count("x", "target = { value = 25 }"))
        .replace("start_fy = 2020", "start_fy = 2020\nstart_year = 2020");
    assert_eq!(
        the_error(&text),
        "bad.toml:5:1: plan.start_year: 不明なキー `start_year` です（使えるキー: `id`, `name`, \
         `start_fy`, `end_fy`, `revision`, `effective_from`, `decided_on`, `revision_note`, \
         `on_track_threshold`, `committee`, `default_bodies`）"
    );
}

#[test]
fn unknown_key_in_a_body_share_is_refused() {
    let text = with_indicator(&count(
        "x",
        "target = { value = 5 }\nbodies = [{ body = \"amed\", shar = 2 }]",
    ));
    assert_eq!(
        the_error(&text),
        "bad.toml:27:10: projects[0].indicators[0].bodies: 報告機関は \"amed\" のようなIDか \
         { body = \"mext\", share = 2 } の表で書きます（表のキーは body と share）"
    );
}

#[test]
fn wrong_type_says_what_was_expected() {
    let text = with_indicator(&count("x", "target = { value = \"25件\" }"));
    assert_eq!(
        the_error(&text),
        "bad.toml:26:20: projects[0].indicators[0].target.value: 型が違います: 数値が必要ですが、\
         文字列 \"25件\" が書かれています"
    );
    let text = with_indicator(&count("x", "target = { value = 25 }"))
        .replace("start_fy = 2020", "start_fy = \"2020\"");
    assert_eq!(
        the_error(&text),
        "bad.toml:4:12: plan.start_fy: 型が違います: 整数が必要ですが、文字列 \"2020\" が書かれています"
    );
    let text = with_indicator(&count("x", "target = 25"));
    let e = the_error(&text);
    assert!(
        e.starts_with("bad.toml:26:10: projects[0].indicators[0].target: 型が違います: 目標の表"),
        "{e}"
    );
}

#[test]
fn unknown_value_of_a_fixed_set_lists_the_values() {
    let text = with_indicator(&count("x", "target = { value = 25 }"))
        .replace("kind = \"output\"", "kind = \"outptu\"");
    assert_eq!(
        the_error(&text),
        "bad.toml:23:8: projects[0].indicators[0].kind: 値 `outptu` は使えません（使える値: `output` or `outcome`）"
    );
}

#[test]
fn missing_key_is_named() {
    let text = with_indicator(&count("x", "target = { value = 25 }"))
        .replace("group = \"シーズ研究に関する指標\"\n", "");
    assert_eq!(
        the_error(&text),
        "bad.toml:20:1: projects[0].indicators[0]: 必須のキー `group` がありません"
    );
}

#[test]
fn duplicate_indicator_id() {
    let text = with_indicator(&format!(
        "{}\n{}",
        count("x", "target = { value = 25 }"),
        count("x", "target = { value = 5 }")
    ));
    assert_eq!(
        the_error(&text),
        "bad.toml:29:6: projects[0].indicators[1].id: 指標ID「x」が重複しています"
    );
}

#[test]
fn unknown_parent() {
    let text = with_indicator(&count(
        "x",
        "target = { value = 5 }\nparent = \"p1-out-99\"",
    ));
    assert_eq!(
        the_error(&text),
        "bad.toml:27:10: projects[0].indicators[0].parent: 親指標「p1-out-99」がありません\
         （同じプロジェクトの指標IDを書いてください）"
    );
}

#[test]
fn parent_rules() {
    let parent = count("a", "target = { value = 5 }");
    // A sub-target larger than its parent.
    let text = with_indicator(&format!(
        "{parent}\n{}",
        count("b", "target = { value = 6 }\nparent = \"a\"")
    ));
    assert_eq!(
        the_error(&text),
        "bad.toml:35:10: projects[0].indicators[1].parent: 内数の目標値 6 が親の目標値 5 を超えています"
    );
    // A sub-target before its parent.
    let text = with_indicator(&format!(
        "{}\n{parent}",
        count("b", "target = { value = 2 }\nparent = \"a\"")
    ));
    assert!(
        the_error(&text).contains("親指標「a」はこの内数より前に置いてください"),
        "{text}"
    );
    // Its own parent.
    let text = with_indicator(&count("a", "target = { value = 2 }\nparent = \"a\""));
    assert!(the_error(&text).contains("自分自身の内数"));
    // Parents only between counts.
    let text = with_indicator(&format!(
        "{parent}\n{}",
        count("b", "parent = \"a\"\nmanagement = true").replace("\"count\"", "\"qualitative\"")
    ));
    assert!(
        the_error(&text).contains("count の指標どうしでだけ"),
        "{text}"
    );
}

#[test]
fn unknown_body() {
    let text = with_indicator(&count(
        "x",
        "target = { value = 5 }\nbodies = [\"amed\", \"mof\"]",
    ));
    assert_eq!(
        the_error(&text),
        "bad.toml:27:19: projects[0].indicators[0].bodies[1]: 報告機関「mof」は [[bodies]] にありません"
    );
    let text = with_indicator(&count("x", "target = { value = 5 }"))
        .replace("default_bodies = [\"amed\"]", "default_bodies = [\"AMED\"]");
    assert_eq!(
        the_error(&text),
        "bad.toml:6:19: plan.default_bodies[0]: 報告機関「AMED」は [[bodies]] にありません"
    );
}

#[test]
fn expected_profile_of_wrong_length_or_sum() {
    let text = with_indicator(&count(
        "x",
        "target = { value = 100 }\nexpected_profile = [10, 20, 30, 40]",
    ));
    assert_eq!(
        the_error(&text),
        "bad.toml:27:20: projects[0].indicators[0].expected_profile: 計画期間の年数（5）と同じ数の値が必要です（4個あります）"
    );
    let text = with_indicator(&count(
        "x",
        "target = { value = 100 }\nexpected_profile = [10, 20, 30, 40, 50]",
    ));
    assert_eq!(
        the_error(&text),
        "bad.toml:27:20: projects[0].indicators[0].expected_profile: 各年の期待値の合計（150）が目標値（100）と一致しません"
    );
    // Only on a count with a target.
    let text = with_indicator(&count("x", "expected_profile = [20, 20, 20, 20, 20]"));
    assert!(the_error(&text).contains("expected_profile は累計型"));
}

#[test]
fn ratio_target_above_100() {
    let text = with_indicator(
        &count("x", "target = { value = 120, unit = \"%\" }")
            .replace("measure = \"count\"", "measure = \"ratio\""),
    );
    assert_eq!(
        the_error(&text),
        "bad.toml:26:10: projects[0].indicators[0].target.value: ratio の目標の value は 0〜100 の百分率です（120 と書かれています）"
    );
}

#[test]
fn milestone_without_deadline() {
    let text = with_indicator(
        &count("x", "target = { }").replace("measure = \"count\"", "measure = \"milestone\""),
    );
    assert_eq!(
        the_error(&text),
        "bad.toml:26:10: projects[0].indicators[0].target.deadline_fy: milestone の目標には deadline_fy（西暦4桁の年度）が必要です"
    );
}

#[test]
fn qualitative_with_target() {
    let text = with_indicator(
        &count("x", "target = { value = 3 }")
            .replace("measure = \"count\"", "measure = \"qualitative\""),
    );
    assert_eq!(
        the_error(&text),
        "bad.toml:26:10: projects[0].indicators[0].target: 定性的な指標（measure = \"qualitative\"）に目標値は置けません"
    );
    // A management indicator gets the same single message.
    let text = with_indicator(
        &count("x", "target = { value = 3 }\nmanagement = true")
            .replace("measure = \"count\"", "measure = \"qualitative\""),
    );
    assert_eq!(errors(&text).0.len(), 1);
}

#[test]
fn end_fy_before_start_fy() {
    let text = with_indicator(&count("x", "target = { value = 3 }"))
        .replace("end_fy = 2024", "end_fy = 2019");
    assert_eq!(
        the_error(&text),
        "bad.toml:5:10: plan.end_fy: 終了年度 FY2019 が開始年度 FY2020 より前です"
    );
}

#[test]
fn target_keys_that_do_not_fit_the_measure() {
    let text = with_indicator(&count("x", "target = { value = 3, deadline_fy = 2022 }"));
    assert!(
        the_error(&text).starts_with("bad.toml:26:10: projects[0].indicators[0].target.deadline_fy: count の目標に deadline_fy は置けません"),
    );
    let text = with_indicator(
        &count("x", "target = { value = 3, baseline_fy = 2020 }")
            .replace("measure = \"count\"", "measure = \"level\""),
    );
    assert!(the_error(&text).contains("level の目標は value か、factor と baseline_fy の組"));
    let text = with_indicator(
        &count(
            "x",
            "target = { factor = 0.5, baseline_fy = 2020, comparator = \"at_least\" }",
        )
        .replace("measure = \"count\"", "measure = \"level\""),
    );
    assert!(the_error(&text).contains("target.comparator: factor が1より大きいときは増加"));
}

#[test]
fn revision_effective_outside_the_period() {
    let text = REVISION_2.replace("effective_from = 2022", "effective_from = 2025");
    assert_eq!(
        the_error(&text),
        "bad.toml:10:18: plan.effective_from: 適用年度 FY2025 が計画期間 FY2020〜FY2024 の外です"
    );
}

#[test]
fn syntax_error_gives_the_position() {
    let text = with_indicator(&count("x", "target = { value = = 3 }"));
    let e = the_error(&text);
    assert!(
        e.starts_with("bad.toml:26:20: TOML として読めません: "),
        "{e}"
    );
}

#[test]
fn every_mistake_is_reported_not_only_the_first() {
    let text = with_indicator(&format!(
        "{}\n{}",
        count("x", "target = { value = 5 }\nbodies = [\"mof\"]"),
        count("y", "target = { value = 2 }\nparent = \"zz\"")
    ))
    .replace("end_fy = 2024", "end_fy = 2019");
    let e = errors(&text);
    assert_eq!(e.0.len(), 3, "{e}");
    let lines: Vec<Option<usize>> = e.0.iter().map(|e| e.line).collect();
    assert_eq!(lines, [Some(5), Some(27), Some(36)]);
    assert!(e.0.iter().all(|e| e.file == "bad.toml" && e.key.is_some()));
}

#[test]
fn target_as_a_sub_table_and_mixed_body_forms() {
    let text = with_indicator(&format!(
        "{}\n[projects.indicators.target]\nvalue = 25\nunit = \"件\"\ncomparator = \"at_least\"\n",
        count("x", "bodies = [\"amed\", { body = \"mext\", share = 3 }]")
    ));
    let plan = parse("sub-table.toml", &text);
    let i = plan.indicator("x").unwrap();
    assert_eq!(
        i.target,
        Some(Target::Cumulative {
            value: 25.0,
            comparator: Comparator::AtLeast
        })
    );
    assert_eq!(
        i.assignments,
        [
            Assignment {
                body: "amed".into(),
                share: None
            },
            Assignment {
                body: "mext".into(),
                share: Some(3.0)
            },
        ]
    );
}

#[test]
fn unit_defaults_and_normalisation() {
    let text = with_indicator(&format!(
        "{}\n{}",
        count("a", "target = { value = 75, unit = \"％\" }").replace("\"count\"", "\"ratio\""),
        count("b", "target = { value = 3 }\nunit = \"課題\"")
    ));
    let plan = parse("units.toml", &text);
    assert_eq!(plan.indicator("a").unwrap().unit, "%");
    assert_eq!(plan.indicator("b").unwrap().unit, "課題");
}

#[test]
fn control_characters_in_a_plan_file_are_refused_naming_the_key() {
    let good = include_str!("../plans/medical-rd-2.toml");
    let name_line = good
        .lines()
        .find(|l| l.starts_with("name = "))
        .expect("a plan name");
    let bad = good.replacen(name_line, "name = \"第2期\\u0000計画\"", 1);
    let PlanFileErrors(errors) = parse_plan("bad.toml", &bad).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e.key.as_deref(), Some("plan.name"), "{e}");
    assert!(e.line.is_some(), "{e}");
    assert!(e.message.contains("U+0000"), "{e}");
    // A line break in a running text (a revision note, a definition, a note) is allowed.
    let with_note = good.replacen(
        "revision_note = \"健康・医療戦略推進本部決定\"",
        "revision_note = \"健康・医療戦略推進本部決定\\n\\t（改行とタブ）\"",
        1,
    );
    assert_ne!(with_note, good);
    parse_plan("ok.toml", &with_note).unwrap_or_else(|e| panic!("{e}"));
}
