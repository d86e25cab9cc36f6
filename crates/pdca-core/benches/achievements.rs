//! Achievements (成果, issue 15) at scale, each beside the work it is measured against:
//!
//! - `evaluate`: the built-in plan evaluated with p1-out-01 counted from 100,000 approved
//!   achievements (derive + apply + evaluate) vs the same evaluation from plain yearly numbers
//!   (the same totals typed). Target: within 2×.
//! - `import`: `validate_achievement_rows` on 100,000 rows vs `import::validate_rows` on 100,000
//!   actual rows, both on one plan of 20,000 count indicators. Target: at most 2×.
//! - `duplicates`: `find_duplicates` on 100,000 achievements (1 % planted pairs), and its
//!   comparison keys alone (`duplicate_keys_100k`).
//!
//! Run with `cargo bench -p pdca-core --bench achievements`; figures in docs/benchmarks.md.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::LazyLock;

use divan::Bencher;
use pdca_core::access::ActualState;
use pdca_core::achievements::{
    Achievement, AchievementFields, AchievementId, apply, find_duplicates, is_approved,
    validate_achievement_rows,
};
use pdca_core::actuals::{ActualValue, Actuals, Contribution};
use pdca_core::evaluation::evaluate_plan;
use pdca_core::fiscal_year::FiscalYear;
use pdca_core::import::{Layout, RawRow, validate_rows};
use pdca_core::plan::{CountedFrom, Measure, Plan};

const ITEMS: usize = 100_000;
/// Indicators of the import plan: 20,000 × 5 years = 100,000 distinct actual rows.
const IMPORT_INDICATORS: usize = 20_000;
const COUNTED: &str = "p1-out-01";

fn main() {
    divan::main();
}

fn builtin() -> Plan {
    pdca_core::builtin::builtin_plan().unwrap()
}

fn years(plan: &Plan) -> Vec<FiscalYear> {
    plan.period.years().collect()
}

/// One achievement of `indicator`, distinct from every other `serial`.
fn fields(indicator: &str, year: FiscalYear, serial: usize) -> AchievementFields {
    AchievementFields {
        indicator: indicator.to_owned(),
        year,
        body: "amed".to_owned(),
        project_code: Some(format!("JP{:02}ab{serial:06}", year.year() % 100)),
        title: format!("抗体{serial}の非臨床POC取得"),
        institution: Some(format!("大学{}", serial % 300)),
        date: Some(format!("{}-10-01", year.year())),
        tags: if serial.is_multiple_of(5) {
            vec!["遺伝子治療".to_owned()]
        } else {
            Vec::new()
        },
        public: !serial.is_multiple_of(3),
        notable: serial.is_multiple_of(20),
        url: Some(format!("https://example.org/press/{serial}")),
        note: None,
    }
}

/// `ITEMS` approved achievements of `indicator` spread evenly over `years`; every 200th one
/// repeats the one before it (a possible duplicate pair).
fn items(indicator: &str, years: &[FiscalYear]) -> Vec<Achievement> {
    (0..ITEMS)
        .map(|i| {
            let serial = if i % 200 == 199 { i - 1 } else { i };
            Achievement {
                id: AchievementId(i as i64 + 1),
                version: 1,
                fields: fields(indicator, years[i % years.len()], serial),
                state: ActualState::Approved,
            }
        })
        .collect()
}

/// The built-in plan with every numeric indicator reported for every year (plain numbers);
/// p1-out-01 carries the totals its achievements give.
fn plain_actuals(plan: &Plan, counted: &[Achievement]) -> Actuals {
    let mut actuals = Actuals::new();
    for (_, indicator) in plan.indicators() {
        for year in plan.period.years() {
            let value = match indicator.measure {
                Measure::Count if indicator.id == COUNTED => ActualValue::Number(
                    counted.iter().filter(|a| a.fields.year == year).count() as f64,
                ),
                Measure::Count | Measure::Level | Measure::Milestone => ActualValue::Number(3.0),
                Measure::Ratio => ActualValue::Ratio {
                    numerator: 7.0,
                    denominator: 10.0,
                },
                Measure::Qualitative => ActualValue::Narrative("進捗あり".into()),
            };
            actuals.insert(&Contribution {
                indicator: indicator.id.clone(),
                year,
                body: "amed".into(),
                value,
            });
        }
    }
    actuals
}

struct EvaluateCase {
    plain_plan: Plan,
    plain: Actuals,
    counted_plan: Plan,
    /// The typed actuals of every other indicator.
    typed: Actuals,
    items: Vec<Achievement>,
    as_of: FiscalYear,
}

static EVALUATE: LazyLock<EvaluateCase> = LazyLock::new(|| {
    let plain_plan = builtin();
    let years = years(&plain_plan);
    let items = items(COUNTED, &years);
    let plain = plain_actuals(&plain_plan, &items);
    let mut counted_plan = plain_plan.clone();
    for project in &mut counted_plan.projects {
        for indicator in &mut project.indicators {
            if indicator.id == COUNTED {
                indicator.counted_from = CountedFrom::Achievements;
            }
        }
    }
    let mut typed = plain.clone();
    typed.remove_indicator(COUNTED);
    let as_of = *years.last().unwrap();
    EvaluateCase {
        plain_plan,
        plain,
        counted_plan,
        typed,
        items,
        as_of,
    }
});

#[divan::bench_group(sample_count = 10)]
mod evaluate {
    use super::*;

    #[divan::bench]
    fn plain_numbers(bencher: Bencher) {
        let c = &*EVALUATE;
        bencher.bench(|| evaluate_plan(&c.plain_plan, &c.plain, c.as_of).unwrap());
    }

    #[divan::bench]
    fn counted_from_100k_achievements(bencher: Bencher) {
        let c = &*EVALUATE;
        bencher
            .with_inputs(|| c.typed.clone())
            .bench_local_values(|mut actuals| {
                apply(&c.counted_plan, &mut actuals, &c.items, &[], is_approved);
                evaluate_plan(&c.counted_plan, &actuals, c.as_of).unwrap()
            });
    }
}

struct ImportCase {
    plan: Plan,
    actual_layout: Layout,
    actual_rows: Vec<RawRow>,
    achievement_headers: Vec<String>,
    achievement_rows: Vec<RawRow>,
}

static IMPORT: LazyLock<ImportCase> = LazyLock::new(|| {
    let mut plan = builtin();
    let template = plan
        .indicators()
        .map(|(_, i)| i.clone())
        .find(|i| i.id == COUNTED)
        .unwrap();
    let extra: Vec<_> = (0..IMPORT_INDICATORS)
        .map(|k| {
            let mut i = template.clone();
            i.id = format!("x-{k:05}");
            i
        })
        .collect();
    plan.projects[0].indicators.extend(extra);
    let years = years(&plan);
    let headers = |h: &[&str]| h.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let actual_layout = Layout::from_headers(
        &headers(&[
            "indicator_id",
            "fiscal_year",
            "body",
            "value",
            "note",
            "source",
        ]),
        1,
    )
    .unwrap();
    let actual_rows = (0..ITEMS)
        .map(|i| {
            let id = format!("x-{:05}", i / years.len());
            let year = years[i % years.len()].year().to_string();
            let value = (i % 40).to_string();
            RawRow::new(
                i + 2,
                [id.as_str(), &year, "amed", &value, "備考", "事業報告書"],
            )
        })
        .collect();
    let achievement_headers = headers(&[
        "指標ID",
        "年度",
        "報告機関",
        "課題番号",
        "成果名",
        "実施機関",
        "日付",
        "区分",
        "公開",
        "顕著な成果",
        "URL",
        "備考",
    ]);
    let achievement_rows = (0..ITEMS)
        .map(|i| {
            let year = years[i % years.len()];
            let f = fields(&format!("x-{:05}", i / years.len()), year, i);
            RawRow::new(
                i + 2,
                [
                    f.indicator.clone(),
                    year.year().to_string(),
                    f.body.clone(),
                    f.project_code.clone().unwrap_or_default(),
                    f.title.clone(),
                    f.institution.clone().unwrap_or_default(),
                    f.date.clone().unwrap_or_default(),
                    String::new(),
                    if f.public { "公開" } else { "非公開" }.to_owned(),
                    if f.notable { "あり" } else { "なし" }.to_owned(),
                    f.url.clone().unwrap_or_default(),
                    String::new(),
                ],
            )
        })
        .collect();
    ImportCase {
        plan,
        actual_layout,
        actual_rows,
        achievement_headers,
        achievement_rows,
    }
});

#[divan::bench_group(sample_count = 10)]
mod import {
    use super::*;

    #[divan::bench]
    fn actuals_100k_rows(bencher: Bencher) {
        let c = &*IMPORT;
        let current = Actuals::new();
        bencher.bench(|| {
            let rows = validate_rows(&c.plan, &c.actual_layout, &c.actual_rows, &current).unwrap();
            assert_eq!(rows.len(), ITEMS);
            rows
        });
    }

    #[divan::bench]
    fn achievements_100k_rows(bencher: Bencher) {
        let c = &*IMPORT;
        bencher.bench(|| {
            let rows =
                validate_achievement_rows(&c.plan, &c.achievement_headers, 1, &c.achievement_rows)
                    .unwrap();
            assert_eq!(rows.len(), ITEMS);
            rows
        });
    }
}

#[divan::bench(sample_count = 10)]
fn duplicates_100k(bencher: Bencher) {
    let c = &*EVALUATE;
    bencher.bench(|| {
        let pairs = find_duplicates(&c.items, &[]);
        assert_eq!(pairs.len(), ITEMS / 200);
        pairs
    });
}

/// Where `duplicates_100k` spends its time: the comparison keys alone (NFKC of 課題番号 and
/// title, the link) of the same 100,000 achievements.
#[divan::bench(sample_count = 10)]
fn duplicate_keys_100k(bencher: Bencher) {
    use pdca_core::achievements::{project_code_key, title_key, url_key};
    let c = &*EVALUATE;
    bencher.bench(|| {
        c.items
            .iter()
            .map(|a| {
                let f = &a.fields;
                title_key(&f.title).len()
                    + f.project_code
                        .as_deref()
                        .map_or(0, |p| project_code_key(p).len())
                    + f.url.as_deref().map_or(0, |u| url_key(u).len())
            })
            .sum::<usize>()
    });
}
