//! `render_plan` is the inverse of `parse_plan`: the built-in plan, every example plan file and
//! generated plans with hostile strings and every target form read back equal.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use pdca_core::FiscalYear;
use pdca_core::builtin::builtin_plan;
use pdca_core::normalize::normalize_text;
use pdca_core::plan::{
    Assignment, Body, Comparator, CountedFrom, Counting, GlossaryEntry, Indicator, IndicatorKind,
    Measure, Period, Plan, Project, Target,
};
use pdca_core::plan_file::{parse_plan, render_plan};
use proptest::prelude::*;

fn round_trip(plan: &Plan) -> Plan {
    let text = render_plan(plan);
    match parse_plan("rendered.toml", &text) {
        Ok(p) => p,
        Err(e) => panic!("the rendered plan does not parse:\n{e}\n---\n{text}"),
    }
}

#[test]
fn the_builtin_plan_round_trips() {
    let plan = builtin_plan().unwrap();
    assert_eq!(round_trip(&plan), plan);
}

#[test]
fn every_example_plan_round_trips() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/plans");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let plan = parse_plan(&path.display().to_string(), &text).unwrap();
            assert_eq!(round_trip(&plan), plan, "{}", path.display());
            n += 1;
        }
    }
    assert!(n >= 10, "only {n} example plans found");
}

#[test]
fn rendering_leaves_defaults_out_and_keeps_the_unit_in_the_target() {
    let plan = builtin_plan().unwrap();
    let text = render_plan(&plan);
    assert!(text.contains("default_bodies = [\"amed\"]"), "{text}");
    assert!(!text.contains("revision ="), "{text}");
    assert!(!text.contains("\nbodies = ["), "{text}");
    assert!(text.contains("unit = \"件\""), "{text}");
    assert!(
        text.contains("target = { value = 25, unit = \"件\" }"),
        "{text}"
    );
}

#[test]
fn strings_that_need_escaping_read_back_unchanged() {
    let mut plan = builtin_plan().unwrap();
    plan.name = r#"名前に "引用符" と \ と ''' と """ を含む"#.to_owned();
    plan.revision_note = Some("一行目\n二行目\r\n\t三行目 \\n は文字".to_owned());
    let first = &mut plan.projects[0].indicators[0];
    first.note = Some("'''\n\"\"\"\n末尾の空白  ".to_owned());
    first.name = "うち「\\」🙂".to_owned();
    assert_eq!(round_trip(&plan), plan);
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

/// One-line text as the parser keeps it: white space collapsed, no control characters.
fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 \"'\\\\\\[\\]{}=#.,。、「」（）％％ﾃｽﾄ日本語🙂\u{3000}\u{a0}-]{0,24}"
        .prop_map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Running text: line breaks, tabs and spacing kept.
fn running_text() -> impl Strategy<Value = String> {
    "[a-z0-9 \"'\\\\\n\r\t日本語🙂]{0,30}"
}

fn comparator() -> impl Strategy<Value = Comparator> {
    prop_oneof![
        Just(Comparator::Reach),
        Just(Comparator::AtLeast),
        Just(Comparator::AtMost)
    ]
}

/// A positive number: whole, one decimal, or awkward (0.1 + 0.2, 1/3).
fn positive() -> impl Strategy<Value = f64> {
    prop_oneof![
        (1_u32..100_000).prop_map(f64::from),
        (1_u32..10_000).prop_map(|n| f64::from(n) / 10.0),
        (1_u32..1000).prop_map(|n| f64::from(n) / 3.0 + 0.1 + 0.2),
    ]
}

/// A measure with a target (or none) that the parser accepts for the period 2020–2024.
fn measure_and_target() -> impl Strategy<Value = (Measure, Option<Target>, Option<Vec<f64>>)> {
    prop_oneof![
        (positive(), comparator()).prop_map(|(value, comparator)| (
            Measure::Count,
            Some(Target::Cumulative { value, comparator }),
            None
        )),
        (1_u32..1000, 0_u32..4).prop_map(|(per_year, extra)| {
            let per_year = f64::from(per_year);
            let value = per_year * 5.0 + f64::from(extra);
            (
                Measure::Count,
                Some(Target::PerYear { per_year, value }),
                Some(vec![
                    per_year,
                    per_year,
                    per_year,
                    per_year,
                    per_year + f64::from(extra),
                ]),
            )
        }),
        (
            (0_u32..=1000).prop_map(|v| f64::from(v) / 10.0),
            comparator()
        )
            .prop_map(|(value, comparator)| (
                Measure::Ratio,
                Some(Target::Ratio { value, comparator }),
                None
            )),
        (
            (-1000_i32..1000).prop_map(|v| f64::from(v) / 4.0),
            comparator()
        )
            .prop_map(|(value, comparator)| (
                Measure::Level,
                Some(Target::Level { value, comparator }),
                None
            )),
        (
            prop_oneof![Just(0.5), Just(0.25), Just(2.0), Just(1.5)],
            2000_i32..2024,
            any::<bool>()
        )
            .prop_map(|(factor, baseline, reach)| {
                let comparator = match (factor < 1.0, reach) {
                    (true, _) => Comparator::AtMost,
                    (false, true) => Comparator::Reach,
                    (false, false) => Comparator::AtLeast,
                };
                let target = Target::Relative {
                    factor,
                    baseline: fy(baseline),
                    comparator,
                };
                (Measure::Level, Some(target), None)
            }),
        (2020_i32..2200).prop_map(|d| (
            Measure::Milestone,
            Some(Target::Milestone { deadline: fy(d) }),
            None
        )),
        Just((Measure::Qualitative, None, None)),
        Just((Measure::Count, None, None)),
    ]
}

fn unit() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("件".to_owned()),
        Just("%".to_owned()),
        Just(String::new()),
        "[ａ-ｚ％件人課題 ]{0,4}".prop_map(|u| normalize_text(&u)),
    ]
}

fn assignments() -> impl Strategy<Value = Vec<Assignment>> {
    prop_oneof![
        Just(vec![Assignment {
            body: "amed".into(),
            share: None
        }]),
        (0_u32..100, proptest::option::of(0_u32..10)).prop_map(|(a, b)| vec![
            Assignment {
                body: "mext".into(),
                share: Some(f64::from(a) / 2.0)
            },
            Assignment {
                body: "amed".into(),
                share: b.map(f64::from)
            },
        ]),
    ]
}

fn indicator(n: usize) -> impl Strategy<Value = Indicator> {
    (
        (name(), name(), any::<bool>(), measure_and_target(), unit()),
        (
            any::<bool>(),
            assignments(),
            any::<bool>(),
            proptest::option::of(running_text()),
            any::<bool>(),
            any::<bool>(),
        ),
    )
        .prop_map(
            move |(
                (name, group, output, (measure, target, profile), unit),
                (management, assignments, calendar, note, with_profile, counted),
            )| {
                let management = management && target.is_none();
                Indicator {
                    id: format!("i-{n}"),
                    name,
                    kind: if output {
                        IndicatorKind::Output
                    } else {
                        IndicatorKind::Outcome
                    },
                    group,
                    management,
                    measure,
                    unit: if measure == Measure::Qualitative {
                        String::new()
                    } else {
                        unit
                    },
                    target,
                    parent: None,
                    assignments,
                    counting: if calendar {
                        Counting::CalendarYear
                    } else {
                        Counting::FiscalYear
                    },
                    expected_profile: profile.filter(|_| with_profile),
                    note,
                    counted_from: if counted && measure == Measure::Count {
                        CountedFrom::Achievements
                    } else {
                        CountedFrom::Reported
                    },
                    achievement_tag: None,
                }
            },
        )
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        (name(), 1_u32..5, proptest::option::of(running_text())),
        proptest::option::of(name()),
        proptest::option::of(name()),
        (name(), running_text(), 0.1_f64..2.0),
        (indicator(0), indicator(1), indicator(2), indicator(3)),
        (
            any::<bool>(),
            proptest::option::of(tag()),
            proptest::option::of(tag()),
        ),
    )
        .prop_map(
            |(
                (plan_name, revision, revision_note),
                committee,
                short_name,
                (term, definition, threshold),
                (a, b, c, d),
                (counted, tag_1, tag_2),
            )| Plan {
                id: "generated".into(),
                name: plan_name,
                period: Period {
                    start: fy(2020),
                    end: fy(2024),
                },
                revision,
                effective_from: fy(2019 + i32::try_from(revision).unwrap()),
                decided_on: Some("2024-03-31".into()),
                revision_note,
                on_track_threshold: threshold,
                committee,
                bodies: vec![
                    Body {
                        id: "amed".into(),
                        name: "日本医療研究開発機構".into(),
                        short_name,
                    },
                    Body {
                        id: "mext".into(),
                        name: "文部科学省".into(),
                        short_name: None,
                    },
                ],
                glossary: vec![GlossaryEntry {
                    term,
                    definition: definition.trim().to_owned(),
                }],
                projects: vec![
                    Project {
                        id: "p1".into(),
                        name: "一つ目".into(),
                        indicators: vec![a, b, c],
                    },
                    Project {
                        id: "p2".into(),
                        name: "二つ目".into(),
                        indicators: vec![d]
                            .into_iter()
                            .chain(counted_family(counted, tag_1, tag_2))
                            .collect(),
                    },
                ],
            },
        )
}

/// A tag as the parser keeps it: one line, no tag separators, never empty.
fn tag() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9\"'\\\\\\[\\]{}=#.。「」（）ﾃｽﾄ遺伝子治療🙂-][a-zA-Z0-9 \"'.。ﾃｽﾄ遺伝子治療🙂-]{0,12}"
        .prop_map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A parent count (counted from achievements or not) with two sub-targets: the first tagged by
/// its name (うち…) or by `tag_1`, the second always by an explicit tag distinct from the first.
fn counted_family(counted: bool, tag_1: Option<String>, tag_2: Option<String>) -> Vec<Indicator> {
    let counted_from = if counted {
        CountedFrom::Achievements
    } else {
        CountedFrom::Reported
    };
    let count = |id: &str, name: &str, value: f64, parent: Option<&str>| Indicator {
        id: id.to_owned(),
        name: name.to_owned(),
        kind: IndicatorKind::Output,
        group: "成果".to_owned(),
        management: false,
        measure: Measure::Count,
        unit: "件".to_owned(),
        target: Some(Target::Cumulative {
            value,
            comparator: Comparator::Reach,
        }),
        parent: parent.map(str::to_owned),
        assignments: vec![Assignment {
            body: "amed".into(),
            share: None,
        }],
        counting: Counting::FiscalYear,
        expected_profile: None,
        note: None,
        counted_from,
        achievement_tag: None,
    };
    let mut first = count("f-1", "うち遺伝子治療", 5.0, Some("f-0"));
    first.achievement_tag = tag_1;
    let mut second = count("f-2", "うち細胞治療", 3.0, Some("f-0"));
    let first_tag = first.achievement_tag().unwrap();
    second.achievement_tag = Some(
        tag_2
            .filter(|t| *t != first_tag)
            .unwrap_or_else(|| format!("{first_tag}以外")),
    );
    vec![count("f-0", "導出件数", 25.0, None), first, second]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_plans_round_trip(plan in plan()) {
        let text = render_plan(&plan);
        let parsed = parse_plan("generated.toml", &text);
        prop_assert!(parsed.is_ok(), "{}\n---\n{}", parsed.unwrap_err(), text);
        prop_assert_eq!(parsed.unwrap(), plan);
    }
}

#[test]
fn counting_from_achievements_is_written_and_read_back() {
    let mut plan = builtin_plan().unwrap();
    plan.projects[1]
        .indicators
        .extend(counted_family(true, None, Some("がん".into())));
    let text = render_plan(&plan);
    assert!(text.contains("counted_from = \"achievements\""), "{text}");
    assert!(text.contains("achievement_tag = \"がん\""), "{text}");
    assert_eq!(round_trip(&plan), plan);
    let parsed = round_trip(&plan);
    let first = parsed.indicator("f-1").unwrap();
    assert_eq!(first.achievement_tag().as_deref(), Some("遺伝子治療"));
    assert!(first.counted_from_achievements());
}
