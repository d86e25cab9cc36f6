#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The evaluation rules, rule by rule, against figures computed here by hand; and properties that
//! hold for any actuals.

use pdca_core::actuals::{ActualValue, Actuals, Contribution};
use pdca_core::evaluation::{
    Evaluation, EvaluationError, Rating, Status, evaluate_indicator, evaluate_plan, p_attain,
};
use pdca_core::fiscal_year::FiscalYear;
use pdca_core::plan::{Comparator, Plan};
use pdca_core::plan_file::parse_plan;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

/// A plan FY2020..=FY(2020 + n − 1) with bodies `amed` and `mext` and the given indicator tables
/// (each a `[[projects.indicators]]` body without its header).
fn plan_n(n: i32, theta: f64, indicators: &[&str]) -> Plan {
    let mut text = format!(
        r#"
[plan]
id = "test"
name = "テスト計画"
start_fy = 2020
end_fy = {end}
on_track_threshold = {theta:?}
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
"#,
        end = 2020 + n - 1
    );
    for ind in indicators {
        text.push_str("\n[[projects.indicators]]\nkind = \"output\"\ngroup = \"g\"\n");
        text.push_str(ind);
        text.push('\n');
    }
    parse_plan("test.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// FY2020–FY2024 (n = 5).
fn plan(theta: f64, indicators: &[&str]) -> Plan {
    plan_n(5, theta, indicators)
}

fn count_indicator(t: f64) -> String {
    format!("id = \"c\"\nname = \"件数\"\nmeasure = \"count\"\ntarget = {{ value = {t:?} }}")
}

fn num(indicator: &str, year: i32, body: &str, v: f64) -> Contribution {
    Contribution {
        indicator: indicator.into(),
        year: fy(year),
        body: body.into(),
        value: ActualValue::Number(v),
    }
}

fn rat(indicator: &str, year: i32, body: &str, numerator: f64, denominator: f64) -> Contribution {
    Contribution {
        indicator: indicator.into(),
        year: fy(year),
        body: body.into(),
        value: ActualValue::Ratio {
            numerator,
            denominator,
        },
    }
}

fn narr(indicator: &str, year: i32, body: &str, text: &str) -> Contribution {
    Contribution {
        indicator: indicator.into(),
        year: fy(year),
        body: body.into(),
        value: ActualValue::Narrative(text.into()),
    }
}

/// `values[i]` is the AMED actual of indicator `c` for FY2020 + i; `None` is no report.
fn counts(values: &[Option<f64>]) -> Actuals {
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| num("c", 2020 + i as i32, "amed", v)))
        .collect()
}

fn eval(plan: &Plan, actuals: &Actuals, id: &str, as_of: i32) -> Evaluation {
    let indicator = plan.indicator(id).unwrap();
    let e = evaluate_indicator(plan, indicator, actuals, fy(as_of));
    // The whole-plan evaluation gives the same figures (compared as text: NaN ≠ NaN).
    let whole = evaluate_plan(plan, actuals, fy(as_of)).unwrap();
    let same = whole.indicators.iter().find(|x| x.id == id).unwrap();
    assert_eq!(format!("{same:?}"), format!("{e:?}"));
    assert_eq!(e.rating, e.status.rating());
    e
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[track_caller]
fn assert_close(a: Option<f64>, b: f64) {
    let a = a.unwrap_or_else(|| panic!("expected Some({b}), got None"));
    assert!(close(a, b, 1e-12 * b.abs().max(1.0)), "{a} != {b}");
}

/// P(X ≥ j) for X negative binomial with shape r and success probability p (failures before the
/// r-th success), summed from the pmf by the recurrence
/// f(0) = p^r, f(x + 1) = f(x)·(x + r)/(x + 1)·(1 − p), independently of any statistics crate.
/// Returns the upper tail summed directly and 1 − the lower sum, which must agree.
fn nb_tail_by_hand(r: f64, p: f64, j: u64) -> (f64, f64) {
    let q = 1.0 - p;
    let mut f = p.powf(r);
    let mut lower = 0.0;
    let mut upper = 0.0;
    let mut x = 0u64;
    let mean = r * q / p;
    loop {
        if x < j {
            lower += f;
        } else {
            upper += f;
        }
        if x as f64 > mean && x >= j && f < 1e-22 {
            break;
        }
        f *= (x as f64 + r) / (x as f64 + 1.0) * q;
        x += 1;
        assert!(x < 10_000_000, "series did not converge");
    }
    (upper, 1.0 - lower)
}

/// p_attain as the spec defines it, computed by hand.
fn p_attain_by_hand(c: f64, t: f64, k: f64, m: f64) -> f64 {
    if c >= t {
        return 1.0;
    }
    if m == 0.0 {
        return 0.0;
    }
    let needed = (t - c).ceil() as u64;
    let (upper, one_minus_lower) = nb_tail_by_hand(0.5 + c, k / (k + m), needed);
    assert!(
        close(upper, one_minus_lower, 1e-12),
        "{upper} vs {one_minus_lower}"
    );
    upper
}

// ---------------------------------------------------------------------------------------------
// Count / at-least targets
// ---------------------------------------------------------------------------------------------

#[test]
fn count_figures_follow_the_formulas() {
    let p = plan(1.0, &[&count_indicator(25.0)]);
    let a = counts(&[Some(4.0), Some(3.0), Some(5.0)]);
    let e = eval(&p, &a, "c", 2022);
    // n = 5, k = 3, C = 12, E = 25·3/5 = 15.
    assert_eq!(e.target, Some(25.0));
    assert_eq!(e.cumulative, Some(12.0));
    assert_close(e.expected, 15.0);
    assert_close(e.progress, 12.0 / 25.0);
    assert_close(e.pace, 12.0 / 15.0);
    assert_close(e.projected_end, 12.0 + (12.0 / 3.0) * 2.0);
    assert_close(e.p_attain, p_attain_by_hand(12.0, 25.0, 3.0, 2.0));
    assert_eq!(e.value, None);
    assert_eq!(e.narrative, None);
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
    assert!(e.bodies.is_empty());
    assert_eq!(e.status, Status::Insufficient);
    assert_eq!(e.rating, Some(Rating::B));
}

#[test]
fn count_achieved_exactly_at_the_target() {
    let p = plan(1.0, &[&count_indicator(10.0)]);
    let a = counts(&[Some(4.0), Some(3.0), Some(3.0)]);
    let e = eval(&p, &a, "c", 2022);
    assert_eq!(e.cumulative, Some(10.0));
    assert_eq!(e.status, Status::Achieved);
    assert_eq!(e.rating, Some(Rating::A));
    assert_eq!(e.progress, Some(1.0));
    assert_eq!(e.p_attain, Some(1.0));
    // One short is not achieved (but on track: E = 6).
    let a = counts(&[Some(4.0), Some(3.0), Some(2.0)]);
    assert_eq!(eval(&p, &a, "c", 2022).status, Status::OnTrack);
}

#[test]
fn count_achieved_comes_before_a_missing_report() {
    let p = plan(1.0, &[&count_indicator(10.0)]);
    let a = counts(&[Some(10.0)]);
    let e = eval(&p, &a, "c", 2021);
    assert_eq!(e.status, Status::Achieved);
    assert_eq!(e.warnings.len(), 1);
    assert!(e.warnings[0].contains("FY2021"), "{:?}", e.warnings);
}

#[test]
fn count_on_track_exactly_at_the_expected_amount() {
    let p = plan(1.0, &[&count_indicator(25.0)]);
    // k = 2: E = 10.
    let e = eval(&p, &counts(&[Some(6.0), Some(4.0)]), "c", 2021);
    assert_eq!(e.expected, Some(10.0));
    assert_eq!(e.status, Status::OnTrack);
    assert_eq!(e.rating, Some(Rating::A));
    assert_eq!(e.pace, Some(1.0));
    let e = eval(&p, &counts(&[Some(6.0), Some(3.0)]), "c", 2021);
    assert_eq!(e.status, Status::Insufficient);
    assert_eq!(e.rating, Some(Rating::B));
}

#[test]
fn count_threshold_other_than_one() {
    // θ = 0.8: on track from C = 8 when E = 10.
    let p = plan(0.8, &[&count_indicator(25.0)]);
    assert_eq!(p.on_track_threshold, 0.8);
    assert_eq!(
        eval(&p, &counts(&[Some(8.0), Some(0.0)]), "c", 2021).status,
        Status::OnTrack
    );
    assert_eq!(
        eval(&p, &counts(&[Some(7.0), Some(0.0)]), "c", 2021).status,
        Status::Insufficient
    );
    // θ = 1.5: C = 10 = E is no longer enough; C = 15 is.
    let p = plan(1.5, &[&count_indicator(25.0)]);
    assert_eq!(
        eval(&p, &counts(&[Some(5.0), Some(5.0)]), "c", 2021).status,
        Status::Insufficient
    );
    assert_eq!(
        eval(&p, &counts(&[Some(14.0), Some(0.0)]), "c", 2021).status,
        Status::Insufficient
    );
    assert_eq!(
        eval(&p, &counts(&[Some(15.0), Some(0.0)]), "c", 2021).status,
        Status::OnTrack
    );
    // The default threshold is 1.0.
    let text = r#"
[plan]
id = "d"
name = "d"
start_fy = 2020
end_fy = 2024
default_bodies = ["amed"]
[[bodies]]
id = "amed"
name = "AMED"
[[projects]]
id = "p"
name = "p"
[[projects.indicators]]
id = "c"
name = "c"
kind = "output"
group = "g"
measure = "count"
target = { value = 25 }
"#;
    let p = parse_plan("d.toml", text).unwrap();
    assert_eq!(p.on_track_threshold, 1.0);
    assert_eq!(
        eval(&p, &counts(&[Some(5.0), Some(5.0)]), "c", 2021).status,
        Status::OnTrack
    );
    assert_eq!(
        eval(&p, &counts(&[Some(5.0), Some(4.0)]), "c", 2021).status,
        Status::Insufficient
    );
}

#[test]
fn count_fewer_than_one_event_expected_is_not_evaluable() {
    // T = 2, n = 5, k = 1: E = 0.4.
    let p = plan(1.0, &[&count_indicator(2.0)]);
    let e = eval(&p, &counts(&[Some(0.0)]), "c", 2020);
    assert_close(e.expected, 0.4);
    assert_eq!(e.cumulative, Some(0.0));
    assert_eq!(e.status, Status::NotEvaluable);
    assert_eq!(e.rating, Some(Rating::N));
    assert!(e.warnings.is_empty());
    // The figures are still given.
    assert_eq!(e.progress, Some(0.0));
    assert_eq!(e.pace, Some(0.0));
    assert_close(e.p_attain, p_attain_by_hand(0.0, 2.0, 1.0, 4.0));
    // One event is on track (1 ≥ 0.4).
    assert_eq!(
        eval(&p, &counts(&[Some(1.0)]), "c", 2020).status,
        Status::OnTrack
    );
    // E = 1 exactly is not "fewer than one": insufficient.
    let p = plan(1.0, &[&count_indicator(5.0)]);
    let e = eval(&p, &counts(&[Some(0.0)]), "c", 2020);
    assert_eq!(e.expected, Some(1.0));
    assert_eq!(e.status, Status::Insufficient);
}

#[test]
fn count_missing_as_of_year_is_not_evaluable() {
    let p = plan(1.0, &[&count_indicator(25.0)]);
    // C = 20 ≥ E = 15, but FY2022 has no report.
    let e = eval(&p, &counts(&[Some(10.0), Some(10.0), None]), "c", 2022);
    assert_eq!(e.status, Status::NotEvaluable);
    assert_eq!(e.rating, Some(Rating::N));
    assert_eq!(e.cumulative, Some(20.0));
    assert_eq!(e.expected, Some(15.0));
    assert_eq!(e.warnings.len(), 1);
    assert!(e.warnings[0].contains("FY2022"), "{:?}", e.warnings);
    assert!(e.warnings[0].contains("未報告"), "{:?}", e.warnings);
    // Nothing reported at all: C is 0 (not −0, which the JSON would show as -0.0).
    let e = eval(&p, &Actuals::new(), "c", 2021);
    assert_eq!(e.status, Status::NotEvaluable);
    assert_eq!(e.cumulative, Some(0.0));
    assert!(e.cumulative.unwrap().is_sign_positive());
    assert!(e.progress.unwrap().is_sign_positive());
    assert_eq!(
        serde_json::to_value(&e).unwrap()["cumulative"].to_string(),
        "0.0"
    );
    assert_eq!(e.warnings.len(), 2);
}

#[test]
fn count_missing_earlier_years_count_zero_with_a_warning() {
    let p = plan(1.0, &[&count_indicator(25.0)]);
    let e = eval(&p, &counts(&[None, Some(6.0)]), "c", 2021);
    assert_eq!(e.cumulative, Some(6.0));
    assert_eq!(e.expected, Some(10.0));
    assert_eq!(e.status, Status::Insufficient);
    assert_eq!(e.warnings.len(), 1);
    assert!(e.warnings[0].contains("FY2020"), "{:?}", e.warnings);
    assert!(e.warnings[0].contains("令和2年度"), "{:?}", e.warnings);
    // Reported later years make up for it.
    let e = eval(&p, &counts(&[None, Some(12.0)]), "c", 2021);
    assert_eq!(e.status, Status::OnTrack);
    assert_eq!(e.warnings.len(), 1);
}

#[test]
fn count_last_year_has_no_remaining_years() {
    let p = plan(1.0, &[&count_indicator(25.0)]);
    let a = counts(&[Some(5.0), Some(5.0), Some(5.0), Some(5.0), Some(4.0)]);
    let e = eval(&p, &a, "c", 2024);
    assert_eq!(e.cumulative, Some(24.0));
    assert_eq!(e.expected, Some(25.0));
    assert_eq!(e.p_attain, Some(0.0));
    assert_eq!(e.projected_end, Some(24.0));
    assert_eq!(e.status, Status::Insufficient);
    let a = counts(&[Some(5.0), Some(5.0), Some(5.0), Some(5.0), Some(5.0)]);
    let e = eval(&p, &a, "c", 2024);
    assert_eq!(e.p_attain, Some(1.0));
    assert_eq!(e.status, Status::Achieved);
    assert_eq!(p_attain(24.0, 25.0, 5.0, 0.0, Comparator::Reach), 0.0);
    assert_eq!(p_attain(25.0, 25.0, 5.0, 0.0, Comparator::Reach), 1.0);
}

#[test]
fn count_at_least_evaluates_like_reach() {
    let ind = "id = \"c\"\nname = \"2件以上\"\nmeasure = \"count\"\ntarget = { value = 2, comparator = \"at_least\" }";
    let p = plan(1.0, &[ind]);
    // E = 0.4·k.
    let e = eval(&p, &counts(&[Some(0.0)]), "c", 2020);
    assert_eq!(e.status, Status::NotEvaluable);
    let e = eval(&p, &counts(&[Some(0.0), Some(0.0), Some(0.0)]), "c", 2022);
    assert_close(e.expected, 1.2);
    assert_eq!(e.status, Status::Insufficient);
    let e = eval(&p, &counts(&[Some(0.0), Some(3.0)]), "c", 2021);
    assert_eq!(e.status, Status::Achieved);
    assert_eq!(e.p_attain, Some(1.0));
}

#[test]
fn count_expected_profile_replaces_the_linear_expectation() {
    let ind = "id = \"c\"\nname = \"件数\"\nmeasure = \"count\"\ntarget = { value = 25 }\nexpected_profile = [1, 2, 5, 8, 9]";
    let p = plan(1.0, &[ind]);
    // k = 2: E = 1 + 2 = 3 (the linear E would be 10).
    let e = eval(&p, &counts(&[Some(1.0), Some(2.0)]), "c", 2021);
    assert_eq!(e.expected, Some(3.0));
    assert_eq!(e.pace, Some(1.0));
    assert_eq!(e.status, Status::OnTrack);
    let e = eval(&p, &counts(&[Some(1.0), Some(1.0)]), "c", 2021);
    assert_eq!(e.status, Status::Insufficient);
    // p_attain and projected_end do not depend on the profile.
    assert_close(e.p_attain, p_attain_by_hand(2.0, 25.0, 2.0, 3.0));
    assert_close(e.projected_end, 2.0 + 1.0 * 3.0);
    // k = 4: E = 16.
    let e = eval(
        &p,
        &counts(&[Some(4.0), Some(4.0), Some(4.0), Some(4.0)]),
        "c",
        2023,
    );
    assert_eq!(e.expected, Some(16.0));
    assert_eq!(e.status, Status::OnTrack);
    // A profile with fewer than one event expected so far.
    let ind = "id = \"c\"\nname = \"件数\"\nmeasure = \"count\"\ntarget = { value = 3 }\nexpected_profile = [0.5, 0.25, 0.25, 1, 1]";
    let p = plan(1.0, &[ind]);
    let e = eval(&p, &counts(&[Some(0.0), Some(0.0)]), "c", 2021);
    assert_eq!(e.expected, Some(0.75));
    assert_eq!(e.status, Status::NotEvaluable);
    let e = eval(&p, &counts(&[Some(0.0), Some(0.0), Some(0.0)]), "c", 2022);
    assert_eq!(e.expected, Some(1.0));
    assert_eq!(e.status, Status::Insufficient);
    // Nothing expected yet: C = 0 ≥ θ·0 is on track; the pace C/0 is undefined.
    let ind = "id = \"c\"\nname = \"件数\"\nmeasure = \"count\"\ntarget = { value = 3 }\nexpected_profile = [0, 0, 1, 1, 1]";
    let p = plan(1.0, &[ind]);
    let e = eval(&p, &counts(&[Some(0.0)]), "c", 2020);
    assert_eq!(e.expected, Some(0.0));
    assert_eq!(e.pace, None);
    assert_eq!(e.status, Status::OnTrack);
}

#[test]
fn p_attain_matches_the_negative_binomial_summed_by_hand() {
    // (C, T, k, m)
    let cases = [
        (0.0, 2.0, 1.0, 4.0),
        (3.0, 10.0, 2.0, 3.0),
        (12.0, 25.0, 3.0, 2.0),
        (7.0, 25.0, 3.0, 2.0),
        (12.0, 13.0, 4.0, 1.0),
        (0.0, 1.0, 4.0, 1.0),
        (40.0, 130.0, 2.0, 3.0),
        (300.0, 650.0, 2.0, 3.0),
        (3.0, 10.5, 2.0, 3.0),
        (2.5, 10.0, 2.0, 3.0),
        (1.0, 50.0, 1.0, 9.0),
    ];
    for (c, t, k, m) in cases {
        let expected = p_attain_by_hand(c, t, k, m);
        let got = p_attain(c, t, k, m, Comparator::Reach);
        assert!(
            close(got, expected, 1e-9),
            "C={c} T={t} k={k} m={m}: {got} vs {expected}"
        );
        assert_eq!(p_attain(c, t, k, m, Comparator::AtLeast), got);
    }
    // Spot values: with C = 0, k = 1, m = 4 the count is NB(0.5, 1/5), P(X ≥ 2) = 1 − f(0) − f(1)
    // with f(0) = 0.2^0.5 and f(1) = 0.5·0.8·f(0).
    let f0 = 0.2f64.sqrt();
    let by_formula = 1.0 - f0 - 0.5 * 0.8 * f0;
    assert!(close(
        p_attain(0.0, 2.0, 1.0, 4.0, Comparator::Reach),
        by_formula,
        1e-12
    ));
    // With one to go the answer is 1 − P(X = 0) = 1 − (k/(k+m))^(0.5+C).
    let one_to_go = 1.0 - (4.0f64 / 5.0).powf(12.5);
    assert!(close(
        p_attain(12.0, 13.0, 4.0, 1.0, Comparator::Reach),
        one_to_go,
        1e-12
    ));
}

#[test]
fn the_hand_summed_distribution_has_the_posterior_predictive_mean() {
    // Gamma(0.5 + C, rate k) yearly rate over m years: mean (0.5 + C)·m/k.
    for (c, k, m) in [
        (0.0f64, 1.0f64, 4.0f64),
        (3.0, 2.0, 3.0),
        (12.0, 3.0, 2.0),
        (40.0, 4.0, 1.0),
    ] {
        let (r, p) = (0.5 + c, k / (k + m));
        let q = 1.0 - p;
        let (mut f, mut x, mut mean, mut total) = (p.powf(r), 0.0, 0.0, 0.0);
        while x < 10_000.0 {
            mean += x * f;
            total += f;
            f *= (x + r) / (x + 1.0) * q;
            x += 1.0;
        }
        assert!(close(total, 1.0, 1e-12));
        assert!(close(mean, (0.5 + c) * m / k, 1e-9), "{mean}");
    }
}

#[test]
fn p_attain_in_the_evaluation_uses_k_and_the_remaining_years() {
    let p = plan(1.0, &[&count_indicator(25.0)]);
    for (values, y) in [
        (&[Some(3.0)][..], 2020),
        (&[Some(3.0), Some(5.0)][..], 2021),
        (&[Some(3.0), None, Some(5.0)][..], 2022),
        (&[Some(3.0), Some(4.0), Some(5.0), Some(6.0)][..], 2023),
    ] {
        let e = eval(&p, &counts(values), "c", y);
        let c: f64 = values.iter().flatten().sum();
        let k = f64::from(y - 2019);
        let expected = p_attain_by_hand(c, 25.0, k, 5.0 - k);
        assert!(
            close(e.p_attain.unwrap(), expected, 1e-9),
            "{y}: {:?} vs {expected}",
            e.p_attain
        );
    }
}

#[test]
fn p_attain_is_undefined_for_impossible_counts() {
    // Import refuses negative counts, but the engine must not panic on them.
    for c in [-0.5, -1.0, -1e300, f64::NAN] {
        let v = p_attain(c, 10.0, 2.0, 3.0, Comparator::Reach);
        assert!(v.is_nan(), "{c}: {v}");
        let v = p_attain(c, 10.0, 2.0, 3.0, Comparator::AtMost);
        assert!(v.is_nan(), "{c}: {v}");
    }
    let p = plan(1.0, &[&count_indicator(25.0)]);
    let e = eval(&p, &counts(&[Some(1.0), Some(-1.5)]), "c", 2021);
    assert_eq!(e.cumulative, Some(-0.5));
    assert_eq!(e.p_attain, None);
    assert_eq!(e.status, Status::Insufficient);
}

// ---------------------------------------------------------------------------------------------
// Percentage targets
// ---------------------------------------------------------------------------------------------

fn ratio_plan() -> Plan {
    plan(
        1.0,
        &[
            "id = \"r\"\nname = \"割合\"\nmeasure = \"ratio\"\ntarget = { value = 75, unit = \"%\" }\nbodies = [\"amed\", \"mext\"]",
        ],
    )
}

#[track_caller]
fn assert_ratio_fields_null(e: &Evaluation) {
    assert_eq!(e.cumulative, None);
    assert_eq!(e.expected, None);
    assert_eq!(e.progress, None);
    assert_eq!(e.pace, None);
    assert_eq!(e.projected_end, None);
    assert_eq!(e.p_attain, None);
    assert_eq!(e.narrative, None);
    assert!(e.bodies.is_empty());
}

#[test]
fn ratio_on_track_at_the_target_before_the_last_year() {
    let p = ratio_plan();
    let a: Actuals = [
        rat("r", 2020, "amed", 8.0, 10.0),
        rat("r", 2020, "mext", 0.0, 0.0),
        rat("r", 2021, "amed", 4.0, 6.0),
        rat("r", 2021, "mext", 3.0, 4.0),
    ]
    .into_iter()
    .collect();
    let e = eval(&p, &a, "r", 2021);
    // 100·15/20 = 75.
    assert_eq!(e.value, Some(75.0));
    assert_eq!(e.target, Some(75.0));
    assert_eq!(e.status, Status::OnTrack);
    assert_eq!(e.rating, Some(Rating::A));
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
    assert_ratio_fields_null(&e);
}

#[test]
fn ratio_below_the_target_is_insufficient() {
    let p = ratio_plan();
    let a: Actuals = [
        rat("r", 2020, "amed", 7.0, 10.0),
        rat("r", 2021, "amed", 7.0, 10.0),
    ]
    .into_iter()
    .collect();
    let e = eval(&p, &a, "r", 2021);
    assert_close(e.value, 70.0);
    assert_eq!(e.status, Status::Insufficient);
    assert_eq!(e.rating, Some(Rating::B));
    assert_ratio_fields_null(&e);
    // mext did not report in FY2021: a warning.
    assert_eq!(e.warnings.len(), 1);
    assert!(e.warnings[0].contains("文部科学省"), "{:?}", e.warnings);
}

#[test]
fn ratio_achieved_only_in_the_last_year() {
    let p = ratio_plan();
    let a: Actuals = (2020..=2024)
        .flat_map(|y| [rat("r", y, "amed", 3.0, 4.0), rat("r", y, "mext", 0.0, 0.0)])
        .collect();
    assert_eq!(eval(&p, &a, "r", 2023).status, Status::OnTrack);
    let e = eval(&p, &a, "r", 2024);
    assert_eq!(e.value, Some(75.0));
    assert_eq!(e.status, Status::Achieved);
    assert_eq!(e.rating, Some(Rating::A));
    assert_ratio_fields_null(&e);
    // Below the target in the last year is insufficient.
    let a: Actuals = (2020..=2024)
        .flat_map(|y| [rat("r", y, "amed", 2.0, 4.0), rat("r", y, "mext", 0.0, 0.0)])
        .collect();
    assert_eq!(eval(&p, &a, "r", 2024).status, Status::Insufficient);
}

#[test]
fn ratio_with_no_denominator_is_not_evaluable() {
    let p = ratio_plan();
    let a: Actuals = [
        rat("r", 2020, "amed", 0.0, 0.0),
        rat("r", 2020, "mext", 0.0, 0.0),
        rat("r", 2021, "amed", 0.0, 0.0),
        rat("r", 2021, "mext", 0.0, 0.0),
    ]
    .into_iter()
    .collect();
    for y in [2020, 2021] {
        let e = eval(&p, &a, "r", y);
        assert_eq!(e.value, None);
        assert_eq!(e.status, Status::NotEvaluable);
        assert_eq!(e.rating, Some(Rating::N));
        assert_ratio_fields_null(&e);
    }
}

#[test]
fn ratio_missing_years() {
    let p = ratio_plan();
    let a: Actuals = [
        rat("r", 2020, "amed", 9.0, 10.0),
        rat("r", 2020, "mext", 9.0, 10.0),
    ]
    .into_iter()
    .collect();
    // The as-of year has no report: not evaluable, though the value so far is known.
    let e = eval(&p, &a, "r", 2021);
    assert_eq!(e.status, Status::NotEvaluable);
    assert_eq!(e.value, Some(90.0));
    assert_eq!(e.warnings.len(), 1);
    assert!(e.warnings[0].contains("FY2021"));
    assert_ratio_fields_null(&e);
    // An earlier year missing: the value is over the years reported, with a warning.
    let a: Actuals = [
        rat("r", 2021, "amed", 1.0, 2.0),
        rat("r", 2021, "mext", 3.0, 2.0),
    ]
    .into_iter()
    .collect();
    let e = eval(&p, &a, "r", 2021);
    assert_eq!(e.value, Some(100.0));
    assert_eq!(e.status, Status::OnTrack);
    assert_eq!(e.warnings.len(), 1);
    assert!(e.warnings[0].contains("FY2020"));
}

// ---------------------------------------------------------------------------------------------
// Sub-targets, qualitative indicators, bodies
// ---------------------------------------------------------------------------------------------

#[test]
fn sub_targets_evaluate_like_counts() {
    let p = plan(
        1.0,
        &[
            &count_indicator(25.0),
            "id = \"c-sub\"\nname = \"うち企業導出\"\nmeasure = \"count\"\ntarget = { value = 5 }\nparent = \"c\"",
        ],
    );
    let a: Actuals = [
        num("c", 2020, "amed", 6.0),
        num("c", 2021, "amed", 6.0),
        num("c-sub", 2020, "amed", 1.0),
        num("c-sub", 2021, "amed", 0.0),
    ]
    .into_iter()
    .collect();
    let parent = eval(&p, &a, "c", 2021);
    assert_eq!(parent.cumulative, Some(12.0));
    assert_eq!(parent.status, Status::OnTrack);
    let sub = eval(&p, &a, "c-sub", 2021);
    // T = 5, k = 2: E = 2, C = 1.
    assert_eq!(sub.target, Some(5.0));
    assert_eq!(sub.cumulative, Some(1.0));
    assert_eq!(sub.expected, Some(2.0));
    assert_eq!(sub.progress, Some(0.2));
    assert_eq!(sub.pace, Some(0.5));
    assert_eq!(sub.value, None);
    assert_close(sub.p_attain, p_attain_by_hand(1.0, 5.0, 2.0, 3.0));
    assert_eq!(sub.status, Status::Insufficient);
    // As of FY2020 the sub-target expects 1 and has it.
    assert_eq!(eval(&p, &a, "c-sub", 2020).status, Status::OnTrack);
    // E = 1 at k = 1 is not below one; with C = 0 that is insufficient.
    let a0: Actuals = [num("c-sub", 2020, "amed", 0.0)].into_iter().collect();
    assert_eq!(eval(&p, &a0, "c-sub", 2020).status, Status::Insufficient);
    // A sub-target's missing as-of year is not evaluable, like any count.
    assert_eq!(eval(&p, &a, "c-sub", 2022).status, Status::NotEvaluable);
}

#[test]
fn qualitative_carries_the_latest_narrative() {
    let p = plan(
        1.0,
        &["id = \"q\"\nname = \"状況\"\nmeasure = \"qualitative\"\nmanagement = true"],
    );
    let a: Actuals = [
        narr("q", 2020, "amed", "着手した"),
        narr("q", 2022, "amed", "拠点を整備した"),
        narr("q", 2024, "amed", "完了した"),
    ]
    .into_iter()
    .collect();
    let e = eval(&p, &a, "q", 2020);
    assert_eq!(e.narrative.as_deref(), Some("着手した"));
    assert!(e.warnings.is_empty());
    let e = eval(&p, &a, "q", 2021);
    assert_eq!(e.narrative.as_deref(), Some("着手した"));
    assert_eq!(e.warnings.len(), 1);
    assert!(e.warnings[0].contains("FY2021"));
    let e = eval(&p, &a, "q", 2023);
    assert_eq!(e.narrative.as_deref(), Some("拠点を整備した"));
    assert_eq!(e.status, Status::NotRated);
    assert_eq!(e.rating, None);
    assert_eq!(e.target, None);
    assert_eq!(e.cumulative, None);
    assert_eq!(e.expected, None);
    assert_eq!(e.progress, None);
    assert_eq!(e.pace, None);
    assert_eq!(e.projected_end, None);
    assert_eq!(e.value, None);
    assert_eq!(e.p_attain, None);
    assert_eq!(
        eval(&p, &a, "q", 2024).narrative.as_deref(),
        Some("完了した")
    );
    // Nothing yet.
    let e = eval(&p, &Actuals::new(), "q", 2022);
    assert_eq!(e.narrative, None);
    assert_eq!(e.status, Status::NotRated);
}

#[test]
fn qualitative_with_several_bodies_names_each() {
    let p = plan(
        1.0,
        &["id = \"q\"\nname = \"状況\"\nmeasure = \"qualitative\"\nbodies = [\"amed\", \"mext\"]"],
    );
    let a: Actuals = [
        narr("q", 2021, "amed", "公募を実施した"),
        narr("q", 2021, "mext", "拠点を選定した"),
    ]
    .into_iter()
    .collect();
    let e = eval(&p, &a, "q", 2022);
    assert_eq!(
        e.narrative.as_deref(),
        Some("【日本医療研究開発機構】公募を実施した\n【文部科学省】拠点を選定した")
    );
}

#[test]
fn several_bodies_sum_and_show_their_shares() {
    let p = plan(
        1.0,
        &[
            "id = \"c\"\nname = \"件数\"\nmeasure = \"count\"\ntarget = { value = 25 }\nbodies = [{ body = \"amed\", share = 15 }, { body = \"mext\", share = 10 }]",
        ],
    );
    let a: Actuals = [
        num("c", 2020, "amed", 3.0),
        num("c", 2020, "mext", 2.0),
        num("c", 2021, "amed", 1.0),
        // A second value for the same body and year replaces the first.
        num("c", 2021, "amed", 4.0),
    ]
    .into_iter()
    .collect();
    let e = eval(&p, &a, "c", 2021);
    assert_eq!(e.cumulative, Some(9.0));
    assert_eq!(e.status, Status::Insufficient);
    assert_eq!(e.bodies.len(), 2);
    assert_eq!(e.bodies[0].body, "amed");
    assert_eq!(e.bodies[0].cumulative, 7.0);
    assert_eq!(e.bodies[0].share, Some(15.0));
    assert_close(e.bodies[0].progress, 7.0 / 15.0);
    assert_eq!(e.bodies[1].body, "mext");
    assert_eq!(e.bodies[1].cumulative, 2.0);
    assert_eq!(e.bodies[1].share, Some(10.0));
    assert_close(e.bodies[1].progress, 0.2);
    // mext did not report for FY2021.
    assert_eq!(e.warnings.len(), 1);
    assert!(e.warnings[0].contains("文部科学省"), "{:?}", e.warnings);
    assert!(e.warnings[0].contains("FY2021"), "{:?}", e.warnings);
    // The bodies' sums add up to C.
    let total: f64 = e.bodies.iter().map(|b| b.cumulative).sum();
    assert_eq!(Some(total), e.cumulative);
}

#[test]
fn bodies_are_listed_for_several_bodies_or_a_share() {
    let two = plan(
        1.0,
        &[
            "id = \"c\"\nname = \"件数\"\nmeasure = \"count\"\ntarget = { value = 25 }\nbodies = [\"amed\", \"mext\"]",
        ],
    );
    let a: Actuals = [num("c", 2020, "amed", 3.0), num("c", 2020, "mext", 2.0)]
        .into_iter()
        .collect();
    let e = eval(&two, &a, "c", 2020);
    assert_eq!(e.cumulative, Some(5.0));
    assert_eq!(e.status, Status::OnTrack);
    assert_eq!(e.bodies.len(), 2);
    assert!(
        e.bodies
            .iter()
            .all(|b| b.share.is_none() && b.progress.is_none())
    );
    assert_eq!(e.bodies[1].cumulative, 2.0);
    // One body without a share: no breakdown.
    let one = plan(1.0, &[&count_indicator(25.0)]);
    assert!(eval(&one, &a, "c", 2020).bodies.is_empty());
    // One body with a share: listed.
    let share = plan(
        1.0,
        &[
            "id = \"c\"\nname = \"件数\"\nmeasure = \"count\"\ntarget = { value = 25 }\nbodies = [{ body = \"amed\", share = 2 }]",
        ],
    );
    let e = eval(&share, &a, "c", 2020);
    assert_eq!(e.bodies.len(), 1);
    assert_close(e.bodies[0].progress, 1.5);
    // A zero share has no progress.
    let zero = plan(
        1.0,
        &[
            "id = \"c\"\nname = \"件数\"\nmeasure = \"count\"\ntarget = { value = 25 }\nbodies = [{ body = \"amed\", share = 0 }, \"mext\"]",
        ],
    );
    let e = eval(&zero, &a, "c", 2020);
    assert_eq!(e.bodies[0].share, Some(0.0));
    assert_eq!(e.bodies[0].progress, None);
}

// ---------------------------------------------------------------------------------------------
// Ratings
// ---------------------------------------------------------------------------------------------

#[test]
fn committee_ratings() {
    assert_eq!(Status::Achieved.rating(), Some(Rating::A));
    assert_eq!(Status::OnTrack.rating(), Some(Rating::A));
    assert_eq!(Status::Insufficient.rating(), Some(Rating::B));
    assert_eq!(Status::NotEvaluable.rating(), Some(Rating::N));
    assert_eq!(Status::NotRated.rating(), None);
    assert_eq!(Status::Achieved.as_str(), "achieved");
    assert_eq!(Status::OnTrack.as_str(), "on_track");
    assert_eq!(Status::Insufficient.as_str(), "insufficient");
    assert_eq!(Status::NotEvaluable.as_str(), "not_evaluable");
    assert_eq!(Status::NotRated.as_str(), "not_rated");
    assert_eq!(Rating::A.label(), "順調に進捗している");
    assert_eq!(Rating::B.label(), "進捗が不十分");
    assert_eq!(Rating::N.label(), "現時点で評価が困難");
    assert_eq!(
        serde_json::to_string(&Status::OnTrack).unwrap(),
        "\"on_track\""
    );
    assert_eq!(serde_json::to_string(&Rating::N).unwrap(), "\"N\"");
}

#[test]
fn undefined_fields_serialise_as_null() {
    let p = plan(1.0, &[&count_indicator(25.0)]);
    let e = eval(&p, &counts(&[Some(3.0)]), "c", 2020);
    let json = serde_json::to_value(&e).unwrap();
    assert!(json["value"].is_null());
    assert!(json["narrative"].is_null());
    assert_eq!(json["status"], "insufficient");
    assert_eq!(json["rating"], "B");
}

#[test]
fn as_of_outside_the_period_is_refused() {
    let p = plan(1.0, &[&count_indicator(25.0)]);
    for y in [2019, 2025] {
        let err = evaluate_plan(&p, &Actuals::new(), fy(y)).unwrap_err();
        assert!(matches!(err, EvaluationError::OutsidePeriod { .. }));
    }
}

// ---------------------------------------------------------------------------------------------
// The other target forms (README rules)
// ---------------------------------------------------------------------------------------------

#[test]
fn per_year_target_with_a_total() {
    let ind = "id = \"y\"\nname = \"年130件\"\nmeasure = \"count\"\ntarget = { per_year = 130, value = 650 }";
    let p = plan(1.0, &[ind]);
    let a: Actuals = [num("y", 2020, "amed", 140.0), num("y", 2021, "amed", 125.0)]
        .into_iter()
        .collect();
    let e = eval(&p, &a, "y", 2021);
    assert_eq!(e.target, Some(650.0));
    assert_eq!(e.cumulative, Some(265.0));
    assert_eq!(e.expected, Some(260.0));
    assert_eq!(e.value, Some(125.0));
    assert_eq!(e.status, Status::OnTrack);
    assert_close(e.p_attain, p_attain_by_hand(265.0, 650.0, 2.0, 3.0));
    // FY2021 is below 130.
    assert_eq!(e.warnings.len(), 1);
    assert!(e.warnings[0].contains("130"), "{:?}", e.warnings);
}

#[test]
fn ceiling_target() {
    let ind = "id = \"x\"\nname = \"10件以下\"\nmeasure = \"count\"\ntarget = { value = 10, comparator = \"at_most\" }";
    let p = plan(1.0, &[ind]);
    let a: Actuals = [num("x", 2020, "amed", 2.0), num("x", 2021, "amed", 2.0)]
        .into_iter()
        .collect();
    let e = eval(&p, &a, "x", 2021);
    assert_eq!(e.status, Status::OnTrack);
    let a: Actuals = [num("x", 2020, "amed", 5.0), num("x", 2021, "amed", 2.0)]
        .into_iter()
        .collect();
    assert_eq!(eval(&p, &a, "x", 2021).status, Status::Insufficient);
    let a: Actuals = [num("x", 2020, "amed", 11.0)].into_iter().collect();
    let e = eval(&p, &a, "x", 2020);
    assert_eq!(e.status, Status::Insufficient);
    assert_eq!(e.p_attain, Some(0.0));
    let a: Actuals = (2020..=2024).map(|y| num("x", y, "amed", 2.0)).collect();
    let e = eval(&p, &a, "x", 2024);
    assert_eq!(e.status, Status::Achieved);
    assert_eq!(e.p_attain, Some(1.0));
}

#[test]
fn level_relative_milestone_and_monitored() {
    let p = plan(
        1.0,
        &[
            "id = \"l\"\nname = \"年間100件\"\nmeasure = \"level\"\ntarget = { value = 100 }",
            "id = \"rel\"\nname = \"2倍\"\nmeasure = \"level\"\ntarget = { factor = 2, baseline_fy = 2019 }",
            "id = \"m\"\nname = \"着手\"\nmeasure = \"milestone\"\ntarget = { deadline_fy = 2022 }",
            "id = \"mon\"\nname = \"件数\"\nmeasure = \"count\"\nmanagement = true",
        ],
    );
    let a: Actuals = [
        num("l", 2020, "amed", 90.0),
        num("l", 2021, "amed", 100.0),
        num("rel", 2019, "amed", 10.0),
        num("rel", 2020, "amed", 13.0),
        num("rel", 2021, "amed", 13.0),
        num("m", 2020, "amed", 0.0),
        num("m", 2021, "amed", 0.0),
        num("m", 2022, "amed", 0.0),
        num("mon", 2020, "amed", 4.0),
        num("mon", 2021, "amed", 5.0),
    ]
    .into_iter()
    .collect();
    let l = eval(&p, &a, "l", 2020);
    assert_eq!(
        (l.status, l.value, l.progress),
        (Status::Insufficient, Some(90.0), Some(0.9))
    );
    assert_eq!(l.p_attain, None);
    assert_eq!(eval(&p, &a, "l", 2021).status, Status::OnTrack);
    // Baseline 10, target 20 by FY2024: FY2020 is 1/5 of the way, 13 is 3/10 of the way.
    let r = eval(&p, &a, "rel", 2020);
    assert_eq!(r.target, Some(20.0));
    assert_close(r.expected, 12.0);
    assert_close(r.progress, 0.3);
    assert_close(r.pace, 1.5);
    assert_eq!(r.status, Status::OnTrack);
    // FY2021: 2/5 of the way expected, 3/10 done.
    assert_eq!(eval(&p, &a, "rel", 2021).status, Status::Insufficient);
    assert_eq!(eval(&p, &a, "m", 2021).status, Status::OnTrack);
    assert_eq!(eval(&p, &a, "m", 2022).status, Status::Insufficient);
    assert_eq!(eval(&p, &a, "m", 2023).status, Status::NotEvaluable);
    let mon = eval(&p, &a, "mon", 2021);
    assert_eq!(
        (mon.status, mon.rating, mon.cumulative),
        (Status::NotRated, None, Some(9.0))
    );
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// A count plan over n years with target t.
fn count_plan(n: i32, t: f64, theta: f64) -> Plan {
    plan_n(n, theta, &[&count_indicator(t)])
}

fn count_actuals(values: &[f64]) -> Actuals {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| num("c", 2020 + i as i32, "amed", *v))
        .collect()
}

/// (n, k, T, θ, actuals for years 1..=k, extra added to one of those years)
fn count_case() -> impl Strategy<Value = (i32, i32, f64, f64, Vec<f64>, usize, f64)> {
    (
        1i32..=10,
        1.0f64..500.0,
        prop_oneof![Just(1.0), 0.5f64..=2.0],
    )
        .prop_flat_map(|(n, t, theta)| (Just(n), 1..=n, Just(t.round()), Just(theta)))
        .prop_flat_map(|(n, k, t, theta)| {
            let len = k as usize;
            (
                Just(n),
                Just(k),
                Just(t),
                Just(theta),
                proptest::collection::vec((0u32..200).prop_map(f64::from), len),
                0..len,
                (0u32..300).prop_map(f64::from),
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn more_events_never_lower_progress_pace_or_p_attain(
        (n, k, t, theta, values, at, extra) in count_case()
    ) {
        let p = count_plan(n, t, theta);
        let y = 2019 + k;
        let lo = eval(&p, &count_actuals(&values), "c", y);
        let mut more = values.clone();
        more[at] += extra;
        let hi = eval(&p, &count_actuals(&more), "c", y);
        let (c_lo, c_hi) = (lo.cumulative.unwrap(), hi.cumulative.unwrap());
        prop_assert!(c_hi >= c_lo);
        prop_assert!(hi.progress.unwrap() >= lo.progress.unwrap());
        if let (Some(a), Some(b)) = (lo.pace, hi.pace) {
            prop_assert!(b >= a);
        }
        let (pa, pb) = (lo.p_attain.unwrap(), hi.p_attain.unwrap());
        prop_assert!((0.0..=1.0).contains(&pa) && (0.0..=1.0).contains(&pb));
        prop_assert!(pb >= pa - 1e-12, "p_attain fell from {} to {}", pa, pb);
        for e in [&lo, &hi] {
            if e.cumulative.unwrap() >= t {
                prop_assert_eq!(e.status, Status::Achieved);
            }
        }
    }

    #[test]
    fn p_attain_is_a_probability_non_decreasing_in_c(
        t in 1u32..2000,
        k in 1u32..=20,
        m in 0u32..=20,
        c in 0u32..2100,
        d in 0u32..50,
    ) {
        let (t, k, m) = (f64::from(t), f64::from(k), f64::from(m));
        let a = p_attain(f64::from(c), t, k, m, Comparator::Reach);
        let b = p_attain(f64::from(c + d), t, k, m, Comparator::Reach);
        prop_assert!((0.0..=1.0).contains(&a), "{}", a);
        prop_assert!((0.0..=1.0).contains(&b), "{}", b);
        prop_assert!(b >= a - 1e-12, "{} then {}", a, b);
        if f64::from(c) >= t {
            prop_assert_eq!(a, 1.0);
        } else if m == 0.0 {
            prop_assert_eq!(a, 0.0);
        }
    }

    #[test]
    fn p_attain_agrees_with_the_hand_sum(
        t in 1u32..200,
        k in 1u32..=10,
        m in 1u32..=10,
        c in 0u32..200,
    ) {
        let (c, t, k, m) = (f64::from(c), f64::from(t), f64::from(k), f64::from(m));
        let got = p_attain(c, t, k, m, Comparator::Reach);
        let want = p_attain_by_hand(c, t, k, m);
        prop_assert!(close(got, want, 1e-9), "{} vs {}", got, want);
    }

    #[test]
    fn reaching_the_target_is_never_insufficient(
        (n, k, t, theta, values, _at, _extra) in count_case(),
        missing in proptest::collection::vec(any::<bool>(), 10),
    ) {
        let p = count_plan(n, t, theta);
        let a: Actuals = values
            .iter()
            .enumerate()
            .filter(|(i, _)| !missing[*i])
            .map(|(i, v)| num("c", 2020 + i as i32, "amed", *v))
            .collect();
        let e = eval(&p, &a, "c", 2019 + k);
        if e.cumulative.unwrap() >= t {
            prop_assert_eq!(e.status, Status::Achieved);
        }
        prop_assert!(e.status != Status::Insufficient || e.cumulative.unwrap() < t);
    }
}

fn any_number() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::MAX),
        Just(f64::MIN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::NAN),
        Just(-0.5),
        Just(0.0),
        Just(1e300),
        (0u64..1000).prop_map(|v| v as f64),
        (0.0f64..1e18),
    ]
}

fn any_value() -> impl Strategy<Value = ActualValue> {
    prop_oneof![
        3 => any_number().prop_map(ActualValue::Number),
        2 => (any_number(), any_number()).prop_map(|(numerator, denominator)| ActualValue::Ratio {
            numerator,
            denominator
        }),
        1 => ".{0,8}".prop_map(ActualValue::Narrative),
    ]
}

fn every_form_plan() -> Plan {
    plan(
        0.9,
        &[
            &count_indicator(25.0),
            "id = \"sub\"\nname = \"うち\"\nmeasure = \"count\"\ntarget = { value = 5 }\nparent = \"c\"\nbodies = [{ body = \"amed\", share = 3 }, { body = \"mext\", share = 2 }]",
            "id = \"prof\"\nname = \"p\"\nmeasure = \"count\"\ntarget = { value = 6 }\nexpected_profile = [0, 1, 1, 2, 2]",
            "id = \"big\"\nname = \"big\"\nmeasure = \"count\"\ntarget = { value = 1e300 }",
            "id = \"least\"\nname = \"2件以上\"\nmeasure = \"count\"\ntarget = { value = 2, comparator = \"at_least\" }",
            "id = \"most\"\nname = \"10件以下\"\nmeasure = \"count\"\ntarget = { value = 10, comparator = \"at_most\" }",
            "id = \"py\"\nname = \"年130件\"\nmeasure = \"count\"\ntarget = { per_year = 130 }",
            "id = \"r\"\nname = \"割合\"\nmeasure = \"ratio\"\ntarget = { value = 75 }\nbodies = [\"amed\", \"mext\"]",
            "id = \"rmost\"\nname = \"割合\"\nmeasure = \"ratio\"\ntarget = { value = 5, comparator = \"at_most\" }",
            "id = \"l\"\nname = \"水準\"\nmeasure = \"level\"\ntarget = { value = 100 }",
            "id = \"lmost\"\nname = \"水準\"\nmeasure = \"level\"\ntarget = { value = 0, comparator = \"at_most\" }",
            "id = \"rel\"\nname = \"2倍\"\nmeasure = \"level\"\ntarget = { factor = 2, baseline_fy = 2019 }",
            "id = \"half\"\nname = \"半減\"\nmeasure = \"level\"\ntarget = { factor = 0.5, baseline_fy = 2021 }",
            "id = \"m\"\nname = \"着手\"\nmeasure = \"milestone\"\ntarget = { deadline_fy = 2022 }",
            "id = \"q\"\nname = \"状況\"\nmeasure = \"qualitative\"\nbodies = [\"amed\", \"mext\"]",
            "id = \"mon\"\nname = \"監視\"\nmeasure = \"count\"\nmanagement = true",
            "id = \"monr\"\nname = \"監視\"\nmeasure = \"ratio\"\nmanagement = true",
            "id = \"monl\"\nname = \"監視\"\nmeasure = \"level\"\nmanagement = true",
        ],
    )
}

const IDS: [&str; 18] = [
    "c", "sub", "prof", "big", "least", "most", "py", "r", "rmost", "l", "lmost", "rel", "half",
    "m", "q", "mon", "monr", "monl",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn evaluation_never_panics(
        reports in proptest::collection::vec(
            (0..IDS.len(), 2018i32..=2025, prop_oneof![Just("amed"), Just("mext"), Just("other")], any_value()),
            0..60,
        ),
        as_of in 2020i32..=2024,
    ) {
        let p = every_form_plan();
        let a: Actuals = reports
            .into_iter()
            .map(|(i, y, body, value)| Contribution {
                indicator: IDS[i].into(),
                year: fy(y),
                body: body.into(),
                value,
            })
            .collect();
        let e = evaluate_plan(&p, &a, fy(as_of)).unwrap();
        prop_assert_eq!(e.indicators.len(), IDS.len());
        for ind in &e.indicators {
            prop_assert_eq!(ind.rating, ind.status.rating());
            if let Some(pa) = ind.p_attain {
                prop_assert!((0.0..=1.0).contains(&pa), "{}: {}", ind.id, pa);
            }
            // Serialising never fails (non-finite figures become null).
            serde_json::to_string(ind).unwrap();
        }
    }

    #[test]
    fn huge_counts_never_panic(
        values in proptest::collection::vec(any_number(), 5),
        t in prop_oneof![1.0f64..1e6, 1e6f64..1e300],
        k in 1i32..=5,
    ) {
        let p = count_plan(5, t, 1.0);
        let e = eval(&p, &count_actuals(&values), "c", 2019 + k);
        if let Some(pa) = e.p_attain {
            prop_assert!((0.0..=1.0).contains(&pa));
        }
        let c = e.cumulative.unwrap();
        if c >= t {
            prop_assert_eq!(e.status, Status::Achieved);
        }
        for k in [1.0, 2.0, 4.0] {
            let pa = p_attain(c, t, k, 5.0 - k, Comparator::Reach);
            prop_assert!(pa.is_nan() || (0.0..=1.0).contains(&pa));
        }
    }
}
