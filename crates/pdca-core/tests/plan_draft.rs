//! `plan_draft::draft_plan`: the seed's KPI annex (資料5（参考2）, copied as text from the PDF into
//! `tests/data/seed_annex_2.txt`) drafts into exactly the built-in plan's catalogue; the tricky
//! lines of such an annex are read as a person would; nothing makes it panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use pdca_core::FiscalYear;
use pdca_core::builtin::builtin_plan;
use pdca_core::plan::{Indicator, Plan};
use pdca_core::plan_draft::{Draft, DraftMeta, UnusedReason, draft_plan};
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
            ("※ 累計で数える", UnusedReason::IndicatorNote),
        ]
    );
    assert_eq!(indicators(&parsed(&draft)).len(), 1);
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
    let draft = draft(&annex("・採択件数（130件/年）"));
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
