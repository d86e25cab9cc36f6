//! Achievements (`pdca_core::achievements`): the plan keys that count an indicator from them,
//! possible duplicates, the counts and warnings they give, and the validation of an achievements
//! file — each rule and each error with its exact message, and properties of the counting.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use pdca_core::access::ActualState;
use pdca_core::achievements::{
    Achievement, AchievementFields, AchievementId, DuplicateDecision, DuplicateReason,
    MAX_FULL_GROUP, Resolution, apply, derive, find_duplicates, is_approved,
    validate_achievement_rows,
};
use pdca_core::evaluation::evaluate_plan;
use pdca_core::import::{RawRow, RowError};
use pdca_core::plan::CountedFrom;
use pdca_core::plan_diff::{ChangeKind, diff_plans};
use pdca_core::plan_file::parse_plan;
use pdca_core::{ActualValue, Actuals, Contribution, FiscalYear, Plan};
use proptest::prelude::*;

/// The plan the tests count against (see the file's comment).
const PLAN: &str = include_str!("plans/achievements.toml");

fn plan() -> Plan {
    parse_plan("test.toml", PLAN).unwrap_or_else(|e| panic!("{e}"))
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn fields(indicator: &str, year: i32, body: &str, code: &str, title: &str) -> AchievementFields {
    AchievementFields {
        indicator: indicator.into(),
        year: fy(year),
        body: body.into(),
        project_code: (!code.is_empty()).then(|| code.to_owned()),
        title: title.into(),
        institution: None,
        date: None,
        tags: vec![],
        public: false,
        notable: false,
        url: None,
        note: None,
    }
}

fn item(id: i64, f: AchievementFields) -> Achievement {
    Achievement {
        id: AchievementId(id),
        version: 1,
        fields: f,
        state: ActualState::Approved,
    }
}

fn tagged(mut a: Achievement, tags: &[&str]) -> Achievement {
    a.fields.tags = tags.iter().map(|t| (*t).to_owned()).collect();
    a
}

fn same(a: i64, b: i64, kept: i64) -> DuplicateDecision {
    DuplicateDecision {
        a: AchievementId(a.min(b)),
        b: AchievementId(a.max(b)),
        resolution: Resolution::Same {
            kept: AchievementId(kept),
        },
        reason: "同じ課題の同じ成果".into(),
    }
}

fn distinct(a: i64, b: i64) -> DuplicateDecision {
    DuplicateDecision {
        a: AchievementId(a.min(b)),
        b: AchievementId(a.max(b)),
        resolution: Resolution::Distinct,
        reason: "別の品目".into(),
    }
}

/// The derived numbers as (indicator, year, body) → value.
fn numbers(
    plan: &Plan,
    items: &[Achievement],
    decisions: &[DuplicateDecision],
) -> BTreeMap<(String, i32, String), f64> {
    derive(plan, items, decisions, &Actuals::new(), is_approved)
        .contributions
        .into_iter()
        .map(|c| {
            let ActualValue::Number(n) = c.value else {
                panic!("not a number: {c:?}")
            };
            ((c.indicator, c.year.year(), c.body), n)
        })
        .collect()
}

fn key(indicator: &str, year: i32, body: &str) -> (String, i32, String) {
    (indicator.into(), year, body.into())
}

// ---------------------------------------------------------------------------------------------
// The plan keys.

fn plan_error(indicators: &str) -> String {
    let text = format!(
        r#"[plan]
id = "bad"
name = "誤りのある計画"
start_fy = 2020
end_fy = 2024
default_bodies = ["amed"]

[[bodies]]
id = "amed"
name = "日本医療研究開発機構"

[[projects]]
id = "p1"
name = "医薬品プロジェクト"
{indicators}"#
    );
    match parse_plan("bad.toml", &text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => {
            assert_eq!(e.0.len(), 1, "expected one error, got:\n{e}");
            e.to_string()
        }
    }
}

fn count_table(id: &str, name: &str, extra: &str) -> String {
    format!(
        r#"
[[projects.indicators]]
id = "{id}"
name = "{name}"
kind = "output"
group = "指標"
measure = "count"
{extra}
"#
    )
}

#[test]
fn sub_targets_of_a_counted_parent_are_counted_and_have_tags() {
    let plan = plan();
    let gene = plan.indicator("poc-gene").unwrap();
    assert_eq!(gene.counted_from, CountedFrom::Achievements, "inherited");
    assert_eq!(gene.achievement_tag, None);
    assert_eq!(gene.achievement_tag().as_deref(), Some("遺伝子治療"));
    let cell = plan.indicator("poc-cell").unwrap();
    assert_eq!(cell.achievement_tag().as_deref(), Some("再生医療"));
    assert_eq!(plan.indicator("poc").unwrap().achievement_tag(), None);
    let lic1 = plan.indicator("lic-1").unwrap();
    assert_eq!(lic1.counted_from, CountedFrom::Reported);
    assert_eq!(lic1.achievement_tag().as_deref(), Some("企業導出"));
}

#[test]
fn counted_from_achievements_only_on_a_count() {
    let e = plan_error(
        r#"
[[projects.indicators]]
id = "r"
name = "率"
kind = "output"
group = "指標"
measure = "ratio"
counted_from = "achievements"
"#,
    );
    assert_eq!(
        e,
        "bad.toml:22:16: projects[0].indicators[0].counted_from: counted_from = \"achievements\"（成果から集計）は count の指標にだけ置けます（この指標は ratio）"
    );
}

#[test]
fn a_sub_target_of_a_counted_parent_may_not_be_typed() {
    let text = count_table("a", "導出件数", "counted_from = \"achievements\"")
        + &count_table(
            "b",
            "うち遺伝子治療",
            "parent = \"a\"\ncounted_from = \"reported\"",
        );
    assert_eq!(
        plan_error(&text),
        "bad.toml:31:16: projects[0].indicators[1].counted_from: 親指標「a」が成果から集計されるため、内数も成果から集計されます（counted_from を書かないか \"achievements\" にしてください）"
    );
}

#[test]
fn a_sub_target_is_counted_only_with_its_parent() {
    let text = count_table("a", "導出件数", "")
        + &count_table(
            "b",
            "うち遺伝子治療",
            "parent = \"a\"\ncounted_from = \"achievements\"",
        );
    assert_eq!(
        plan_error(&text),
        "bad.toml:31:16: projects[0].indicators[1].counted_from: 内数を成果から集計するには、親指標「a」に counted_from = \"achievements\" を置いてください（内数の成果は親の成果のうち区分が付いたものです）"
    );
}

#[test]
fn achievement_tag_only_on_a_sub_target() {
    let text = count_table("a", "導出件数", "achievement_tag = \"がん\"");
    assert_eq!(
        plan_error(&text),
        "bad.toml:22:19: projects[0].indicators[0].achievement_tag: achievement_tag（成果の区分）は内数（parent のある指標）にだけ置けます"
    );
}

#[test]
fn tags_of_one_parent_are_distinct() {
    let text = count_table("a", "導出件数", "counted_from = \"achievements\"")
        + &count_table("b", "うち遺伝子治療", "parent = \"a\"")
        + &count_table(
            "c",
            "うち遺伝子治療薬",
            "parent = \"a\"\nachievement_tag = \"遺伝子治療\"",
        );
    assert_eq!(
        plan_error(&text),
        "bad.toml:39:19: projects[0].indicators[2].achievement_tag: 成果の区分「遺伝子治療」は同じ親指標「a」の内数「b」と同じです（achievement_tag で別の区分名を書いてください）"
    );
}

#[test]
fn a_tag_holds_no_separator() {
    let text = count_table("a", "導出件数", "counted_from = \"achievements\"")
        + &count_table("b", "うち遺伝子治療／細胞治療", "parent = \"a\"");
    assert_eq!(
        plan_error(&text),
        "bad.toml:24:1: projects[0].indicators[1].name: 成果の区分「遺伝子治療／細胞治療」に区切り文字（、 , ; ／ /）が含まれています（achievement_tag で区切り文字のない区分名を書いてください）"
    );
}

#[test]
fn a_change_of_counting_is_an_other_change_in_the_diff() {
    let old = plan();
    let mut new = old.clone();
    new.indicator_mut("lic").unwrap().counted_from = CountedFrom::Achievements;
    new.indicator_mut("lic-1").unwrap().achievement_tag = Some("導出".into());
    let diff = diff_plans(&old, &new);
    let others: Vec<(String, Vec<String>)> = diff
        .changes
        .iter()
        .map(|c| match &c.change {
            ChangeKind::Changed { other, .. } => (c.id.clone(), other.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        others,
        vec![
            (
                "lic".to_owned(),
                vec!["成果から集計: いいえ → はい".to_owned()]
            ),
            (
                "lic-1".to_owned(),
                vec!["成果の区分: 企業導出 → 導出".to_owned()]
            ),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Possible duplicates.

#[test]
fn the_same_project_and_title_or_the_same_link_is_a_possible_duplicate() {
    let mut a = item(
        1,
        fields("poc", 2021, "amed", "JP21am0101001", "化合物Ａの導出"),
    );
    a.fields.url = Some("https://Example.JP/news/1/".into());
    let b = item(
        2,
        fields("poc", 2021, "mext", "jp21-am0101001", "化合物 a の導出"),
    );
    let mut c = item(3, fields("poc", 2022, "amed", "JP99", "別の名前"));
    c.fields.url = Some("HTTPS://example.jp/news/1".into());
    let mut d = item(
        4,
        fields("poc", 2021, "amed", "JP21am0101001", "化合物Aの導出"),
    );
    d.fields.url = Some("https://example.jp/news/1".into());
    // Another indicator: never paired with poc's.
    let e = item(
        5,
        fields("lic", 2021, "amed", "JP21am0101001", "化合物Aの導出"),
    );
    // No project code: the title alone is no key.
    let f = item(6, fields("poc", 2021, "amed", "", "化合物Aの導出"));
    let decisions = [distinct(2, 1)];
    let pairs = find_duplicates(&[a, b, c, d, e, f], &decisions);
    let got: Vec<(i64, i64, Vec<DuplicateReason>, bool)> = pairs
        .iter()
        .map(|p| (p.a.0, p.b.0, p.reasons.clone(), p.decision.is_some()))
        .collect();
    use DuplicateReason::{SameProjectAndTitle as Code, SameUrl as Url};
    assert_eq!(
        got,
        vec![
            (1, 2, vec![Code], true),
            (1, 3, vec![Url], false),
            (1, 4, vec![Code, Url], false),
            (2, 4, vec![Code], false),
            (3, 4, vec![Url], false),
        ]
    );
    assert_eq!(pairs[0].decision, Some(distinct(1, 2)));
}

#[test]
fn a_huge_group_gives_a_chain_and_its_decided_pairs_not_every_pair() {
    let items: Vec<Achievement> = (1..=1000)
        .map(|i| item(i, fields("poc", 2021, "amed", "JP1", "同じ成果")))
        .collect();
    let pairs = find_duplicates(&items, &[same(10, 500, 10)]);
    assert_eq!(pairs.len(), 999 + 1);
    assert!(
        pairs
            .iter()
            .any(|p| (p.a.0, p.b.0) == (10, 500) && p.decision.is_some())
    );
    assert!(
        pairs
            .windows(2)
            .all(|w| (w[0].a, w[0].b) < (w[1].a, w[1].b))
    );
    // A small group gives every pair.
    let small: Vec<Achievement> = items[..MAX_FULL_GROUP].to_vec();
    let n = MAX_FULL_GROUP;
    assert_eq!(find_duplicates(&small, &[]).len(), n * (n - 1) / 2);
}

#[test]
fn a_hundred_thousand_achievements_are_checked_quickly() {
    let items: Vec<Achievement> = (0..100_000)
        .map(|i| {
            let mut a = item(
                i,
                fields(
                    "poc",
                    2020 + (i % 5) as i32,
                    "amed",
                    &format!("JP{}", i / 3),
                    &format!("成果{}", i / 3),
                ),
            );
            a.fields.url = Some(format!("https://example.jp/{}", i / 7));
            a
        })
        .collect();
    let started = std::time::Instant::now();
    let pairs = find_duplicates(&items, &[]);
    assert!(pairs.len() > 100_000, "{}", pairs.len());
    let elapsed = started.elapsed();
    assert!(elapsed.as_secs() < 20, "{elapsed:?}");
    let derived = derive(&plan(), &items, &[], &Actuals::new(), is_approved);
    assert!(!derived.warnings.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Counting.

#[test]
fn an_indicator_counted_from_achievements_counts_distinct_approved_ones() {
    let plan = plan();
    let mut draft = item(4, fields("poc", 2021, "amed", "JP4", "下書き"));
    draft.state = ActualState::Draft;
    let items = vec![
        tagged(
            item(1, fields("poc", 2021, "amed", "JP1", "一")),
            &["遺伝子治療"],
        ),
        tagged(
            item(2, fields("poc", 2021, "amed", "JP2", "二")),
            &["再生医療", "遺伝子治療"],
        ),
        item(3, fields("poc", 2021, "mext", "JP3", "三")),
        draft,
        item(5, fields("poc", 2022, "mext", "JP5", "五")),
        item(6, fields("cal", 2023, "amed", "JP6", "六")),
        // Evidence of a typed indicator: no contribution.
        item(7, fields("lic", 2021, "amed", "JP7", "七")),
    ];
    let got = numbers(&plan, &items, &[]);
    let want: BTreeMap<_, _> = [
        (key("poc", 2021, "amed"), 2.0),
        (key("poc", 2021, "mext"), 1.0),
        (key("poc", 2022, "mext"), 1.0),
        (key("poc-gene", 2021, "amed"), 2.0),
        (key("poc-gene", 2021, "mext"), 0.0),
        (key("poc-gene", 2022, "mext"), 0.0),
        (key("poc-cell", 2021, "amed"), 1.0),
        (key("poc-cell", 2021, "mext"), 0.0),
        (key("poc-cell", 2022, "mext"), 0.0),
        (key("cal", 2023, "amed"), 1.0),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
}

#[test]
fn reports_decided_the_same_count_once_for_the_report_that_stands() {
    let plan = plan();
    let items = vec![
        item(1, fields("poc", 2021, "amed", "JP1", "一")),
        item(2, fields("poc", 2021, "mext", "JP1", "一")),
        item(3, fields("poc", 2022, "mext", "JP1", "一")),
        item(4, fields("poc", 2021, "amed", "JP4", "四")),
    ];
    // No decision: four.
    let got = numbers(&plan, &items, &[]);
    assert_eq!(got[&key("poc", 2021, "amed")], 2.0);
    // 1 = 2 (2 stands), 2 = 3 (2 stands): one achievement, mext's FY2021 report; AMED keeps its
    // other one, and FY2022 falls to 0 rather than keeping a stale 1.
    let got = numbers(&plan, &items, &[same(1, 2, 2), same(2, 3, 2)]);
    assert_eq!(got[&key("poc", 2021, "amed")], 1.0);
    assert_eq!(got[&key("poc", 2021, "mext")], 1.0);
    assert_eq!(got[&key("poc", 2022, "mext")], 0.0);
    // Decided distinct: counted twice.
    let got = numbers(&plan, &items, &[distinct(1, 2)]);
    assert_eq!(got[&key("poc", 2021, "amed")], 2.0);
    assert_eq!(got[&key("poc", 2021, "mext")], 1.0);
}

#[test]
fn open_pairs_are_a_warning_on_the_indicator_they_are_recorded_on() {
    let plan = plan();
    let items = vec![
        item(12, fields("poc", 2021, "amed", "JP1", "一")),
        item(15, fields("poc", 2021, "mext", "JP1", "一")),
        item(20, fields("poc", 2022, "amed", "JP2", "二")),
        item(21, fields("poc", 2022, "amed", "JP2", "二")),
        item(30, fields("poc", 2022, "amed", "JP3", "三")),
        item(31, fields("poc", 2022, "amed", "JP3", "三")),
        item(40, fields("poc", 2022, "amed", "JP4", "四")),
        item(41, fields("poc", 2022, "amed", "JP4", "四")),
    ];
    let derived = derive(
        &plan,
        &items,
        &[same(20, 21, 20)],
        &Actuals::new(),
        is_approved,
    );
    assert_eq!(
        derived.warnings,
        vec![(
            "poc".to_owned(),
            "重複の可能性がある成果が3組あり、事務局の判断を待っています（成果 ID 12 と 15、30 と 31、40 と 41）".to_owned()
        )]
    );
    let derived = derive(&plan, &items, &[], &Actuals::new(), is_approved);
    assert_eq!(
        derived.warnings[0].1,
        "重複の可能性がある成果が4組あり、事務局の判断を待っています（成果 ID 12 と 15、20 と 21、30 と 31 ほか1組）"
    );
}

fn typed(indicator: &str, year: i32, body: &str, v: f64) -> Contribution {
    Contribution {
        indicator: indicator.into(),
        year: fy(year),
        body: body.into(),
        value: ActualValue::Number(v),
    }
}

#[test]
fn a_typed_total_that_differs_from_its_list_is_a_warning() {
    let plan = plan();
    let typed: Actuals = [
        typed("lic", 2022, "amed", 5.0),
        typed("lic", 2023, "amed", 1.0),
        typed("lic-1", 2022, "amed", 2.0),
    ]
    .into_iter()
    .collect();
    let items = vec![
        tagged(
            item(1, fields("lic", 2022, "amed", "JP1", "一")),
            &["企業導出"],
        ),
        item(2, fields("lic", 2022, "amed", "JP2", "二")),
        item(3, fields("lic", 2022, "amed", "JP3", "三")),
        item(4, fields("lic", 2022, "amed", "JP4", "四")),
        item(5, fields("lic", 2023, "amed", "JP5", "五")),
        // No typed total for 2024: left to the evaluation's "not reported".
        item(6, fields("lic", 2024, "amed", "JP6", "六")),
    ];
    let derived = derive(&plan, &items, &[], &typed, is_approved);
    assert!(derived.contributions.is_empty());
    assert_eq!(
        derived.warnings,
        vec![
            (
                "lic".to_owned(),
                "令和4年度の報告値 5件と成果の一覧 4件が一致しません".to_owned()
            ),
            (
                "lic-1".to_owned(),
                "令和4年度の報告値 2件と成果の一覧 1件が一致しません".to_owned()
            ),
        ]
    );
}

#[test]
fn a_calendar_year_indicator_names_the_year() {
    let mut plan = plan();
    plan.indicator_mut("cal").unwrap().counted_from = CountedFrom::Reported;
    let typed: Actuals = [typed("cal", 2022, "amed", 3.0)].into_iter().collect();
    let items = vec![item(1, fields("cal", 2022, "amed", "JP1", "一"))];
    let derived = derive(&plan, &items, &[], &typed, is_approved);
    assert_eq!(
        derived.warnings,
        vec![(
            "cal".to_owned(),
            "2022年の報告値 3件と成果の一覧 1件が一致しません".to_owned()
        )]
    );
}

#[test]
fn apply_replaces_counted_indicators_and_the_evaluation_shows_the_warnings() {
    let plan = plan();
    let mut actuals: Actuals = [
        typed("poc", 2020, "amed", 9.0),
        typed("lic", 2021, "amed", 3.0),
    ]
    .into_iter()
    .collect();
    let items = vec![
        item(1, fields("poc", 2021, "amed", "JP1", "一")),
        item(2, fields("poc", 2021, "mext", "JP1", "一")),
        item(3, fields("lic", 2021, "amed", "JP3", "三")),
    ];
    apply(&plan, &mut actuals, &items, &[], is_approved);
    assert!(
        actuals.year("poc", fy(2020)).is_none(),
        "a typed value of a counted indicator goes"
    );
    assert_eq!(actuals.year("poc", fy(2021)).unwrap().number, 2.0);
    assert_eq!(actuals.year("lic", fy(2021)).unwrap().number, 3.0);
    let evaluation = evaluate_plan(&plan, &actuals, fy(2021)).unwrap();
    let warnings = |id: &str| {
        evaluation
            .indicators
            .iter()
            .find(|e| e.id == id)
            .unwrap()
            .warnings
            .clone()
    };
    assert!(
        warnings("poc").contains(
            &"重複の可能性がある成果が1組あり、事務局の判断を待っています（成果 ID 1 と 2）"
                .to_owned()
        ),
        "{:?}",
        warnings("poc")
    );
    assert!(
        warnings("lic").contains(&"令和3年度の報告値 3件と成果の一覧 1件が一致しません".to_owned())
    );
}

// ---------------------------------------------------------------------------------------------
// The achievements file.

const HEADERS: [&str; 12] = [
    "indicator_id",
    "fiscal_year",
    "body",
    "project_code",
    "title",
    "institution",
    "date",
    "tags",
    "public",
    "notable",
    "url",
    "note",
];

fn headers(h: &[&str]) -> Vec<String> {
    h.iter().map(|s| (*s).to_owned()).collect()
}

fn rows(cells: &[&[&str]]) -> Vec<RawRow> {
    cells
        .iter()
        .enumerate()
        .map(|(i, r)| RawRow::new(i + 2, r.iter()))
        .collect()
}

fn validate(
    cells: &[&[&str]],
) -> Result<Vec<pdca_core::achievements::ImportedAchievement>, Vec<RowError>> {
    validate_achievement_rows(&plan(), &headers(&HEADERS), 1, &rows(cells))
}

/// The errors of a file with the given rows, displayed.
fn errors_of(cells: &[&[&str]]) -> Vec<String> {
    match validate(cells) {
        Ok(ok) => panic!("accepted: {ok:?}"),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

fn the_error_of(row: &[&str]) -> String {
    let e = errors_of(&[row]);
    assert_eq!(e.len(), 1, "{e:?}");
    e[0].clone()
}

const GOOD: [&str; 12] = [
    "poc",
    "2022",
    "amed",
    "JP22am0101001",
    "化合物Aの導出",
    "東京大学",
    "2022-06-01",
    "遺伝子治療",
    "可",
    "はい",
    "https://example.jp/news/1",
    "備考",
];

fn with(col: usize, text: &str) -> Vec<&str> {
    let mut row: Vec<&str> = GOOD.to_vec();
    row[col] = text;
    row
}

#[test]
fn a_good_file_reads_in_english_or_japanese() {
    let got = validate(&[&GOOD]).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].row, 2);
    let f = &got[0].fields;
    assert_eq!(f.indicator, "poc");
    assert_eq!(f.year, fy(2022));
    assert_eq!(f.body, "amed");
    assert_eq!(f.project_code.as_deref(), Some("JP22am0101001"));
    assert_eq!(f.title, "化合物Aの導出");
    assert_eq!(f.institution.as_deref(), Some("東京大学"));
    assert_eq!(f.date.as_deref(), Some("2022-06-01"));
    assert_eq!(f.tags, ["遺伝子治療"]);
    assert!(f.public && f.notable);
    assert_eq!(f.url.as_deref(), Some("https://example.jp/news/1"));
    assert_eq!(f.note.as_deref(), Some("備考"));

    let japanese = headers(&[
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
        "ＵＲＬ",
        "備考",
    ]);
    let row = [
        "poc",
        "令和4年度",
        "文科省",
        "ＪＰ２２",
        "化合物B",
        "",
        "令和5年3月31日",
        "遺伝子治療、再生医療；遺伝子治療",
        "",
        "",
        "",
        "",
    ];
    let got = validate_achievement_rows(&plan(), &japanese, 1, &rows(&[&row])).unwrap();
    let f = &got[0].fields;
    assert_eq!(f.body, "mext");
    assert_eq!(f.project_code.as_deref(), Some("JP22"));
    assert_eq!(f.date.as_deref(), Some("2023-03-31"));
    assert_eq!(f.tags, ["遺伝子治療", "再生医療"]);
    assert!(!f.public, "a blank 公開 is 否");
    assert!(!f.notable);
    assert_eq!(f.institution, None);
}

#[test]
fn dates_are_read_in_the_usual_forms() {
    for (text, want) in [
        ("2022/4/1", "2022-04-01"),
        ("２０２２－０４－０１", "2022-04-01"),
        ("2022年12月3日", "2022-12-03"),
        ("令和5年1月31日", "2023-01-31"),
        ("2023.3.31", "2023-03-31"),
    ] {
        let row = with(6, text);
        let got = validate(&[&row]).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!(got[0].fields.date.as_deref(), Some(want), "{text}");
    }
}

#[test]
fn header_errors_are_on_the_header_row() {
    let bad = headers(&["indicator_id", "年度", "title", "colour", "成果名"]);
    let e: Vec<String> = validate_achievement_rows(&plan(), &bad, 3, &[])
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        e,
        vec![
            "3行目, D列「colour」: 見出し「colour」は使えません（期待: indicator_id, fiscal_year, body, project_code, title, institution, date, tags, public, notable, url, note、または 指標ID, 年度, 報告機関, 課題番号, 成果名, 実施機関, 日付, 区分, 公開, 顕著な成果, URL, 備考）",
            "3行目, E列「成果名」: 列「title」が重複しています",
        ]
    );
    let e = validate_achievement_rows(&plan(), &headers(&["indicator_id", "body"]), 1, &[])
        .unwrap_err();
    let e: Vec<String> = e.iter().map(ToString::to_string).collect();
    assert_eq!(
        e,
        vec![
            "1行目: 列「fiscal_year」（年度）がありません",
            "1行目: 列「title」（成果名）がありません",
        ]
    );
}

#[test]
fn an_unknown_indicator_is_named() {
    assert_eq!(
        the_error_of(&with(0, "pocc")),
        "2行目, A列「indicator_id」: 指標ID「pocc」は計画「test-plan」にありません（計画の指標ID、例: poc, lic, cal）"
    );
}

#[test]
fn achievements_of_a_sub_target_go_on_its_parent() {
    assert_eq!(
        the_error_of(&with(0, "poc-gene")),
        "2行目, A列「indicator_id」: 指標「poc-gene」は内数（うち…）です。成果は親指標「poc」に記録し、区分（tags）に「遺伝子治療」と書いてください"
    );
}

#[test]
fn only_a_count_has_achievements() {
    assert_eq!(
        the_error_of(&with(0, "rate")),
        "2行目, A列「indicator_id」: 指標「rate」は件数（count）の指標ではないため、成果を記録できません（この指標は ratio）"
    );
}

#[test]
fn a_year_outside_the_plan_or_unreadable_is_an_error() {
    let mut row = with(1, "2025");
    row[6] = "";
    assert_eq!(
        the_error_of(&row),
        "2行目, B列「fiscal_year」: 年度「2025」（FY2025）は計画期間 FY2020〜FY2024 の外です（期間内の年度を書いてください）"
    );
    let mut row = with(1, "来年");
    row[6] = "";
    assert_eq!(
        the_error_of(&row),
        "2行目, B列「fiscal_year」: 「来年」は年度として読めません（例: 2022, FY2022, 令和4年度, R4）"
    );
}

#[test]
fn a_title_is_required_and_bounded() {
    assert_eq!(
        the_error_of(&with(4, "  ")),
        "2行目, E列「title」: 成果名（title）が空です（成果名・品目名を書いてください）"
    );
    let long = "長".repeat(501);
    assert_eq!(
        the_error_of(&with(4, &long)),
        "2行目, E列「title」: 成果名（title）が長すぎます（501文字。500文字以内にしてください）"
    );
    let long = "備".repeat(2001);
    assert_eq!(
        the_error_of(&with(11, &long)),
        "2行目, L列「note」: 備考（note）が長すぎます（2001文字。2000文字以内にしてください）"
    );
}

#[test]
fn an_unknown_tag_lists_the_allowed_ones() {
    assert_eq!(
        the_error_of(&with(7, "遺伝子治療, がん")),
        "2行目, H列「tags」: 区分「がん」は指標「poc」の内数の区分にありません（使える区分: 遺伝子治療、再生医療）"
    );
    let mut row = with(0, "cal");
    row[7] = "がん";
    row[6] = "2022-01-05";
    assert_eq!(
        the_error_of(&row),
        "2行目, H列「tags」: 区分「がん」は使えません（指標「cal」には内数がないため、区分は空欄にしてください）"
    );
}

#[test]
fn a_date_must_be_readable_and_inside_the_year() {
    assert_eq!(
        the_error_of(&with(6, "2023-04-01")),
        "2行目, G列「date」: 日付 2023-04-01 は令和4年度（2022-04-01〜2023-03-31）の外です（その年度の日付を書くか、年度を直してください）"
    );
    assert_eq!(
        the_error_of(&with(6, "2022-02-30")),
        "2行目, G列「date」: 日付「2022-02-30」は読めません（例: 2024-04-01, 2024/4/1, 令和6年4月1日）"
    );
    // A calendar-year indicator: January belongs to its own year.
    let mut row = with(0, "cal");
    row[7] = "";
    row[6] = "2022-01-05";
    assert!(validate(&[&row]).is_ok());
    row[6] = "2023-01-05";
    assert_eq!(
        the_error_of(&row),
        "2行目, G列「date」: 日付 2023-01-05 は2022年（2022-01-01〜2022-12-31）の外です（その年度の日付を書くか、年度を直してください）"
    );
}

#[test]
fn a_link_is_http_or_https() {
    assert_eq!(
        the_error_of(&with(10, "ftp://example.jp/a")),
        "2行目, K列「url」: URL「ftp://example.jp/a」は http:// か https:// で始まるリンクではありません（空白を含まない https://… の形で書いてください）"
    );
    assert!(validate(&[&with(10, "HTTP://example.jp")]).is_ok());
}

#[test]
fn a_body_must_be_known_and_assigned() {
    assert_eq!(
        the_error_of(&with(2, "経産省")),
        "2行目, C列「body」: 報告機関「経産省」は計画にありません（報告機関のID・名称・略称: amed／国立研究開発法人日本医療研究開発機構／AMED, mext／文部科学省／文科省, mhlw／厚生労働省）"
    );
    assert_eq!(
        the_error_of(&with(2, "厚生労働省")),
        "2行目, C列「body」: 報告機関「厚生労働省」（mhlw）は指標「poc」の報告機関ではありません（この指標の報告機関: amed, mext）"
    );
    assert_eq!(
        the_error_of(&with(2, "")),
        "2行目, C列「body」: 指標「poc」は複数の機関が報告するため、報告機関（body）を指定してください（amed, mext）"
    );
    // One body: it may be left out.
    let mut row = with(0, "lic");
    row[2] = "";
    row[7] = "";
    assert_eq!(validate(&[&row]).unwrap()[0].fields.body, "amed");
}

#[test]
fn public_and_notable_take_the_usual_yes_and_no() {
    for (text, want) in [
        ("○", true),
        ("×", false),
        ("YES", true),
        ("0", false),
        ("否", false),
        ("ｔｒｕｅ", true),
        ("公開", true),
        ("非公開", false),
    ] {
        let row = with(8, text);
        assert_eq!(validate(&[&row]).unwrap()[0].fields.public, want, "{text}");
    }
    assert_eq!(
        the_error_of(&with(8, "たぶん")),
        "2行目, I列「public」: 公開（public）は 可／否、公開／非公開、はい／いいえ、あり／なし、○／×、yes／no、true／false、1／0 のいずれかで書いてください（空欄は否）"
    );
    assert_eq!(
        the_error_of(&with(9, "要検討")),
        "2行目, J列「notable」: 顕著な成果（notable）は 可／否、公開／非公開、はい／いいえ、あり／なし、○／×、yes／no、true／false、1／0 のいずれかで書いてください（空欄はいいえ）"
    );
}

#[test]
fn the_same_achievement_twice_in_a_file_names_the_first_row() {
    let second = with(3, "jp22-am0101001");
    let e = errors_of(&[&GOOD, &with(4, "別の成果"), &second]);
    assert_eq!(
        e,
        vec![
            "4行目, E列「title」: 2行目と同じ成果です（指標 poc FY2022 amed、課題番号「jp22-am0101001」、成果名「化合物Aの導出」）。同じ成果は1行にしてください"
        ]
    );
}

#[test]
fn control_characters_are_refused_and_every_error_is_reported() {
    let e = errors_of(&[&with(4, "成果\u{0}名"), &with(0, "x"), &GOOD]);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with("2行目, E列「title」: 成果名（title）に制御文字"),
        "{e:?}"
    );
    assert!(e[1].starts_with("3行目, A列「indicator_id」"), "{e:?}");
}

// ---------------------------------------------------------------------------------------------
// Properties.

/// Achievements of `poc` (and a few of `lic`), with states, tags and look-alike keys drawn from
/// small sets so that they collide.
fn achievements() -> impl Strategy<Value = Vec<Achievement>> {
    prop::collection::vec(
        (
            0_u8..4,
            2020_i32..2023,
            any::<bool>(),
            0_u8..4,
            prop::sample::subsequence(vec!["遺伝子治療", "再生医療"], 0..=2),
            0_u8..6,
            any::<bool>(),
        ),
        0..40,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (state, year, mext, code, tags, indicator, url))| {
                let indicator = if indicator == 0 { "lic" } else { "poc" };
                let body = if mext && indicator == "poc" {
                    "mext"
                } else {
                    "amed"
                };
                let mut f = fields(indicator, year, body, &format!("JP{code}"), "成果");
                f.tags = tags.into_iter().map(str::to_owned).collect();
                f.url = url.then(|| format!("https://example.jp/{code}"));
                Achievement {
                    id: AchievementId(i as i64 + 1),
                    version: 1,
                    fields: f,
                    state: [
                        ActualState::Approved,
                        ActualState::Draft,
                        ActualState::Locked,
                        ActualState::Submitted,
                    ][usize::from(state)],
                }
            })
            .collect()
    })
}

/// Same decisions on random pairs (by position), with the kept side chosen by a flag.
fn decisions_for(items: &[Achievement], picks: &[(usize, usize, bool)]) -> Vec<DuplicateDecision> {
    if items.is_empty() {
        return vec![];
    }
    picks
        .iter()
        .filter_map(|&(x, y, first)| {
            let (a, b) = (&items[x % items.len()], &items[y % items.len()]);
            (a.id != b.id).then(|| same(a.id.0, b.id.0, if first { a.id.0 } else { b.id.0 }))
        })
        .collect()
}

/// The number of groups of counted `poc` achievements joined by Same decisions, per (year,
/// body) of no particular report: computed plainly, by merging sets until nothing changes.
fn distinct_groups(items: &[Achievement], decisions: &[DuplicateDecision]) -> usize {
    let counted: BTreeSet<i64> = items
        .iter()
        .filter(|a| is_approved(a.state) && a.fields.indicator == "poc")
        .map(|a| a.id.0)
        .collect();
    let mut groups: Vec<BTreeSet<i64>> = counted.iter().map(|id| BTreeSet::from([*id])).collect();
    loop {
        let mut merged = false;
        for d in decisions {
            if !(counted.contains(&d.a.0) && counted.contains(&d.b.0)) {
                continue;
            }
            let ga = groups.iter().position(|g| g.contains(&d.a.0)).unwrap();
            let gb = groups.iter().position(|g| g.contains(&d.b.0)).unwrap();
            if ga != gb {
                let taken = groups.remove(ga.max(gb));
                groups[ga.min(gb)].extend(taken);
                merged = true;
            }
        }
        if !merged {
            return groups.len();
        }
    }
}

fn total(numbers: &BTreeMap<(String, i32, String), f64>, indicator: &str) -> f64 {
    numbers
        .iter()
        .filter(|((i, _, _), _)| i == indicator)
        .map(|(_, v)| v)
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_derived_count_is_the_number_of_distinct_counted_achievements(
        items in achievements(),
        picks in prop::collection::vec((0_usize..40, 0_usize..40, any::<bool>()), 0..12),
    ) {
        let plan = plan();
        let decisions = decisions_for(&items, &picks);
        let got = numbers(&plan, &items, &decisions);
        prop_assert_eq!(total(&got, "poc"), distinct_groups(&items, &decisions) as f64);
    }

    #[test]
    fn a_sub_target_never_exceeds_its_parent(
        items in achievements(),
        picks in prop::collection::vec((0_usize..40, 0_usize..40, any::<bool>()), 0..12),
    ) {
        let plan = plan();
        let decisions = decisions_for(&items, &picks);
        let got = numbers(&plan, &items, &decisions);
        for ((indicator, year, body), n) in &got {
            if indicator == "poc-gene" || indicator == "poc-cell" {
                let parent = got.get(&key("poc", *year, body)).copied();
                prop_assert!(parent.is_some_and(|p| *n <= p), "{indicator} {year} {body}: {n} > {parent:?}");
            }
        }
    }

    #[test]
    fn deciding_a_pair_the_same_counts_it_once(
        items in achievements(),
        x in 0_usize..40,
        y in 0_usize..40,
    ) {
        let plan = plan();
        let mut groups: BTreeMap<(i32, String), Vec<&Achievement>> = BTreeMap::new();
        for a in items.iter().filter(|a| is_approved(a.state) && a.fields.indicator == "poc") {
            groups
                .entry((a.fields.year.year(), a.fields.body.clone()))
                .or_default()
                .push(a);
        }
        let Some(((year, body), group)) = groups.into_iter().find(|(_, g)| g.len() >= 2) else {
            return Ok(());
        };
        let a = group[x % group.len()];
        let b = group[(x % group.len() + 1 + y % (group.len() - 1)) % group.len()];
        prop_assert_ne!(a.id, b.id);
        let group = key("poc", year, &body);
        let before = numbers(&plan, &items, &[])[&group];
        let after = numbers(&plan, &items, &[same(a.id.0, b.id.0, b.id.0)])[&group];
        prop_assert_eq!(after, before - 1.0);
    }

    #[test]
    fn duplicates_do_not_depend_on_the_order_of_the_items(
        items in achievements(),
        picks in prop::collection::vec((0_usize..40, 0_usize..40, any::<bool>()), 0..6),
        seed in any::<u64>(),
    ) {
        let decisions = decisions_for(&items, &picks);
        let pairs = find_duplicates(&items, &decisions);
        let mut shuffled = items.clone();
        // A Fisher–Yates shuffle driven by the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(&find_duplicates(&shuffled, &decisions), &pairs);
        let by_id: HashMap<AchievementId, &Achievement> = items.iter().map(|a| (a.id, a)).collect();
        for p in &pairs {
            prop_assert!(p.a < p.b);
            prop_assert_eq!(&by_id[&p.a].fields.indicator, &by_id[&p.b].fields.indicator);
        }
    }

    #[test]
    fn apply_never_changes_the_typed_values_of_other_indicators(
        items in achievements(),
        values in prop::collection::vec((2020_i32..2025, 0_u32..20), 0..6),
    ) {
        let plan = plan();
        let typed_values: Vec<Contribution> = values
            .iter()
            .flat_map(|&(y, v)| {
                [typed("lic", y, "amed", f64::from(v)), typed("lic-1", y, "amed", f64::from(v) / 2.0)]
            })
            .collect();
        let before: Actuals = typed_values.iter().cloned().collect();
        let mut after = before.clone();
        apply(&plan, &mut after, &items, &[], is_approved);
        for id in ["lic", "lic-1", "rate"] {
            prop_assert_eq!(before.years(id), after.years(id));
        }
    }
}
