//! `plan_draft::draft_plan`: the seed's KPI annex (資料5（参考2）, copied as text from the PDF into
//! `tests/data/seed_annex_2.txt`) drafts into exactly the built-in plan's catalogue; the tricky
//! lines of such an annex are read as a person would; nothing makes it panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use pdca_core::FiscalYear;
use pdca_core::builtin::builtin_plan;
use pdca_core::plan::{Comparator, Counting, Indicator, IndicatorKind, Measure, Plan, Target};
use pdca_core::plan_draft::{Correction, Draft, DraftMeta, UnusedReason, draft_plan, render_annex};
use pdca_core::plan_file::parse_plan;
use proptest::prelude::*;

const SEED_ANNEX: &str = include_str!("data/seed_annex_2.txt");

fn meta() -> DraftMeta {
    DraftMeta::new(
        "medical-rd-2",
        "第2期医療分野研究開発推進計画",
        FiscalYear::new(2020).unwrap(),
        FiscalYear::new(2024).unwrap(),
    )
}

fn draft(text: &str) -> Draft {
    draft_plan(text, meta())
}

fn parsed(draft: &Draft) -> Plan {
    parse_plan("draft.toml", &draft.toml)
        .unwrap_or_else(|e| panic!("the draft does not parse:\n{e}\n---\n{}", draft.toml))
}

/// An annex of one project around `lines`, under ＜アウトプット＞ and a ○ group.
fn annex(lines: &str) -> String {
    format!("① 医薬品プロジェクト\n\n＜アウトプット＞\n\n○シーズ研究に関する指標\n\n{lines}\n")
}

fn indicators(plan: &Plan) -> Vec<&Indicator> {
    plan.indicators().map(|(_, i)| i).collect()
}

#[test]
fn the_seed_annex_drafts_into_the_built_in_catalogue() {
    let draft = draft(SEED_ANNEX);
    assert!(
        draft.is_complete(),
        "needs review: {:#?}\n{}",
        draft.review,
        draft.toml
    );
    let drafted = parsed(&draft);
    let builtin = builtin_plan().unwrap();

    let ids = |p: &Plan| {
        p.projects
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&drafted), ids(&builtin), "projects, in order");
    for (d, b) in drafted.projects.iter().zip(&builtin.projects) {
        let names = |p: &pdca_core::plan::Project| {
            p.indicators
                .iter()
                .map(|i| i.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(d), names(b), "indicator ids of {}", b.id);
        for (di, bi) in d.indicators.iter().zip(&b.indicators) {
            let at = format!("{} ({})", bi.id, bi.name);
            assert_eq!(di.name, bi.name, "name of {at}");
            assert_eq!(di.group, bi.group, "group of {at}");
            assert_eq!(di.kind, bi.kind, "kind of {at}");
            assert_eq!(di.measure, bi.measure, "measure of {at}");
            assert_eq!(di.unit, bi.unit, "unit of {at}");
            assert_eq!(di.management, bi.management, "management flag of {at}");
            assert_eq!(di.parent, bi.parent, "parent of {at}");
            assert_eq!(
                di.target.as_ref().map(|t| t.basis()),
                bi.target.as_ref().map(|t| t.basis()),
                "target basis of {at}"
            );
            assert_eq!(
                di.target.as_ref().and_then(|t| t.value()),
                bi.target.as_ref().and_then(|t| t.value()),
                "target value of {at}"
            );
            assert_eq!(
                di.target.as_ref().map(|t| t.comparator()),
                bi.target.as_ref().map(|t| t.comparator()),
                "target comparator of {at}"
            );
            assert_eq!(di.target, bi.target, "target of {at}");
            assert_eq!(di.note, bi.note, "note of {at}");
            assert_eq!(di.assignments, bi.assignments, "bodies of {at}");
        }
    }
    assert_eq!(
        indicators(&drafted).len(),
        indicators(&builtin).len(),
        "number of indicators"
    );
    assert_eq!(
        drafted.glossary, builtin.glossary,
        "glossary from the footnotes"
    );
    assert_eq!(
        (drafted.period, drafted.id.as_str()),
        (builtin.period, "medical-rd-2")
    );
}

#[test]
fn the_seed_annex_reports_every_line_it_did_not_use() {
    let draft = draft(SEED_ANNEX);
    let with = |reason| {
        draft
            .unused
            .iter()
            .filter(|u| u.reason == reason)
            .map(|u| u.line)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        with(UnusedReason::Preamble),
        [1, 3],
        "the title (two lines)"
    );
    assert_eq!(with(UnusedReason::Footnote), [68, 154]);
    assert!(with(UnusedReason::NotUnderstood).is_empty());
    assert!(with(UnusedReason::Blank).contains(&67), "the footnote rule");
    // Each indicator is preceded by the source lines it came from.
    assert!(draft.toml.contains(
        "# 元の行 11: ・非臨床 POC1の取得件数 25件\n[[projects.indicators]]\nid = \"p1-out-01\""
    ));
    assert!(draft.toml.contains(
        "# 元の行 113: ・研究成果の科学誌（インパクトファクター2５以上）への論文掲載件数\n# 元の行 115: 400件\n"
    ));
}

#[test]
fn glued_footnote_markers_are_dropped_from_names() {
    let text = annex(
        "・非臨床 POC1の取得件数 25件\n\n・研究成果の科学誌（インパクトファクター2５以上）への論文掲載件数 400件\n\n \n1 Proof of Conceptの略。\n2 学術雑誌の影響度を測る指標。",
    );
    let draft = draft(&text);
    assert!(draft.is_complete(), "{:#?}", draft.review);
    let plan = parsed(&draft);
    let names: Vec<_> = indicators(&plan).iter().map(|i| i.name.clone()).collect();
    assert_eq!(
        names,
        [
            "非臨床POCの取得件数",
            "研究成果の科学誌（インパクトファクター5以上）への論文掲載件数"
        ]
    );
    let terms: Vec<_> = plan.glossary.iter().map(|g| g.term.as_str()).collect();
    assert_eq!(terms, ["POC", "インパクトファクター"]);
}

#[test]
fn a_floor_is_read_as_at_least() {
    let plan = parsed(&draft(&annex("・薬事承認件数（新薬、適応拡大） ２件以上")));
    let i = indicators(&plan)[0];
    assert_eq!(i.name, "薬事承認件数（新薬、適応拡大）");
    assert_eq!(
        i.target,
        Some(pdca_core::plan::Target::Cumulative {
            value: 2.0,
            comparator: pdca_core::plan::Comparator::AtLeast
        })
    );
}

#[test]
fn several_sub_targets_on_one_indicator_and_the_next_line() {
    let plan = parsed(&draft(&annex(
        "・企業へ導出される段階に至った研究課題数 10件（うち遺伝子治療２件）\n\n（うち企業へ導出された件数 ２件）",
    )));
    let got: Vec<_> = indicators(&plan)
        .iter()
        .map(|i| {
            (
                i.id.as_str(),
                i.name.as_str(),
                i.target.as_ref().and_then(|t| t.value()),
                i.parent.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "p1-out-01",
                "企業へ導出される段階に至った研究課題数",
                Some(10.0),
                None
            ),
            (
                "p1-out-01-1",
                "うち遺伝子治療",
                Some(2.0),
                Some("p1-out-01")
            ),
            (
                "p1-out-01-2",
                "うち企業へ導出された件数",
                Some(2.0),
                Some("p1-out-01")
            ),
        ]
    );
}

#[test]
fn names_broken_across_lines_are_joined() {
    let plan = parsed(&draft(&annex(
        "・医師主導治験届の提出件数（体外診断用医薬品については臨床性能試験の\n\n申請件数） 170件\n\n・疾患の原因となる遺伝子変異に基づく新規の診断・治療法の開発件数  \n\n５件\n\n（その他管理指標）\n\n○シーズ研究に関する指標\n\n・研究成果の科学誌（インパクトファクター５未満等の他の科学誌）への論\n\n文掲載状況",
    )));
    let got: Vec<_> = indicators(&plan)
        .iter()
        .map(|i| {
            (
                i.name.as_str(),
                i.target.as_ref().and_then(|t| t.value()),
                i.management,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "医師主導治験届の提出件数（体外診断用医薬品については臨床性能試験の申請件数）",
                Some(170.0),
                false
            ),
            (
                "疾患の原因となる遺伝子変異に基づく新規の診断・治療法の開発件数",
                Some(5.0),
                false
            ),
            (
                "研究成果の科学誌（インパクトファクター5未満等の他の科学誌）への論文掲載状況",
                None,
                true
            ),
        ]
    );
}

#[test]
fn page_headers_footers_and_numbers_are_unused_with_their_reason() {
    let text = annex(
        "・臨床 POCの取得件数 ５件\n第 35回健康・医療戦略\n推進専門調査会 参考資料４\n令和 5年 6月 13日\n- 3 -\n12\n※ 累計で数える",
    );
    let draft = draft(&text);
    assert!(draft.is_complete(), "{:#?}", draft.review);
    let reasons: Vec<_> = draft
        .unused
        .iter()
        .filter(|u| u.reason != UnusedReason::Blank)
        .map(|u| (u.text.as_str(), u.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            ("第 35回健康・医療戦略", UnusedReason::PageHeader),
            ("推進専門調査会 参考資料４", UnusedReason::PageHeader),
            ("令和 5年 6月 13日", UnusedReason::PageHeader),
            ("- 3 -", UnusedReason::PageNumber),
            ("12", UnusedReason::PageNumber),
        ]
    );
    let plan = parsed(&draft);
    assert_eq!(indicators(&plan).len(), 1);
    // A remark (※) becomes the note of the indicator above it.
    assert_eq!(indicators(&plan)[0].note.as_deref(), Some("累計で数える"));
    // A remark is still shown to the person above the indicator it follows.
    assert!(
        draft.toml.contains(
            "# 元の行 13（注記）: ※ 累計で数える\n[[projects.indicators]]\nid = \"p1-out-01\""
        ),
        "{}",
        draft.toml
    );
}

#[test]
fn an_unknown_line_is_not_understood_and_needs_a_person() {
    let text = annex(
        "・シーズの企業への導出件数 60件\n\nこれは指標ではない説明文です。\n\n・薬事承認件数 10件",
    );
    let draft = draft(&text);
    assert!(!draft.is_complete());
    let unread: Vec<_> = draft
        .unused
        .iter()
        .filter(|u| u.reason == UnusedReason::NotUnderstood)
        .map(|u| u.line)
        .collect();
    assert_eq!(unread, [9]);
    assert_eq!(draft.review.len(), 1);
    assert_eq!(draft.review[0].line, Some(9));
    assert!(
        draft.review[0]
            .problem
            .contains("これは指標ではない説明文です。")
    );
    assert!(draft.toml.contains("# 要確認: 元の行 9 は読めませんでした"));
    // The file is still written, and still a plan.
    assert_eq!(indicators(&parsed(&draft)).len(), 2);
}

#[test]
fn an_indicator_without_a_readable_target_needs_a_person() {
    let draft = draft(&annex("・採択件数（130件/年程度）"));
    assert!(!draft.is_complete());
    assert_eq!(draft.review[0].indicator.as_deref(), Some("p1-out-01"));
    assert!(draft.toml.contains("# 要確認: 目標値が読めません"));
    let plan = parsed(&draft);
    assert_eq!(indicators(&plan)[0].target, None);
}

proptest! {
    #[test]
    fn never_panics_on_any_text(text in "\\PC*(\n\\PC*){0,8}") {
        let draft = draft_plan(&text, meta());
        prop_assert!(toml::from_str::<toml::Table>(&draft.toml).is_ok(), "{}", draft.toml);
    }

    #[test]
    fn never_panics_on_annex_like_text(
        lines in prop::collection::vec(
            prop_oneof![
                Just("① 医薬品プロジェクト".to_owned()),
                Just("＜アウトプット＞".to_owned()),
                Just("＜アウトカム＞".to_owned()),
                Just("（その他管理指標）".to_owned()),
                Just("○シーズ研究に関する指標".to_owned()),
                "・[あ-ん０-９0-9（）件％ ]{0,12}",
                "-[あ-ん0-9]{0,6}",
                "（うち[あ-ん]{0,4} [0-9０-９]{1,3}件）",
                "[0-9０-９]{1,4}(件|％|%)?(以上|以下)?",
                "[0-9] [あ-ん]{1,5}",
                "\\PC{0,10}",
            ],
            0..40,
        )
    ) {
        let draft = draft_plan(&lines.join("\n"), meta());
        if draft.toml.contains("[[projects]]") {
            prop_assert!(parse_plan("draft.toml", &draft.toml).is_ok(), "{}", draft.toml);
        }
    }

    #[test]
    fn never_panics_on_shuffled_seed_lines(seed in prop::collection::vec(any::<prop::sample::Index>(), 0..300)) {
        let mut lines: Vec<&str> = SEED_ANNEX.lines().collect();
        for (i, index) in seed.iter().enumerate() {
            let len = lines.len();
            lines.swap(i % len, index.index(len));
        }
        let draft = draft_plan(&lines.join("\n"), meta());
        if draft.toml.contains("[[projects]]") {
            prop_assert!(parse_plan("draft.toml", &draft.toml).is_ok(), "{}", draft.toml);
        }
    }
}

#[test]
fn a_name_is_not_continued_past_six_lines() {
    let text = annex("・長い指標名の一行目\nに\nつ\nづ\nく\n行\n七行目は読まない\n\n25件");
    let draft = draft(&text);
    let unread: Vec<_> = draft
        .unused
        .iter()
        .filter(|u| u.reason == UnusedReason::NotUnderstood)
        .map(|u| u.text.as_str())
        .collect();
    assert_eq!(unread, ["七行目は読まない", "25件"]);
    assert!(!draft.is_complete());
    assert_eq!(
        indicators(&parsed(&draft))[0].name,
        "長い指標名の一行目につづく行"
    );
}

#[test]
fn a_cumulative_target_in_brackets_is_read() {
    let draft = draft(&annex("・臨床研究に移行した研究課題数（累積50件）"));
    assert!(draft.is_complete(), "{:#?}", draft.review);
    let plan = parsed(&draft);
    let i = indicators(&plan)[0];
    assert_eq!(i.name, "臨床研究に移行した研究課題数");
    assert_eq!(i.target.as_ref().and_then(|t| t.value()), Some(50.0));
}

// --- draft ∘ render --------------------------------------------------------------------------

/// What drafting must give back: per indicator its project, id, name, kind, group, measure,
/// target, parent, management flag, counting and note.
type Row = (
    String,
    String,
    String,
    IndicatorKind,
    String,
    Measure,
    Option<Target>,
    Option<String>,
    bool,
    Counting,
    Option<String>,
);

fn catalogue(plan: &Plan) -> Vec<Row> {
    plan.indicators()
        .map(|(p, i)| {
            (
                p.id.clone(),
                i.id.clone(),
                i.name.clone(),
                i.kind,
                i.group.clone(),
                i.measure,
                i.target.clone(),
                i.parent.clone(),
                i.management,
                i.counting,
                i.note.clone(),
            )
        })
        .collect()
}

fn projects(plan: &Plan) -> Vec<(String, String)> {
    plan.projects
        .iter()
        .map(|p| (p.id.clone(), p.name.clone()))
        .collect()
}

#[test]
fn drafting_the_rendered_built_in_plan_gives_it_back() {
    let builtin = builtin_plan().unwrap();
    let text = render_annex(&builtin);
    assert!(text.contains("① 医薬品プロジェクト\n＜アウトプット＞\n○シーズ研究に関する指標\n・非臨床POCの取得件数 25件\n"), "{text}");
    assert!(
        text.contains("・非臨床POCの取得件数 25件（うち遺伝子治療 5件）\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "（その他管理指標）\n○シーズ研究に関する指標\n・創薬支援ネットワークの活動状況\n-"
        ),
        "{text}"
    );
    let draft = draft(&text);
    assert!(draft.is_complete(), "{:#?}\n{text}", draft.review);
    let drafted = parsed(&draft);
    assert_eq!(projects(&drafted), projects(&builtin));
    assert_eq!(catalogue(&drafted), catalogue(&builtin));
}

/// Ids as drafting gives them: numbered per project, kind and management in plan order,
/// sub-targets after their parent; parents and sub-bullet notes follow.
fn renumber(plan: &mut Plan) {
    for (n, project) in plan.projects.iter_mut().enumerate() {
        project.id = format!("p{}", n + 1);
    }
    let mut renamed: Vec<(String, String)> = Vec::new();
    for project in &mut plan.projects {
        let mut counters = [0_u32; 4];
        let mut children = 0;
        let mut last_parent = String::new();
        for i in &mut project.indicators {
            let new = if let Some(parent) = &i.parent {
                let parent = renamed
                    .iter()
                    .find(|(old, _)| old == parent)
                    .map_or(parent.clone(), |(_, new)| new.clone());
                if parent != last_parent {
                    children = 0;
                    last_parent.clone_from(&parent);
                }
                children += 1;
                i.parent = Some(parent.clone());
                format!("{parent}-{children}")
            } else {
                let side = if i.kind == IndicatorKind::Output {
                    "out"
                } else {
                    "oc"
                };
                let slot =
                    usize::from(i.kind == IndicatorKind::Outcome) * 2 + usize::from(i.management);
                counters[slot] += 1;
                if i.management {
                    format!("{}-{side}-m{}", project.id, counters[slot])
                } else {
                    format!("{}-{side}-{:02}", project.id, counters[slot])
                }
            };
            renamed.push((i.id.clone(), new.clone()));
            i.id = new;
        }
    }
    for (_, i) in plan
        .projects
        .iter_mut()
        .flat_map(|p| p.indicators.iter_mut().map(move |i| ((), i)))
    {
        if let Some(note) = &mut i.note {
            for (old, new) in &renamed {
                *note = note.replace(&format!("（{old}）"), &format!("（{new}\u{0}）"));
            }
            *note = note.replace('\u{0}', "");
        }
    }
}

/// A target form chosen at random for a childless numeric indicator.
fn a_target(start: i32, end: i32) -> impl Strategy<Value = (Option<Target>, Measure)> {
    let comparator = prop_oneof![
        Just(Comparator::Reach),
        Just(Comparator::AtLeast),
        Just(Comparator::AtMost)
    ];
    let fy = |y: i32| FiscalYear::new(y).unwrap();
    prop_oneof![
        (1_u32..5000, comparator.clone()).prop_map(|(v, comparator)| (
            Some(Target::Cumulative {
                value: f64::from(v),
                comparator
            }),
            Measure::Count
        )),
        (1_u32..500, 0_u32..300).prop_map(move |(p, extra)| (
            Some(Target::PerYear {
                per_year: f64::from(p),
                value: f64::from(p) * f64::from(u32::try_from(end - start + 1).unwrap())
                    + f64::from(extra)
            }),
            Measure::Count
        )),
        (0_u32..=100, comparator.clone()).prop_map(|(v, comparator)| (
            Some(Target::Ratio {
                value: f64::from(v),
                comparator
            }),
            Measure::Ratio
        )),
        (1_u32..5000, comparator).prop_map(|(v, comparator)| (
            Some(Target::Level {
                value: f64::from(v),
                comparator
            }),
            Measure::Level
        )),
        (
            prop::sample::select(vec![0.5, 2.0, 3.0, 1.5]),
            (start - 3)..end
        )
            .prop_map(move |(factor, baseline)| (
                Some(Target::Relative {
                    factor,
                    baseline: fy(baseline),
                    comparator: if factor < 1.0 {
                        Comparator::AtMost
                    } else {
                        Comparator::AtLeast
                    },
                }),
                Measure::Level
            )),
        (start..=end + 2).prop_map(move |d| (
            Some(Target::Milestone { deadline: fy(d) }),
            Measure::Milestone
        )),
        Just((None, Measure::Count)),
    ]
}

/// The built-in plan with random projects' units (an indicator with its sub-targets, a
/// management bullet with its sub-bullets) dropped and random targets changed.
fn a_perturbed_plan() -> impl Strategy<Value = Plan> {
    let builtin = builtin_plan().unwrap();
    let count = builtin
        .projects
        .iter()
        .map(|p| p.indicators.len())
        .sum::<usize>();
    let (start, end) = (builtin.period.start.year(), builtin.period.end.year());
    (
        prop::collection::vec(any::<bool>(), count),
        prop::collection::vec(prop::option::weighted(0.5, a_target(start, end)), count),
        prop::collection::vec(any::<bool>(), builtin.projects.len()),
    )
        .prop_map(move |(keep, targets, keep_project)| {
            let mut plan = builtin.clone();
            let mut k = 0;
            for project in &mut plan.projects {
                let indicators = std::mem::take(&mut project.indicators);
                let has_children =
                    |id: &str| indicators.iter().any(|c| c.parent.as_deref() == Some(id));
                let mut kept_unit = true;
                for mut i in indicators.clone() {
                    let starts_unit = i.parent.is_none()
                        && !(i.management
                            && i.note.as_deref().is_some_and(|n| n.ends_with("の下位項目")));
                    if starts_unit {
                        kept_unit = keep[k];
                    }
                    if kept_unit {
                        if !i.management
                            && i.parent.is_none()
                            && !has_children(&i.id)
                            && let Some((target, measure)) = targets[k].clone()
                        {
                            let monitored_ratio = i.name.ends_with("割合");
                            i.measure = if target.is_none() && monitored_ratio {
                                Measure::Ratio
                            } else {
                                measure
                            };
                            i.target = target;
                            i.unit = match i.measure {
                                Measure::Ratio => "%",
                                Measure::Milestone => "",
                                _ => "件",
                            }
                            .to_owned();
                        }
                        project.indicators.push(i);
                    }
                    k += 1;
                }
            }
            let mut kept = keep_project.iter();
            plan.projects.retain(|_| *kept.next().unwrap_or(&true));
            if plan.projects.is_empty() {
                plan.projects.push(builtin.projects[0].clone());
            }
            renumber(&mut plan);
            plan
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn drafting_a_rendered_plan_gives_it_back(plan in a_perturbed_plan()) {
        let text = render_annex(&plan);
        let draft = draft(&text);
        prop_assert!(draft.review.is_empty(), "{:#?}\n{text}", draft.review);
        let drafted = parsed(&draft);
        prop_assert_eq!(projects(&drafted), projects(&plan));
        prop_assert_eq!(catalogue(&drafted), catalogue(&plan), "{}", text);

        // Each target's plain text, typed back as a correction, reads as the same target.
        let mut meta = meta();
        // Every indicator by its id, sub-targets on their parent's line included.
        meta.corrections = draft
            .indicators
            .iter()
            .map(|i| Correction {
                line: i.line,
                id: Some(i.id.clone()),
                name: Some(i.name.clone()),
                target: Some(i.target_text.clone().unwrap_or_else(|| "なし".to_owned())),
            })
            .collect();
        let again = draft_plan(&text, meta);
        prop_assert!(again.review.is_empty(), "{:#?}", again.review);
        prop_assert_eq!(catalogue(&parsed(&again)), catalogue(&plan));
    }
}

// --- every line accounted for ----------------------------------------------------------------

fn accounts_for_every_line(text: &str, draft: &Draft) -> Result<(), TestCaseError> {
    let lines: Vec<&str> = text.lines().collect();
    prop_assert_eq!(draft.lines.len(), lines.len());
    for (k, (source, written)) in draft.lines.iter().zip(&lines).enumerate() {
        prop_assert_eq!(source.line, k + 1);
        prop_assert_eq!(source.text.as_str(), *written);
        prop_assert!(!source.became.label_ja().is_empty());
    }
    Ok(())
}

#[test]
fn the_seed_annex_accounts_for_every_line() {
    let draft = draft(SEED_ANNEX);
    accounts_for_every_line(SEED_ANNEX, &draft).unwrap();
    let label = |n: usize| draft.lines[n - 1].became.label_ja();
    assert_eq!(
        label(1),
        "使わなかった行（表題（最初のプロジェクトより前））"
    );
    assert_eq!(label(5), "プロジェクト p1");
    assert_eq!(label(7), "見出し（アウトプット）");
    assert_eq!(label(9), "見出し（指標グループ「シーズ研究に関する指標」）");
    assert_eq!(label(11), "指標 p1-out-01");
    assert_eq!(label(68), "用語（POC）");
    assert_eq!(label(113), "指標 p3-out-02");
    assert_eq!(label(115), "指標 p3-out-02 の続き");
    assert_eq!(label(23), "見出し（その他管理指標）");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_line_of_any_text_is_accounted_for(text in "\\PC*(\n\\PC*){0,12}") {
        let draft = draft_plan(&text, meta());
        accounts_for_every_line(&text, &draft)?;
    }

    #[test]
    fn every_line_of_a_mangled_seed_is_accounted_for(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 0..60)
    ) {
        let mut lines: Vec<&str> = SEED_ANNEX.lines().collect();
        for (index, duplicate) in edits {
            if lines.is_empty() {
                break;
            }
            let at = index.index(lines.len());
            if duplicate {
                lines.insert(at, lines[at]);
            } else {
                lines.remove(at);
            }
        }
        let text = lines.join("\n");
        let draft = draft_plan(&text, meta());
        accounts_for_every_line(&text, &draft)?;
        if draft.toml.contains("[[projects]]") {
            prop_assert!(parse_plan("draft.toml", &draft.toml).is_ok(), "{}", draft.toml);
        }
    }

    #[test]
    fn never_panics_on_other_layouts_and_corrections(
        lines in prop::collection::vec(
            prop_oneof![
                Just("① 医薬品プロジェクト".to_owned()),
                Just("＜研究開発一般＞".to_owned()),
                Just("アウトプット指標".to_owned()),
                Just("アウトカム指標".to_owned()),
                "○[あ-ん]{0,6}[（(][0-9０-９,，~～]{0,12}(件|％|年度|年|倍|件/年|年度比で|までに着手)?(以上|以下|累計|累積|半減)?[)）]?",
                "（[0-9]{0,4}[~～〜]?[0-9]{0,4}年度?累計[0-9０-９,]{0,6}件）",
                "※[あ-ん]{0,8}",
                "\\PC{0,12}",
            ],
            0..30,
        ),
        corrections in prop::collection::vec((0_usize..35, prop::option::of("\\PC{0,8}"), prop::option::of("\\PC{0,10}")), 0..4),
    ) {
        let mut meta = meta();
        meta.corrections = corrections
            .into_iter()
            .map(|(line, name, target)| Correction { line, id: None, name, target })
            .collect();
        let text = lines.join("\n");
        let draft = draft_plan(&text, meta);
        accounts_for_every_line(&text, &draft)?;
        if draft.toml.contains("[[projects]]") {
            prop_assert!(parse_plan("draft.toml", &draft.toml).is_ok(), "{}", draft.toml);
        }
    }
}

#[test]
fn a_sub_target_on_its_parents_line_is_corrected_by_its_id_and_only_then() {
    // Line 111 of the seed: ・非臨床 POCの取得件数 25件（うち遺伝子治療 ５件） — two indicators
    // that share their first line.
    let draft = draft_plan(SEED_ANNEX, meta());
    let on_111: Vec<_> = draft.indicators.iter().filter(|i| i.line == 111).collect();
    assert_eq!(on_111.len(), 2, "{on_111:#?}");
    let (parent, child) = (on_111[0].id.clone(), on_111[1].id.clone());
    let fix = |id: Option<&str>, target: &str| Correction {
        line: 111,
        id: id.map(str::to_owned),
        name: None,
        target: Some(target.to_owned()),
    };
    let mut by_id = meta();
    by_id.corrections = vec![fix(Some(&child), "6件"), fix(Some(&parent), "26件")];
    let plan = parsed(&draft_plan(SEED_ANNEX, by_id));
    let value =
        |plan: &Plan, id: &str| plan.indicator(id).unwrap().target.as_ref().unwrap().value();
    assert_eq!(value(&plan, &child), Some(6.0));
    assert_eq!(value(&plan, &parent), Some(26.0));
    // By line alone, the correction is the parent's; the sub-target keeps what was read.
    let mut by_line = meta();
    by_line.corrections = vec![fix(None, "27件")];
    let plan = parsed(&draft_plan(SEED_ANNEX, by_line));
    assert_eq!(value(&plan, &parent), Some(27.0));
    assert_eq!(value(&plan, &child), Some(5.0));
    // An id that is not on that line corrects nothing and says so.
    let mut wrong = meta();
    wrong.corrections = vec![fix(Some("p1-out-01"), "1件")];
    let draft = draft_plan(SEED_ANNEX, wrong);
    assert!(!draft.is_complete());
    assert!(
        draft.review.iter().any(|r| r.line == Some(111)),
        "{:#?}",
        draft.review
    );
}
