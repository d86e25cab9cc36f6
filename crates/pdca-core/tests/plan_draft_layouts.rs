//! `plan_draft` on other plans' annex layouts: `<研究開発一般>` sections with ○ indicators and
//! bracketed targets (tests/data/other_annex.txt, modelled on the 3rd plan's KPI annex); one
//! golden test per target phrase and per kind of line that is not used; the per-line account for
//! a preview; a person's corrections; revisions in the header.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use pdca_core::FiscalYear;
use pdca_core::plan::{Comparator, Counting, IndicatorKind, Measure, Plan, Target};
use pdca_core::plan_draft::{
    Correction, Draft, DraftMeta, DraftedIndicator, LineUse, UnusedReason, draft_plan,
};
use pdca_core::plan_file::parse_plan;

const OTHER_ANNEX: &str = include_str!("data/other_annex.txt");

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn meta() -> DraftMeta {
    DraftMeta::new(
        "medical-rd-3",
        "第3期医療分野研究開発推進計画",
        fy(2025),
        fy(2029),
    )
}

fn parsed(draft: &Draft) -> Plan {
    parse_plan("draft.toml", &draft.toml)
        .unwrap_or_else(|e| panic!("the draft does not parse:\n{e}\n---\n{}", draft.toml))
}

/// An annex of one project in the other layout around `lines`.
fn sectioned(lines: &str) -> String {
    format!("① 医薬品プロジェクト\n＜研究開発一般＞\nアウトプット指標\n{lines}\n")
}

/// The one indicator drafted from `line` in the other layout, its TOML checked to parse.
fn one(line: &str) -> (DraftedIndicator, Plan, Draft) {
    let draft = draft_plan(&sectioned(line), meta());
    let plan = parsed(&draft);
    assert_eq!(draft.indicators.len(), 1, "{:#?}", draft.indicators);
    (draft.indicators[0].clone(), plan, draft)
}

fn target_of(plan: &Plan) -> Option<Target> {
    plan.projects[0].indicators[0].target.clone()
}

#[test]
fn the_other_annex_drafts_every_indicator() {
    let draft = draft_plan(OTHER_ANNEX, meta());
    // Only 「製造コスト（半減）」 needs a person: the annex does not say the baseline year.
    assert_eq!(draft.review.len(), 1, "needs review: {:#?}", draft.review);
    assert_eq!(draft.review[0].line, Some(42), "{:#?}", draft.review);
    assert!(
        draft.review[0]
            .problem
            .contains("基準年度の記載がありません"),
        "{:#?}",
        draft.review
    );
    let plan = parsed(&draft);
    let projects: Vec<_> = plan
        .projects
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    assert_eq!(
        projects,
        [
            ("p1", "医薬品プロジェクト"),
            ("p2", "再生・細胞医療・遺伝子治療プロジェクト")
        ]
    );
    use Comparator::{AtLeast, AtMost, Reach};
    use IndicatorKind::{Outcome, Output};
    use Measure::{Count, Level, Milestone, Ratio};
    let cumulative = |value, comparator| Some(Target::Cumulative { value, comparator });
    let per_year = |per_year, value| Some(Target::PerYear { per_year, value });
    let relative = |factor, baseline, comparator| {
        Some(Target::Relative {
            factor,
            baseline: fy(baseline),
            comparator,
        })
    };
    #[allow(clippy::type_complexity)]
    let expected: Vec<(
        &str,
        &str,
        IndicatorKind,
        &str,
        Measure,
        Option<Target>,
        Counting,
        Option<&str>,
        Option<&str>,
    )> = vec![
        (
            "p1-out-01",
            "非臨床POCの取得件数",
            Output,
            "研究開発一般",
            Count,
            per_year(30.0, 150.0),
            Counting::FiscalYear,
            None,
            None,
        ),
        (
            "p1-out-02",
            "臨床POCの取得件数",
            Output,
            "研究開発一般",
            Count,
            per_year(10.0, 50.0),
            Counting::FiscalYear,
            None,
            None,
        ),
        (
            "p1-out-03",
            "研究成果の科学誌（インパクトファクター5以上）への論文掲載件数",
            Output,
            "研究開発一般",
            Count,
            cumulative(1200.0, Reach),
            Counting::CalendarYear,
            None,
            Some("論文は掲載された暦年で数える。"),
        ),
        (
            "p1-oc-01",
            "シーズの企業への導出件数",
            Outcome,
            "研究開発一般",
            Count,
            cumulative(50.0, Reach),
            Counting::FiscalYear,
            None,
            None,
        ),
        (
            "p1-oc-02",
            "薬事承認件数（新薬、適応拡大）",
            Outcome,
            "研究開発一般",
            Count,
            cumulative(10.0, AtLeast),
            Counting::FiscalYear,
            None,
            None,
        ),
        (
            "p1-out-04",
            "創薬ベンチャーへの支援件数",
            Output,
            "創薬ベンチャー支援",
            Level,
            relative(2.0, 2023, AtLeast),
            Counting::FiscalYear,
            None,
            None,
        ),
        (
            "p1-oc-03",
            "支援を受けた創薬ベンチャーの資金調達件数",
            Outcome,
            "創薬ベンチャー支援",
            Count,
            None,
            Counting::FiscalYear,
            None,
            Some("目標値は置かず、毎年度の件数を把握する。"),
        ),
        (
            "p2-out-01",
            "遺伝子治療製品の製造拠点の整備に2026年度までに着手",
            Output,
            "研究開発一般",
            Milestone,
            Some(Target::Milestone { deadline: fy(2026) }),
            Counting::FiscalYear,
            None,
            None,
        ),
        (
            "p2-out-02",
            "細胞加工施設における受託製造件数",
            Output,
            "研究開発一般",
            Level,
            Some(Target::Level {
                value: 100.0,
                comparator: Reach,
            }),
            Counting::FiscalYear,
            None,
            None,
        ),
        (
            "p2-oc-01",
            "治験に移行した研究課題数",
            Outcome,
            "研究開発一般",
            Count,
            cumulative(100.0, Reach),
            Counting::FiscalYear,
            None,
            Some("企業治験及び医師主導治験を含む。件数は各年度末時点の累計で数える。"),
        ),
        (
            "p2-oc-01-1",
            "うち遺伝子治療",
            Outcome,
            "研究開発一般",
            Count,
            cumulative(20.0, Reach),
            Counting::FiscalYear,
            Some("p2-oc-01"),
            None,
        ),
        (
            "p2-oc-02",
            "治験の中止・中断に至った課題の割合",
            Outcome,
            "研究開発一般",
            Ratio,
            Some(Target::Ratio {
                value: 10.0,
                comparator: AtMost,
            }),
            Counting::FiscalYear,
            None,
            None,
        ),
        (
            "p2-out-03",
            "製造工程で生じる品質不適合の件数",
            Output,
            "研究基盤",
            Level,
            relative(0.5, 2023, AtMost),
            Counting::FiscalYear,
            None,
            None,
        ),
        (
            "p2-out-04",
            "再生医療等製品の製造コスト",
            Output,
            "研究基盤",
            Level,
            relative(0.5, 2024, AtMost),
            Counting::FiscalYear,
            None,
            None,
        ),
        (
            "p2-out-05",
            "若手研究者が代表を務める課題の割合",
            Output,
            "研究基盤",
            Ratio,
            Some(Target::Ratio {
                value: 30.0,
                comparator: AtLeast,
            }),
            Counting::FiscalYear,
            None,
            None,
        ),
        (
            "p2-oc-03",
            "重篤な有害事象の報告件数",
            Outcome,
            "研究基盤",
            Count,
            cumulative(10.0, AtMost),
            Counting::FiscalYear,
            None,
            None,
        ),
    ];
    let got: Vec<_> = plan.indicators().map(|(_, i)| i).collect();
    let ids = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let mut want_ids: Vec<&str> = expected.iter().map(|e| e.0).collect();
    // The file lists each project's indicators in source order, as drafted.
    let got_ids: Vec<&str> = got.iter().map(|i| i.id.as_str()).collect();
    want_ids.sort_unstable();
    let mut sorted = got_ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids(&sorted), ids(&want_ids), "indicator ids");
    for (id, name, kind, group, measure, target, counting, parent, note) in &expected {
        let i = plan.indicator(id).unwrap();
        assert_eq!(i.name, *name, "name of {id}");
        assert_eq!(i.kind, *kind, "kind of {id}");
        assert_eq!(i.group, *group, "group of {id}");
        assert_eq!(i.measure, *measure, "measure of {id}");
        assert_eq!(i.target, *target, "target of {id}");
        assert_eq!(i.counting, *counting, "counting of {id}");
        assert_eq!(i.parent.as_deref(), *parent, "parent of {id}");
        assert_eq!(i.note.as_deref(), *note, "note of {id}");
        assert!(!i.management, "{id} is not a management indicator");
    }
    // The preview says the same, with the targets as plain Japanese.
    let texts: Vec<_> = draft
        .indicators
        .iter()
        .map(|i| (i.id.as_str(), i.line, i.target_text.as_deref()))
        .collect();
    assert_eq!(
        texts,
        [
            ("p1-out-01", 8, Some("30件/年（5年累計150件）")),
            ("p1-out-02", 9, Some("10件/年（5年累計50件）")),
            ("p1-out-03", 11, Some("2025〜2029年累計1200件")),
            ("p1-oc-01", 15, Some("50件")),
            ("p1-oc-02", 16, Some("5年累計10件以上")),
            ("p1-out-04", 20, Some("2023年度比で2倍")),
            ("p1-oc-03", 22, None),
            ("p2-out-01", 31, Some("2026年度までに着手")),
            ("p2-out-02", 32, Some("年間100件")),
            ("p2-oc-01", 34, Some("100件")),
            ("p2-oc-01-1", 34, Some("20件")),
            ("p2-oc-02", 37, Some("10%以下")),
            ("p2-out-03", 41, Some("2023年度比で半減")),
            ("p2-out-04", 42, Some("2024年度比で半減")),
            ("p2-out-05", 43, Some("30%以上")),
            ("p2-oc-03", 45, Some("2025〜2029年度累計10件以下")),
        ]
    );
}

#[test]
fn the_other_annex_accounts_for_every_line() {
    let draft = draft_plan(OTHER_ANNEX, meta());
    assert_eq!(draft.lines.len(), OTHER_ANNEX.lines().count());
    let label = |n: usize| draft.lines[n - 1].became.label_ja();
    let expected = [
        (1, "使わなかった行（表題（最初のプロジェクトより前））"),
        (2, "使わなかった行（空行）"),
        (3, "使わなかった行（表題（最初のプロジェクトより前））"),
        (5, "プロジェクト p1"),
        (6, "見出し（区分「研究開発一般」）"),
        (7, "見出し（アウトプット指標）"),
        (8, "指標 p1-out-01"),
        (9, "指標 p1-out-02"),
        (10, "指標 p1-out-02 の続き"),
        (12, "指標 p1-out-03 の続き"),
        (13, "注記（p1-out-03）"),
        (14, "見出し（アウトカム指標）"),
        (23, "注記（p1-oc-03）"),
        (25, "使わなかった行（ページの見出し・欄外）"),
        (26, "使わなかった行（ページ番号）"),
        (28, "プロジェクト p2"),
        (34, "指標 p2-oc-01"),
        (35, "注記（p2-oc-01）"),
        (36, "注記（p2-oc-01）"),
        (47, "使わなかった行（脚注）"),
        (48, "使わなかった行（ページ番号）"),
    ];
    for (n, want) in expected {
        assert_eq!(label(n), want, "line {n}: {}", draft.lines[n - 1].text);
    }
    assert_eq!(
        draft.lines[33].became,
        LineUse::Indicator {
            id: "p2-oc-01".into()
        }
    );
}

#[test]
fn a_sub_target_on_its_own_line_is_accounted_as_such() {
    let draft = draft_plan(
        &sectioned("○ 治験に移行した研究課題数（累積100件）\n（うち遺伝子治療 20件）"),
        meta(),
    );
    assert!(draft.is_complete(), "{:#?}", draft.review);
    assert_eq!(
        draft.lines[4].became,
        LineUse::SubTarget {
            id: "p1-out-01-1".into()
        }
    );
    assert_eq!(draft.indicators[1].parent.as_deref(), Some("p1-out-01"));
    assert_eq!(draft.indicators[1].line, 5);
}

// --- One golden test per target phrase ------------------------------------------------------

#[test]
fn phrase_per_year_with_a_period_total() {
    let (i, plan, draft) = one("○ 採択件数（130件/年）(2025~2029年度累計650件)");
    assert!(draft.is_complete(), "{:#?}", draft.review);
    assert_eq!(i.name, "採択件数");
    assert_eq!(
        target_of(&plan),
        Some(Target::PerYear {
            per_year: 130.0,
            value: 650.0
        })
    );
    assert_eq!(i.target_text.as_deref(), Some("130件/年（5年累計650件）"));
    assert!(
        draft
            .toml
            .contains("target = { per_year = 130, value = 650, unit = \"件\" }")
    );
}

#[test]
fn phrase_per_year_alone_totals_over_the_period() {
    let (_, plan, draft) = one("○ 採択件数（130件/年）");
    assert!(draft.is_complete(), "{:#?}", draft.review);
    assert_eq!(
        target_of(&plan),
        Some(Target::PerYear {
            per_year: 130.0,
            value: 650.0
        })
    );
}

#[test]
fn phrase_calendar_years() {
    let (i, plan, draft) = one("○ 論文掲載件数（2025~2029年累計600件）");
    assert!(draft.is_complete(), "{:#?}", draft.review);
    assert_eq!(i.counting, Counting::CalendarYear);
    assert!(draft.toml.contains("counting = \"calendar_year\""));
    assert_eq!(
        plan.projects[0].indicators[0].counting,
        Counting::CalendarYear
    );
    assert_eq!(
        target_of(&plan),
        Some(Target::Cumulative {
            value: 600.0,
            comparator: Comparator::Reach
        })
    );
}

#[test]
fn phrase_cumulative_in_brackets() {
    let (i, plan, _) = one("○ 臨床研究に移行した課題数（累積50件）");
    assert_eq!(i.name, "臨床研究に移行した課題数");
    assert_eq!(target_of(&plan).and_then(|t| t.value()), Some(50.0));
}

#[test]
fn phrase_relative_to_a_baseline_year() {
    let (i, plan, draft) = one("○ 支援件数（2023年度比で2倍）");
    assert!(draft.is_complete(), "{:#?}", draft.review);
    assert_eq!(i.measure, Measure::Level);
    assert_eq!(
        target_of(&plan),
        Some(Target::Relative {
            factor: 2.0,
            baseline: fy(2023),
            comparator: Comparator::AtLeast
        })
    );
}

#[test]
fn phrase_halving() {
    let (i, plan, _) = one("○ 不適合件数（2023年度比で半減）");
    assert_eq!(i.target_text.as_deref(), Some("2023年度比で半減"));
    assert_eq!(
        target_of(&plan),
        Some(Target::Relative {
            factor: 0.5,
            baseline: fy(2023),
            comparator: Comparator::AtMost
        })
    );
    // Without a year, the draft takes the year before the plan starts, and a person must say.
    let (_, plan, draft) = one("○ 待機患者数を半減");
    assert!(!draft.is_complete());
    assert!(
        draft.review[0]
            .problem
            .contains("基準年度の記載がありません"),
        "{:#?}",
        draft.review
    );
    assert_eq!(plan.projects[0].indicators[0].name, "待機患者数を半減");
    assert_eq!(
        target_of(&plan),
        Some(Target::Relative {
            factor: 0.5,
            baseline: fy(2024),
            comparator: Comparator::AtMost
        })
    );
}

#[test]
fn phrase_milestone_inside_the_sentence() {
    let (i, plan, draft) = one("○ 2026年度までに製造拠点の整備に着手");
    assert!(draft.is_complete(), "{:#?}", draft.review);
    assert_eq!(i.name, "2026年度までに製造拠点の整備に着手");
    assert_eq!(i.measure, Measure::Milestone);
    assert_eq!(
        target_of(&plan),
        Some(Target::Milestone { deadline: fy(2026) })
    );
    assert_eq!(i.target_text.as_deref(), Some("2026年度までに着手"));
    // After the name, the phrase is the target and the name stands alone.
    let (i, _, _) = one("・製造拠点の整備 2026年度までに着手");
    assert_eq!(i.name, "製造拠点の整備");
}

#[test]
fn phrase_lower_is_better() {
    let (_, plan, _) = one("○ 重篤な有害事象の件数（5年累計10件以下）");
    assert_eq!(
        target_of(&plan),
        Some(Target::Cumulative {
            value: 10.0,
            comparator: Comparator::AtMost
        })
    );
    let (_, plan, _) = one("○ 中止に至った課題の割合（10％以下）");
    assert_eq!(
        target_of(&plan),
        Some(Target::Ratio {
            value: 10.0,
            comparator: Comparator::AtMost
        })
    );
}

#[test]
fn phrase_commas_full_width_digits_brackets_and_tildes() {
    for line in [
        "○ 論文掲載件数（２０２５～２０２９年度累計１，２００件）",
        "○ 論文掲載件数(2025~2029年度累計1,200件)",
        "○ 論文掲載件数（2025〜2029年度累計 1,200 件）",
    ] {
        let (i, plan, draft) = one(line);
        assert!(draft.is_complete(), "{line}: {:#?}", draft.review);
        assert_eq!(i.name, "論文掲載件数", "{line}");
        assert_eq!(
            target_of(&plan).and_then(|t| t.value()),
            Some(1200.0),
            "{line}"
        );
    }
}

#[test]
fn phrase_level_and_ratio_and_floor() {
    let (_, plan, _) = one("○ 受託製造件数（年間100件）");
    assert_eq!(
        target_of(&plan),
        Some(Target::Level {
            value: 100.0,
            comparator: Comparator::Reach
        })
    );
    let (_, plan, _) = one("○ 若手の課題の割合（30％以上）");
    assert_eq!(
        target_of(&plan),
        Some(Target::Ratio {
            value: 30.0,
            comparator: Comparator::AtLeast
        })
    );
}

#[test]
fn phrase_target_on_the_following_lines() {
    let draft = draft_plan(
        &sectioned("○ 臨床POCの\n取得件数\n（10件/年）\n(2025~2029年度累計50件)"),
        meta(),
    );
    assert!(draft.is_complete(), "{:#?}", draft.review);
    let plan = parsed(&draft);
    let i = &plan.projects[0].indicators[0];
    assert_eq!(i.name, "臨床POCの取得件数");
    assert_eq!(
        i.target,
        Some(Target::PerYear {
            per_year: 10.0,
            value: 50.0
        })
    );
    let uses: Vec<_> = draft.lines[3..]
        .iter()
        .map(|l| l.became.label_ja())
        .collect();
    assert_eq!(
        uses,
        [
            "指標 p1-out-01",
            "指標 p1-out-01 の続き",
            "指標 p1-out-01 の続き",
            "指標 p1-out-01 の続き"
        ]
    );
}

#[test]
fn an_indicator_without_a_target_is_monitored_only() {
    let (i, plan, draft) = one("○ データ提供件数");
    assert!(draft.is_complete(), "{:#?}", draft.review);
    assert_eq!((i.measure, i.target_text), (Measure::Count, None));
    assert_eq!(target_of(&plan), None);
    let (i, _, _) = one("○ 企業による利用の割合");
    assert_eq!(i.measure, Measure::Ratio);
    // In the 2nd plan's layout it is said in words.
    let draft = draft_plan(
        "① 医薬品プロジェクト\n＜アウトプット＞\n○シーズ研究に関する指標\n・データ提供件数（数値目標なし）\n",
        meta(),
    );
    assert!(draft.is_complete(), "{:#?}", draft.review);
    assert_eq!(draft.indicators[0].name, "データ提供件数");
    assert_eq!(target_of(&parsed(&draft)), None);
}

#[test]
fn a_note_belongs_to_the_indicator_above() {
    let (i, plan, draft) = one("○ 採択件数（30件）\n※ 継続課題を含む。");
    assert_eq!(i.note.as_deref(), Some("継続課題を含む。"));
    assert_eq!(
        plan.projects[0].indicators[0].note.as_deref(),
        Some("継続課題を含む。")
    );
    assert_eq!(draft.lines[4].became.label_ja(), "注記（p1-out-01）");
}

#[test]
fn a_target_no_reader_understands_needs_a_person() {
    let draft = draft_plan(&sectioned("○ 採択件数（130件/年程度）"), meta());
    assert!(!draft.is_complete());
    assert_eq!(draft.review[0].indicator.as_deref(), Some("p1-out-01"));
    assert!(draft.indicators[0].needs_review);
    assert_eq!(target_of(&parsed(&draft)), None);
}

#[test]
fn a_target_outside_the_period_needs_a_person() {
    let draft = draft_plan(&sectioned("○ 採択件数（2020~2024年度累計50件）"), meta());
    assert!(!draft.is_complete());
    assert!(
        draft.review[0].problem.contains("計画期間"),
        "{:#?}",
        draft.review
    );
    parsed(&draft);
}

// --- Lines that are not used ----------------------------------------------------------------

fn reason_of(text: &str, line: usize) -> LineUse {
    draft_plan(text, meta()).lines[line - 1].became.clone()
}

#[test]
fn unused_page_header() {
    let text = sectioned(
        "○ 採択件数（30件）\n第 45回健康・医療戦略推進専門調査会 資料３\n令和 7年 6月 13日",
    );
    assert_eq!(
        reason_of(&text, 5),
        LineUse::Unused(UnusedReason::PageHeader)
    );
    assert_eq!(
        reason_of(&text, 6),
        LineUse::Unused(UnusedReason::PageHeader)
    );
    assert!(draft_plan(&text, meta()).is_complete());
}

#[test]
fn unused_page_number() {
    let text = sectioned("○ 採択件数（30件）\n- 3 -\n１２");
    assert_eq!(
        reason_of(&text, 5),
        LineUse::Unused(UnusedReason::PageNumber)
    );
    assert_eq!(
        reason_of(&text, 6),
        LineUse::Unused(UnusedReason::PageNumber)
    );
}

#[test]
fn unused_footnote() {
    let text = sectioned("○ 採択件数（30件）\n1 医薬品医療機器等法に基づく承認をいう。");
    assert_eq!(reason_of(&text, 5), LineUse::Unused(UnusedReason::Footnote));
    // A footnote whose marker is in a name becomes a glossary entry.
    let text = sectioned("○ 非臨床POC1の取得件数（30件）\n1 Proof of Conceptの略。");
    assert_eq!(
        reason_of(&text, 5),
        LineUse::Glossary { term: "POC".into() }
    );
}

#[test]
fn unused_blank() {
    let text = sectioned("○ 採択件数（30件）\n\n   \n　");
    for n in 5..=7 {
        assert_eq!(
            reason_of(&text, n),
            LineUse::Unused(UnusedReason::Blank),
            "{n}"
        );
    }
}

#[test]
fn unused_preamble_and_title() {
    let text = format!(
        "別表　成果目標（KPI）\n第３期計画\n{}",
        sectioned("○ 採択件数（30件）")
    );
    assert_eq!(reason_of(&text, 1), LineUse::Unused(UnusedReason::Preamble));
    assert_eq!(reason_of(&text, 2), LineUse::Unused(UnusedReason::Preamble));
}

#[test]
fn a_line_not_understood_is_named() {
    let text = sectioned("○ 採択件数（30件）\nこれは指標ではない説明文です。");
    let draft = draft_plan(&text, meta());
    assert!(matches!(
        &draft.lines[4].became,
        LineUse::NeedsReview { problem } if problem.contains("説明文")
    ));
    assert_eq!(draft.lines[4].became.label_ja(), "要確認");
}

// --- Corrections ----------------------------------------------------------------------------

fn corrected(line: &str, corrections: Vec<Correction>) -> Draft {
    let mut meta = meta();
    meta.corrections = corrections;
    draft_plan(&sectioned(line), meta)
}

fn fix(line: usize, name: Option<&str>, target: Option<&str>) -> Correction {
    Correction {
        line,
        id: None,
        name: name.map(str::to_owned),
        target: target.map(str::to_owned),
    }
}

#[test]
fn a_correction_replaces_name_and_target_and_clears_the_review() {
    let draft = corrected(
        "○ 採択件数（130件/年程度）",
        vec![fix(4, Some("新規 採択件数"), Some("130件/年、累計650件"))],
    );
    assert!(draft.is_complete(), "{:#?}", draft.review);
    let i = &draft.indicators[0];
    assert_eq!(i.name, "新規採択件数");
    assert!(!i.needs_review);
    assert_eq!(
        target_of(&parsed(&draft)),
        Some(Target::PerYear {
            per_year: 130.0,
            value: 650.0
        })
    );
}

#[test]
fn a_correction_reads_every_phrase() {
    let cases: [(&str, Option<Target>, Measure); 9] = [
        (
            "25件",
            Some(Target::Cumulative {
                value: 25.0,
                comparator: Comparator::Reach,
            }),
            Measure::Count,
        ),
        (
            "75%",
            Some(Target::Ratio {
                value: 75.0,
                comparator: Comparator::Reach,
            }),
            Measure::Ratio,
        ),
        (
            "2件以上",
            Some(Target::Cumulative {
                value: 2.0,
                comparator: Comparator::AtLeast,
            }),
            Measure::Count,
        ),
        (
            "2023年度比で2倍",
            Some(Target::Relative {
                factor: 2.0,
                baseline: fy(2023),
                comparator: Comparator::AtLeast,
            }),
            Measure::Level,
        ),
        (
            "2023年度比で半減",
            Some(Target::Relative {
                factor: 0.5,
                baseline: fy(2023),
                comparator: Comparator::AtMost,
            }),
            Measure::Level,
        ),
        (
            "2026年度までに着手",
            Some(Target::Milestone { deadline: fy(2026) }),
            Measure::Milestone,
        ),
        ("なし", None, Measure::Count),
        ("", None, Measure::Count),
        (
            "年間100件",
            Some(Target::Level {
                value: 100.0,
                comparator: Comparator::Reach,
            }),
            Measure::Level,
        ),
    ];
    for (phrase, want, measure) in cases {
        let draft = corrected("○ 採択件数（30件）", vec![fix(4, None, Some(phrase))]);
        assert!(draft.is_complete(), "{phrase}: {:#?}", draft.review);
        assert_eq!(target_of(&parsed(&draft)), want, "{phrase}");
        assert_eq!(draft.indicators[0].measure, measure, "{phrase}");
        assert_eq!(draft.indicators[0].name, "採択件数");
    }
}

#[test]
fn a_correction_that_cannot_be_applied_is_reviewed_by_line() {
    let draft = corrected(
        "○ 採択件数（30件）",
        vec![fix(4, None, Some("たくさん")), fix(99, Some("名前"), None)],
    );
    assert!(!draft.is_complete());
    let lines: Vec<_> = draft.review.iter().map(|r| r.line).collect();
    assert_eq!(lines, [Some(4), Some(99)], "{:#?}", draft.review);
    assert!(draft.review[0].problem.contains("行 4"));
    assert!(draft.review[1].problem.contains("行 99"));
    // The indicator keeps what was read.
    assert_eq!(
        target_of(&parsed(&draft)).and_then(|t| t.value()),
        Some(30.0)
    );
}

// --- Revisions ------------------------------------------------------------------------------

#[test]
fn a_drafted_revision_validates() {
    let mut meta = meta();
    meta.revision = 2;
    meta.effective_from = Some(fy(2027));
    meta.decided_on = Some("2027-03-31".into());
    meta.revision_note = Some("一部変更: 採択件数の目標を引き上げ".into());
    let draft = draft_plan(&sectioned("○ 採択件数（40件）"), meta);
    assert!(draft.is_complete(), "{:#?}", draft.review);
    let plan = parsed(&draft);
    assert_eq!(plan.revision, 2);
    assert_eq!(plan.effective_from, fy(2027));
    assert_eq!(plan.decided_on.as_deref(), Some("2027-03-31"));
    assert_eq!(
        plan.revision_note.as_deref(),
        Some("一部変更: 採択件数の目標を引き上げ")
    );
}

#[test]
fn a_revision_header_the_format_refuses_needs_a_person() {
    let mut meta = meta();
    meta.effective_from = Some(fy(2031));
    meta.decided_on = Some("2027/3/31".into());
    let draft = draft_plan(&sectioned("○ 採択件数（40件）"), meta);
    assert_eq!(draft.review.len(), 2, "{:#?}", draft.review);
}

#[test]
fn a_correction_to_halve_without_a_baseline_year_is_not_taken() {
    let draft = corrected("○ 採択件数（30件）", vec![fix(4, None, Some("半減"))]);
    assert!(!draft.is_complete());
    assert!(
        draft
            .review
            .iter()
            .any(|r| r.line == Some(4) && r.problem.contains("基準年度")),
        "{:#?}",
        draft.review
    );
}
