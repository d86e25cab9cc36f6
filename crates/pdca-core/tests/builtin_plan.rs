//! The built-in plan (第2期医療分野研究開発推進計画) holds exactly what the seed's KPI annex
//! (資料5（参考2）「第2期医療分野研究開発推進計画における2024年度末までの成果目標（KPI）」) says.
//!
//! The expected tables below were written by hand from the seed, not generated from the plan file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use pdca_core::builtin::{BUILTIN_PLAN_ID, builtin_plan};
use pdca_core::plan::{Comparator, IndicatorKind, Measure, Plan, Target};
use pdca_core::{FiscalYear, PlanHistory};

use IndicatorKind::{Outcome as OC, Output as OUT};

const SEEDS: &str = "シーズ研究に関する指標";
const PRACTICAL: &str = "実用化に関する指標";
const MODALITY: &str = "新たなモダリティや先進的な創薬手法に関する指標";
const DEVICE: &str = "医療機器の開発に関する指標";
const HEALTHCARE: &str = "ヘルスケア関連機器等の開発に関する指標";
const DATA_USE: &str = "データ基盤を活用した研究に関する指標";
const DATA_BUILD: &str = "データ基盤構築・活用に関する指標";
const BASE: &str = "研究基盤に関する指標";

const IF5_PAPERS: &str = "研究成果の科学誌（インパクトファクター5以上）への論文掲載件数";
const OTHER_PAPERS: &str =
    "研究成果の科学誌（インパクトファクター5未満等の他の科学誌）への論文掲載状況";
const TRIALS: &str = "研究成果を活用した臨床試験・治験への移行状況";

/// (kind, group, name, target value, comparator) of a numeric KPI (not a sub-target).
type Kpi = (IndicatorKind, &'static str, &'static str, f64, Comparator);

use Comparator::{AtLeast, Reach};

fn plan() -> Plan {
    builtin_plan().unwrap_or_else(|e| panic!("the built-in plan does not parse:\n{e}"))
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

/// Numeric KPIs per project, in the seed's order.
fn expected_kpis() -> Vec<(&'static str, Vec<Kpi>)> {
    vec![
        (
            "p1",
            vec![
                (OUT, SEEDS, "非臨床POCの取得件数", 25.0, Reach),
                (
                    OUT,
                    SEEDS,
                    "創薬支援ネットワークの活動による有望創薬シーズの企業導出件数",
                    10.0,
                    Reach,
                ),
                (OUT, PRACTICAL, "臨床POCの取得件数", 5.0, Reach),
                (
                    OUT,
                    MODALITY,
                    "新モダリティ・先進手法に関する採択課題の割合",
                    75.0,
                    Reach,
                ),
                (OC, PRACTICAL, "シーズの企業への導出件数", 60.0, Reach),
                (OC, PRACTICAL, "薬事承認件数（新薬、適応拡大）", 10.0, Reach),
                (
                    OC,
                    MODALITY,
                    "創薬等の効率化に資する先進手法の企業導出件数",
                    120.0,
                    Reach,
                ),
            ],
        ),
        (
            "p2",
            vec![
                (OUT, SEEDS, "非臨床POCの取得件数", 25.0, Reach),
                (
                    OUT,
                    DEVICE,
                    "クラスⅢ・Ⅳ医療機器の開発を計画する採択課題の割合",
                    25.0,
                    Reach,
                ),
                (
                    OUT,
                    HEALTHCARE,
                    "ヘルスケア関連機器等の実証完了件数",
                    35.0,
                    Reach,
                ),
                (OC, SEEDS, "シーズの他事業や企業等への導出件数", 15.0, Reach),
                (OC, DEVICE, "クラスⅢ・Ⅳ医療機器の薬事承認件数", 20.0, Reach),
                (
                    OC,
                    HEALTHCARE,
                    "ヘルスケア関連機器等の上市等の件数",
                    10.0,
                    Reach,
                ),
            ],
        ),
        (
            "p3",
            vec![
                (OUT, SEEDS, "非臨床POCの取得件数", 25.0, Reach),
                (OUT, SEEDS, IF5_PAPERS, 400.0, Reach),
                (OUT, PRACTICAL, "治験に移行した研究課題数", 20.0, Reach),
                (OC, SEEDS, "シーズの他事業への導出件数", 30.0, Reach),
                (
                    OC,
                    PRACTICAL,
                    "企業へ導出される段階に至った研究課題数",
                    10.0,
                    Reach,
                ),
                (
                    OC,
                    PRACTICAL,
                    "薬事承認件数（新薬、適応拡大）",
                    2.0,
                    AtLeast,
                ),
            ],
        ),
        (
            "p4",
            vec![
                (OUT, DATA_USE, "非臨床POCの取得件数", 5.0, Reach),
                (OUT, DATA_USE, "臨床POCの取得件数", 10.0, Reach),
                (OUT, DATA_USE, IF5_PAPERS, 900.0, Reach),
                (
                    OUT,
                    DATA_USE,
                    "新たな疾患発症メカニズム解明件数",
                    10.0,
                    Reach,
                ),
                (
                    OUT,
                    DATA_USE,
                    "新たな疾患関連遺伝子・薬剤関連遺伝子の同定数",
                    25.0,
                    Reach,
                ),
                (
                    OC,
                    DATA_USE,
                    "シーズの他の統合プロジェクトや企業等への導出件数",
                    25.0,
                    Reach,
                ),
                (
                    OC,
                    DATA_USE,
                    "臨床的に実用可能なバイオマーカー等の開発件数",
                    15.0,
                    Reach,
                ),
                (
                    OC,
                    DATA_USE,
                    "疾患の原因となる遺伝子変異に基づく新規の診断・治療法の開発件数",
                    5.0,
                    Reach,
                ),
            ],
        ),
        (
            "p5",
            vec![
                (OUT, SEEDS, IF5_PAPERS, 400.0, Reach),
                (
                    OC,
                    SEEDS,
                    "シーズの他の統合プロジェクトや企業等への導出件数",
                    10.0,
                    Reach,
                ),
            ],
        ),
        (
            "p6",
            vec![
                (OUT, SEEDS, IF5_PAPERS, 550.0, Reach),
                (
                    OUT,
                    BASE,
                    "医師主導治験届の提出件数（体外診断用医薬品については臨床性能試験の申請件数）",
                    170.0,
                    Reach,
                ),
                (
                    OC,
                    SEEDS,
                    "シーズの他の統合プロジェクトや企業等への導出件数",
                    125.0,
                    Reach,
                ),
                (OC, BASE, "医薬品等の薬事承認申請の件数", 30.0, Reach),
            ],
        ),
    ]
}

/// (kind, group, name) of an その他管理指標.
type Managed = (IndicatorKind, &'static str, &'static str);

/// その他管理指標 per project, in the seed's order.
fn expected_management() -> Vec<(&'static str, Vec<Managed>)> {
    vec![
        (
            "p1",
            vec![
                (OUT, SEEDS, "創薬支援ネットワークの活動状況"),
                (
                    OUT,
                    SEEDS,
                    "3独法（国立研究開発法人理化学研究所／国立研究開発法人医薬基盤・健康・栄養研究所／国立研究開発法人産業技術総合研究所）による支援の状況",
                ),
                (OUT, SEEDS, "支援継続／終了の状況"),
                (OUT, MODALITY, "創薬等の効率化に資する先進手法の開発状況"),
                (OC, PRACTICAL, TRIALS),
            ],
        ),
        ("p2", vec![(OC, DEVICE, TRIALS)]),
        (
            "p3",
            vec![
                (OUT, SEEDS, OTHER_PAPERS),
                (
                    OUT,
                    PRACTICAL,
                    "臨床研究に移行した研究課題数（うち遺伝子治療の研究課題数）",
                ),
                (OC, SEEDS, "関連する国際的なガイドライン等策定への参画状況"),
                (OC, PRACTICAL, TRIALS),
                (
                    OC,
                    PRACTICAL,
                    "遺伝子治療の製造に関する要素技術の研究開発の進展状況",
                ),
            ],
        ),
        (
            "p4",
            vec![
                (
                    OUT,
                    DATA_BUILD,
                    "データ基盤構築の状況（連携、解析体制を含む）",
                ),
                (
                    OUT,
                    DATA_BUILD,
                    "アカデミア、企業によるデータ基盤の利活用実績",
                ),
                (OUT, DATA_USE, OTHER_PAPERS),
            ],
        ),
        ("p5", vec![(OUT, SEEDS, OTHER_PAPERS)]),
        ("p6", vec![(OUT, SEEDS, OTHER_PAPERS)]),
    ]
}

#[test]
fn parses_with_the_plan_header_from_the_seed() {
    let plan = plan();
    assert_eq!(plan.id, BUILTIN_PLAN_ID);
    assert_eq!(plan.id, "medical-rd-2");
    assert_eq!(plan.name, "第2期医療分野研究開発推進計画");
    assert_eq!(plan.period.start, fy(2020));
    assert_eq!(plan.period.end, fy(2024));
    assert_eq!(plan.period.len(), 5);
    assert_eq!(plan.revision, 1);
    assert_eq!(plan.effective_from, fy(2020));
    assert_eq!(plan.decided_on.as_deref(), Some("2020-03-27"));
    assert_eq!(
        plan.revision_note.as_deref(),
        Some("健康・医療戦略推進本部決定")
    );
    assert_eq!(
        plan.committee.as_deref(),
        Some("健康・医療戦略推進専門調査会")
    );
    assert!((plan.on_track_threshold - 1.0).abs() < f64::EPSILON);
    // A history of the one revision is in force over the whole period.
    let history = PlanHistory::new(vec![plan.clone()]).unwrap();
    assert_eq!(history.in_force(fy(2024)), &plan);
}

#[test]
fn has_the_six_projects_in_the_seeds_order() {
    let plan = plan();
    let projects: Vec<(&str, &str)> = plan
        .projects
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    assert_eq!(
        projects,
        [
            ("p1", "医薬品プロジェクト"),
            ("p2", "医療機器・ヘルスケアプロジェクト"),
            ("p3", "再生・細胞医療・遺伝子治療プロジェクト"),
            ("p4", "ゲノム・データ基盤プロジェクト"),
            ("p5", "疾患基礎研究プロジェクト"),
            ("p6", "シーズ開発・研究基盤プロジェクト"),
        ]
    );
}

#[test]
fn has_the_bodies_with_amed_first() {
    let plan = plan();
    let bodies: Vec<(&str, &str, Option<&str>)> = plan
        .bodies
        .iter()
        .map(|b| (b.id.as_str(), b.name.as_str(), b.short_name.as_deref()))
        .collect();
    assert_eq!(
        bodies,
        [
            ("amed", "日本医療研究開発機構", Some("AMED")),
            ("cao", "内閣府", None),
            ("mic", "総務省", None),
            ("mext", "文部科学省", None),
            ("mhlw", "厚生労働省", None),
            ("meti", "経済産業省", None),
        ]
    );
}

#[test]
fn numeric_kpis_match_the_seed_project_by_project() {
    let plan = plan();
    let expected = expected_kpis();
    assert_eq!(expected.len(), plan.projects.len());
    for ((pid, want), project) in expected.iter().zip(&plan.projects) {
        assert_eq!(*pid, project.id);
        let got: Vec<(IndicatorKind, &str, &str, f64, Comparator)> = project
            .indicators
            .iter()
            .filter(|i| !i.management && i.parent.is_none())
            .map(|i| {
                let t = i
                    .target
                    .as_ref()
                    .unwrap_or_else(|| panic!("{} has no target", i.id));
                let value = t.value().unwrap_or_else(|| panic!("{} has no value", i.id));
                (
                    i.kind,
                    i.group.as_str(),
                    i.name.as_str(),
                    value,
                    t.comparator(),
                )
            })
            .collect();
        assert_eq!(&got, want, "project {pid}");
    }
    let total: usize = expected.iter().map(|(_, k)| k.len()).sum();
    assert_eq!(total, 33, "numeric KPIs in the seed");
}

#[test]
fn numeric_kpis_have_the_right_ids_measures_and_units() {
    let plan = plan();
    for project in &plan.projects {
        let mut out = 0;
        let mut oc = 0;
        for i in project
            .indicators
            .iter()
            .filter(|i| !i.management && i.parent.is_none())
        {
            let (side, n) = match i.kind {
                OUT => ("out", {
                    out += 1;
                    out
                }),
                OC => ("oc", {
                    oc += 1;
                    oc
                }),
            };
            assert_eq!(i.id, format!("{}-{side}-{n:02}", project.id));
            match i.target.as_ref().unwrap() {
                Target::Cumulative { .. } => {
                    assert_eq!(i.measure, Measure::Count, "{}", i.id);
                    assert_eq!(i.unit, "件", "{}", i.id);
                }
                Target::Ratio { .. } => {
                    assert_eq!(i.measure, Measure::Ratio, "{}", i.id);
                    assert_eq!(i.unit, "%", "{}", i.id);
                }
                other => panic!("{}: unexpected target form {other:?}", i.id),
            }
            assert!(i.expected_profile.is_none());
        }
    }
    // The two percentages of the seed.
    let ratios: Vec<&str> = plan
        .indicators()
        .filter(|(_, i)| i.measure == Measure::Ratio)
        .map(|(_, i)| i.id.as_str())
        .collect();
    assert_eq!(ratios, ["p1-out-04", "p2-out-02"]);
}

#[test]
fn sub_targets_follow_their_parent_with_their_own_target() {
    let plan = plan();
    let subs: Vec<(&str, &str, &str, f64, IndicatorKind, &str)> = plan
        .indicators()
        .filter(|(_, i)| i.parent.is_some())
        .map(|(_, i)| {
            (
                i.id.as_str(),
                i.parent.as_deref().unwrap(),
                i.name.as_str(),
                i.target.as_ref().and_then(Target::value).unwrap(),
                i.kind,
                i.group.as_str(),
            )
        })
        .collect();
    assert_eq!(
        subs,
        [
            (
                "p3-out-01-1",
                "p3-out-01",
                "うち遺伝子治療",
                5.0,
                OUT,
                SEEDS
            ),
            (
                "p3-out-03-1",
                "p3-out-03",
                "うち遺伝子治療",
                2.0,
                OUT,
                PRACTICAL
            ),
            (
                "p3-oc-02-1",
                "p3-oc-02",
                "うち遺伝子治療",
                2.0,
                OC,
                PRACTICAL
            ),
            (
                "p3-oc-02-2",
                "p3-oc-02",
                "うち企業へ導出された件数",
                2.0,
                OC,
                PRACTICAL
            ),
        ]
    );
    for project in &plan.projects {
        for (pos, child) in project.indicators.iter().enumerate() {
            let Some(parent) = &child.parent else {
                continue;
            };
            assert_eq!(child.measure, Measure::Count);
            assert_eq!(child.unit, "件");
            assert!(!child.management);
            assert_eq!(child.target.as_ref().unwrap().comparator(), Reach);
            // Directly after the parent, or after a sibling that is.
            let before = &project.indicators[pos - 1];
            assert!(
                before.id == *parent || before.parent.as_deref() == Some(parent),
                "{} is not right after its parent",
                child.id
            );
        }
    }
}

#[test]
fn management_indicators_match_the_seed() {
    let plan = plan();
    for ((pid, want), project) in expected_management().iter().zip(&plan.projects) {
        assert_eq!(*pid, project.id);
        let got: Vec<(IndicatorKind, &str, &str)> = project
            .indicators
            .iter()
            .filter(|i| i.management)
            .map(|i| (i.kind, i.group.as_str(), i.name.as_str()))
            .collect();
        assert_eq!(&got, want, "project {pid}");
        for i in project.indicators.iter().filter(|i| i.management) {
            assert_eq!(i.measure, Measure::Qualitative, "{}", i.id);
            assert!(i.target.is_none(), "{}", i.id);
            assert!(i.parent.is_none(), "{}", i.id);
            assert_eq!(i.unit, "", "{}", i.id);
        }
    }
    let counts: Vec<usize> = plan
        .projects
        .iter()
        .map(|p| p.indicators.iter().filter(|i| i.management).count())
        .collect();
    assert_eq!(counts, [5, 1, 5, 3, 1, 1]);
}

#[test]
fn management_ids_number_each_side_separately() {
    let plan = plan();
    let ids: Vec<&str> = plan
        .indicators()
        .filter(|(_, i)| i.management)
        .map(|(_, i)| i.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "p1-out-m1",
            "p1-out-m2",
            "p1-out-m3",
            "p1-out-m4",
            "p1-oc-m1",
            "p2-oc-m1",
            "p3-out-m1",
            "p3-out-m2",
            "p3-oc-m1",
            "p3-oc-m2",
            "p3-oc-m3",
            "p4-out-m1",
            "p4-out-m2",
            "p4-out-m3",
            "p5-out-m1",
            "p6-out-m1",
        ]
    );
}

#[test]
fn the_sub_bullets_of_the_drug_discovery_network_are_noted() {
    let plan = plan();
    for id in ["p1-out-m2", "p1-out-m3"] {
        let i = plan.indicator(id).unwrap();
        let note = i.note.as_deref().unwrap_or_default();
        assert!(
            note.contains("創薬支援ネットワークの活動状況"),
            "{id}: {note}"
        );
        assert!(i.parent.is_none());
    }
    // The bullet they belong to is kept, right before them.
    let p1 = &plan.projects[0];
    let pos = p1
        .indicators
        .iter()
        .position(|i| i.id == "p1-out-m1")
        .unwrap();
    assert_eq!(p1.indicators[pos].name, "創薬支援ネットワークの活動状況");
    assert_eq!(p1.indicators[pos + 1].id, "p1-out-m2");
    assert_eq!(p1.indicators[pos + 2].id, "p1-out-m3");
}

#[test]
fn outputs_come_before_outcomes_in_every_project() {
    let plan = plan();
    for project in &plan.projects {
        let kinds: Vec<IndicatorKind> = project.indicators.iter().map(|i| i.kind).collect();
        let first_outcome = kinds.iter().position(|k| *k == OC).unwrap();
        assert!(
            kinds[first_outcome..].iter().all(|k| *k == OC),
            "{}",
            project.id
        );
        assert!(
            kinds[..first_outcome].iter().all(|k| *k == OUT),
            "{}",
            project.id
        );
    }
}

#[test]
fn glossary_holds_the_seeds_footnotes() {
    let plan = plan();
    let glossary: Vec<(&str, &str)> = plan
        .glossary
        .iter()
        .map(|g| (g.term.as_str(), g.definition.as_str()))
        .collect();
    assert_eq!(
        glossary,
        [
            (
                "POC",
                "Proof of Conceptの略。新たな発見や概念、仮説について実証すること。"
            ),
            ("インパクトファクター", "学術雑誌の影響度を測る指標。"),
        ]
    );
}

#[test]
fn every_indicator_is_assigned_to_amed_only() {
    let plan = plan();
    for (_, i) in plan.indicators() {
        assert_eq!(i.assignments.len(), 1, "{}", i.id);
        assert_eq!(i.assignments[0].body, "amed", "{}", i.id);
        assert_eq!(i.assignments[0].share, None, "{}", i.id);
        assert_eq!(
            i.counting,
            pdca_core::plan::Counting::FiscalYear,
            "{}",
            i.id
        );
    }
}

#[test]
fn ids_are_unique_and_the_totals_add_up() {
    let plan = plan();
    let mut seen = HashSet::new();
    for (_, i) in plan.indicators() {
        assert!(seen.insert(i.id.as_str()), "duplicate id {}", i.id);
    }
    // 33 numeric KPIs + 4 sub-targets + 16 management indicators.
    assert_eq!(seen.len(), 53);
    let per_project: Vec<(usize, usize, usize)> = plan
        .projects
        .iter()
        .map(|p| {
            let kpis = p
                .indicators
                .iter()
                .filter(|i| !i.management && i.parent.is_none())
                .count();
            let subs = p.indicators.iter().filter(|i| i.parent.is_some()).count();
            let mgmt = p.indicators.iter().filter(|i| i.management).count();
            (kpis, subs, mgmt)
        })
        .collect();
    assert_eq!(
        per_project,
        [
            (7, 0, 5),
            (6, 0, 1),
            (6, 4, 5),
            (8, 0, 3),
            (2, 0, 1),
            (4, 0, 1)
        ]
    );
}

#[test]
fn names_are_normalised_as_the_format_asks() {
    let plan = plan();
    for (_, i) in plan.indicators() {
        // No layout spaces, no full-width digits or latin letters, no footnote markers.
        assert!(
            !i.name.contains(' ') && !i.name.contains('　'),
            "{}: {}",
            i.id,
            i.name
        );
        assert!(
            !i.name
                .chars()
                .any(|c| ('０'..='９').contains(&c) || ('Ａ'..='ｚ').contains(&c)),
            "{}: {}",
            i.id,
            i.name
        );
        assert!(!i.name.contains("POC1"), "{}", i.name);
        assert!(!i.name.contains("インパクトファクター2"), "{}", i.name);
    }
    // Roman numerals and Japanese punctuation are kept as the seed writes them.
    assert_eq!(
        plan.indicator("p2-oc-02").unwrap().name,
        "クラスⅢ・Ⅳ医療機器の薬事承認件数"
    );
}

#[test]
fn every_indicator_in_the_file_quotes_the_seed_above_it() {
    let lines: Vec<&str> = pdca_core::builtin::BUILTIN_PLAN_TOML.lines().collect();
    let mut tables = 0;
    for (n, line) in lines.iter().enumerate() {
        if *line == "[[projects.indicators]]" {
            tables += 1;
            assert!(
                n > 0 && lines[n - 1].starts_with("# "),
                "line {}: no seed quote above the indicator",
                n + 1
            );
        }
    }
    assert_eq!(tables, 53);
}

#[test]
fn a_sub_target_is_named_after_its_parent_and_found_in_its_project() {
    let plan = builtin_plan().unwrap();
    let sub = plan.indicator("p3-out-01-1").unwrap();
    assert_eq!(
        plan.full_name(sub, "（", "）"),
        "非臨床POCの取得件数（うち遺伝子治療）"
    );
    assert_eq!(
        plan.full_name(sub, " (", ")"),
        "非臨床POCの取得件数 (うち遺伝子治療)"
    );
    let parent = plan.indicator("p3-out-01").unwrap();
    assert_eq!(plan.full_name(parent, "（", "）"), parent.name);
    assert_eq!(
        plan.project_of("p3-out-01-1").map(|p| p.id.as_str()),
        Some("p3")
    );
    assert!(plan.project_of("no-such").is_none());
}
