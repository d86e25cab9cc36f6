//! Evaluation of a synthetic catalogue: 1,000 plans × 50 indicators × 5 years (mostly counts, some
//! ratios, a few sub-targets and qualitative indicators), every actual present.
//!
//! Run with `cargo bench -p pdca-core --bench evaluate`. The target is under 50 ms for the whole
//! catalogue.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::LazyLock;

use pdca_core::actuals::{ActualValue, Actuals, Contribution};
use pdca_core::evaluation::evaluate_plan;
use pdca_core::fiscal_year::FiscalYear;
use pdca_core::plan::{
    Assignment, Body, Comparator, CountedFrom, Counting, Indicator, IndicatorKind, Measure, Period,
    Plan, Project, Target,
};

const PLANS: usize = 1_000;
const INDICATORS: usize = 50;
const START: i32 = 2020;
const END: i32 = 2024;

fn main() {
    divan::main();
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).expect("fiscal year in range")
}

/// A small deterministic generator so the catalogue is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn indicator(
    id: String,
    measure: Measure,
    target: Option<Target>,
    bodies: &[Assignment],
) -> Indicator {
    Indicator {
        name: format!("指標 {id}"),
        id,
        kind: IndicatorKind::Output,
        group: "シーズ研究に関する指標".into(),
        management: target.is_none(),
        measure,
        unit: match measure {
            Measure::Ratio => "%".into(),
            Measure::Qualitative => String::new(),
            _ => "件".into(),
        },
        target,
        parent: None,
        assignments: bodies.to_vec(),
        counting: Counting::FiscalYear,
        expected_profile: None,
        note: None,
        counted_from: CountedFrom::Reported,
        achievement_tag: None,
    }
}

fn catalogue() -> Vec<(Plan, Actuals)> {
    let mut rng = Lcg(0x5eed);
    let one = [Assignment {
        body: "amed".into(),
        share: None,
    }];
    let two = [
        Assignment {
            body: "amed".into(),
            share: Some(15.0),
        },
        Assignment {
            body: "mext".into(),
            share: Some(10.0),
        },
    ];
    (0..PLANS)
        .map(|p| {
            let mut indicators = Vec::with_capacity(INDICATORS);
            let mut contributions = Vec::new();
            for i in 0..INDICATORS {
                let id = format!("p{p}-i{i:02}");
                // 40 counts (every fifth one reported by two bodies), 4 sub-targets of the count
                // before them, 4 ratios and 2 qualitative indicators.
                let (ind, values): (Indicator, Vec<(String, ActualValue)>) = match i {
                    0..=39 if i % 10 == 9 => {
                        let t = 10 + rng.below(40);
                        let mut ind = indicator(
                            id,
                            Measure::Count,
                            Some(Target::Cumulative {
                                value: t as f64,
                                comparator: Comparator::Reach,
                            }),
                            &one,
                        );
                        ind.parent = Some(format!("p{p}-i{:02}", i - 1));
                        (ind, vec![("amed".into(), ActualValue::Number(0.0))])
                    }
                    0..=39 => {
                        let t = 20 + rng.below(200);
                        let bodies: &[Assignment] = if i % 5 == 0 { &two } else { &one };
                        let ind = indicator(
                            id,
                            Measure::Count,
                            Some(Target::Cumulative {
                                value: t as f64,
                                comparator: if i % 7 == 0 {
                                    Comparator::AtLeast
                                } else {
                                    Comparator::Reach
                                },
                            }),
                            bodies,
                        );
                        let values = bodies
                            .iter()
                            .map(|a| (a.body.clone(), ActualValue::Number(0.0)))
                            .collect();
                        (ind, values)
                    }
                    40..=43 => {
                        let ind = indicator(
                            id,
                            Measure::Ratio,
                            Some(Target::Ratio {
                                value: 50.0 + rng.below(40) as f64,
                                comparator: Comparator::AtLeast,
                            }),
                            &one,
                        );
                        (ind, vec![("amed".into(), ActualValue::Number(0.0))])
                    }
                    44..=47 => {
                        let ind = indicator(
                            id,
                            Measure::Count,
                            Some(Target::Cumulative {
                                value: (30 + rng.below(100)) as f64,
                                comparator: Comparator::Reach,
                            }),
                            &one,
                        );
                        (ind, vec![("amed".into(), ActualValue::Number(0.0))])
                    }
                    _ => {
                        let ind = indicator(id, Measure::Qualitative, None, &one);
                        (ind, vec![("amed".into(), ActualValue::Number(0.0))])
                    }
                };
                let target = ind.target.as_ref().and_then(Target::value).unwrap_or(0.0);
                for y in START..=END {
                    for (body, _) in &values {
                        let value = match ind.measure {
                            Measure::Ratio => {
                                let den = 20 + rng.below(80);
                                let num = rng.below(den + 1);
                                ActualValue::Ratio {
                                    numerator: num as f64,
                                    denominator: den as f64,
                                }
                            }
                            Measure::Qualitative => ActualValue::Narrative(format!(
                                "{y}年度は計画どおり進めた（{body}）"
                            )),
                            _ => {
                                // Around the linear pace, from well under it to over it.
                                let per_year = target / 5.0 / values.len() as f64;
                                let v = (per_year * (0.3 + rng.below(100) as f64 / 60.0)).round();
                                ActualValue::Number(v)
                            }
                        };
                        contributions.push(Contribution {
                            indicator: ind.id.clone(),
                            year: fy(y),
                            body: body.clone(),
                            value,
                        });
                    }
                }
                indicators.push(ind);
            }
            let plan = Plan {
                id: format!("plan-{p}"),
                name: format!("合成計画 {p}"),
                period: Period {
                    start: fy(START),
                    end: fy(END),
                },
                revision: 1,
                effective_from: fy(START),
                decided_on: None,
                revision_note: None,
                on_track_threshold: 1.0,
                committee: None,
                bodies: vec![
                    Body {
                        id: "amed".into(),
                        name: "日本医療研究開発機構".into(),
                        short_name: Some("AMED".into()),
                    },
                    Body {
                        id: "mext".into(),
                        name: "文部科学省".into(),
                        short_name: None,
                    },
                ],
                glossary: Vec::new(),
                projects: vec![Project {
                    id: "p1".into(),
                    name: "医薬品プロジェクト".into(),
                    indicators,
                }],
            };
            let actuals: Actuals = contributions.into_iter().collect();
            (plan, actuals)
        })
        .collect()
}

static CATALOGUE: LazyLock<Vec<(Plan, Actuals)>> = LazyLock::new(catalogue);

fn evaluate_all(as_of: FiscalYear) -> usize {
    let mut n = 0;
    for (plan, actuals) in CATALOGUE.iter() {
        let e = evaluate_plan(plan, actuals, as_of).expect("as-of year inside the period");
        n += divan::black_box(e).indicators.len();
    }
    n
}

/// All 1,000 plans as of the middle year (k = 3): most counts need p_attain.
#[divan::bench(sample_count = 30)]
fn catalogue_mid_period(bencher: divan::Bencher) {
    LazyLock::force(&CATALOGUE);
    bencher.bench(|| evaluate_all(fy(2022)));
}

/// All 1,000 plans as of the last year (m = 0).
#[divan::bench(sample_count = 30)]
fn catalogue_end_of_period(bencher: divan::Bencher) {
    LazyLock::force(&CATALOGUE);
    bencher.bench(|| evaluate_all(fy(END)));
}

/// All 1,000 plans as of the first year.
#[divan::bench(sample_count = 30)]
fn catalogue_first_year(bencher: divan::Bencher) {
    LazyLock::force(&CATALOGUE);
    bencher.bench(|| evaluate_all(fy(START)));
}
