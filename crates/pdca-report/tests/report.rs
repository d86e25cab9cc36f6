//! The Markdown and XLSX reports of a round on the built-in plan with four years of data:
//! every numeric indicator's name and figures are there, numbers are numbers in the workbook,
//! and text from the data cannot break the Markdown tables.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use calamine::{Data, Reader, Xlsx};
use pdca_core::achievements::Achievement;
use pdca_core::actuals::{ActualValue, Actuals, Contribution};
use pdca_core::builtin::builtin_plan;
use pdca_core::evaluation::Rating;
use pdca_core::follow_up::{
    CommitteeRating, FollowUpRound, ItemKind, Link, LinkKind, RoundItem, RoundState, parse_date,
};
use pdca_core::plan::{Measure, Plan};
use pdca_core::{FiscalYear, evaluate_plan};
use pdca_report::{Format, Report, ReportInput};

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

/// Deterministic actuals for FY2020–FY2023: counts 1 + (index + year) % 7, ratios 3/4 or 4/5,
/// a narrative per management indicator.
fn actuals(plan: &Plan) -> Actuals {
    let mut actuals = Actuals::new();
    for (n, (_, indicator)) in plan.indicators().enumerate() {
        for year in 2020..=2023 {
            let value = match indicator.measure {
                Measure::Ratio if year % 2 == 0 => ActualValue::Ratio {
                    numerator: 3.0,
                    denominator: 4.0,
                },
                Measure::Ratio => ActualValue::Ratio {
                    numerator: 4.0,
                    denominator: 5.0,
                },
                Measure::Qualitative => ActualValue::Narrative(format!("{year}年度も着実に進めた")),
                _ => ActualValue::Number((1 + (n as i32 + year) % 7) as f64),
            };
            actuals.insert(&Contribution {
                indicator: indicator.id.clone(),
                year: fy(year),
                body: "amed".to_owned(),
                value,
            });
        }
    }
    actuals
}

struct Sample {
    plan: Plan,
    actuals: Actuals,
    evaluation: pdca_core::PlanEvaluation,
    round: FollowUpRound,
    ratings: Vec<CommitteeRating>,
    items: Vec<RoundItem>,
    achievements: Vec<Achievement>,
}

fn sample(hostile: &str) -> Sample {
    let plan = builtin_plan().unwrap();
    let actuals = actuals(&plan);
    let evaluation = evaluate_plan(&plan, &actuals, fy(2023)).unwrap();
    let ratings = evaluation
        .indicators
        .iter()
        .filter_map(|e| e.rating.map(|r| (e, r)))
        .map(|(e, rating)| CommitteeRating {
            indicator_id: e.id.clone(),
            rating,
            reason: None,
            issue: (rating == Rating::B).then(|| format!("遅れている {hostile}")),
            solution: (rating == Rating::B).then(|| "支援を強める".to_owned()),
            recorded_by: "jimukyoku".to_owned(),
            recorded_at: "2024-05-20T01:00:00Z".to_owned(),
        })
        .collect();
    let item = |id, kind, title: &str, text: &str, links: Vec<Link>| RoundItem {
        id,
        fiscal_year: fy(2023),
        kind,
        title: Some(title.to_owned()),
        text: text.to_owned(),
        points: Some("留意点あり".to_owned()),
        body_id: None,
        links,
        budget: Some("創薬支援推進事業".to_owned()),
        meeting_id: None,
        plan_revision: None,
        reflected: true,
        author: "iin".to_owned(),
        created_at: "2024-05-20T01:00:00Z".to_owned(),
    };
    let items = vec![
        item(
            1,
            ItemKind::PriorityItem,
            "導出の加速",
            "シーズの導出を加速する",
            vec![Link {
                kind: LinkKind::Indicator,
                id: "p1-out-02".to_owned(),
            }],
        ),
        item(
            2,
            ItemKind::PolicyClause,
            "第1項",
            &format!("導出支援に重点配分する {hostile}"),
            vec![Link {
                kind: LinkKind::Item,
                id: "1".to_owned(),
            }],
        ),
        item(
            3,
            ItemKind::NotableResult,
            "",
            "新規モダリティで成果",
            vec![Link {
                kind: LinkKind::Project,
                id: "p1".to_owned(),
            }],
        ),
    ];
    Sample {
        round: FollowUpRound {
            plan_id: plan.id.clone(),
            fiscal_year: fy(2023),
            state: RoundState::Closed,
            deadline: parse_date("2024-04-30").unwrap(),
            opened_by: "jimukyoku".to_owned(),
            opened_at: "2024-04-01T00:00:00Z".to_owned(),
        },
        plan,
        actuals,
        evaluation,
        ratings,
        items,
        achievements: common::achievements("p1-out-01"),
    }
}

fn report(s: &Sample) -> Report {
    Report::build(&ReportInput {
        plan: &s.plan,
        round: &s.round,
        evaluation: &s.evaluation,
        actuals: &s.actuals,
        ratings: &s.ratings,
        items: &s.items,
        meetings: &[],
        material: Some("資料2-1"),
        achievements: &s.achievements,
    })
}

#[test]
fn the_report_holds_every_numeric_indicator_in_plan_order() {
    let s = sample("");
    let r = report(&s);
    let numeric: Vec<&str> = s
        .plan
        .indicators()
        .filter(|(_, i)| !i.management)
        .map(|(_, i)| i.id.as_str())
        .collect();
    let rows: Vec<&str> = r.rows().map(|row| row.id.as_str()).collect();
    assert_eq!(rows, numeric);
    assert_eq!(r.years.len(), 4);
    assert_eq!(r.total.a + r.total.b + r.total.n + r.total.unrated, 37);
    assert_eq!(r.fiscal_year_ja, "令和5年度");
    let p1 = &r.projects[0];
    assert_eq!(p1.notable, vec!["新規モダリティで成果".to_owned()]);
    assert_eq!(
        r.clauses[0].reflects,
        vec!["重点的に議論・提案すべき項目「導出の加速」".to_owned()]
    );
    assert!(r.rows().any(|row| row.chart.is_some()));
    assert!(r.glossary.iter().any(|(term, _)| term.contains("POC")));
}

#[test]
fn markdown_has_every_name_and_figure() {
    let s = sample("");
    let r = report(&s);
    let md = String::from_utf8(Format::Markdown.render(&r).unwrap()).unwrap();
    for row in r.rows() {
        let line = md
            .lines()
            .find(|l| l.starts_with(&format!("| {} |", row.id)))
            .unwrap_or_else(|| panic!("no row for {}", row.id));
        assert!(line.contains(&row.name), "{line}");
        for text in row
            .actual_texts
            .iter()
            .chain([&row.figure_text, &row.target_text])
        {
            assert!(
                line.contains(text.as_str()),
                "{} lacks {text}: {line}",
                row.id
            );
        }
        // Every table row has as many cells as its header.
        assert_eq!(
            line.matches(" | ").count(),
            3 + r.years.len() + 5 - 1,
            "{line}"
        );
    }
    assert!(md.contains("## 重点的に議論・提案すべき項目"));
    assert!(md.contains("**導出の加速**"));
    assert!(md.contains("資料2-1"));
}

#[test]
fn hostile_text_stays_inside_its_markdown_cell() {
    let hostile = "a | b * c _d_ \n# heading";
    let s = sample(hostile);
    let md = String::from_utf8(Format::Markdown.render(&report(&s)).unwrap()).unwrap();
    assert!(
        !md.contains("\n# heading"),
        "a newline in data starts no heading"
    );
    assert!(md.contains("a \\| b \\* c \\_d\\_ <br># heading"));
}

#[test]
fn html_and_markdown_in_data_are_shown_as_text() {
    let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)> [罠](javascript:alert(3)) `コード` ~~線~~ &amp; 進捗";
    let s = sample(hostile);
    let md = String::from_utf8(Format::Markdown.render(&report(&s)).unwrap()).unwrap();
    for raw in ["<script", "<img", "[罠](", "`コード`", "~~線", "&amp; 進捗"] {
        assert!(!md.contains(raw), "raw {raw} in the Markdown");
    }
    assert!(
        md.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; \\[罠\\](javascript:alert(3)) \\`コード\\` \\~\\~線\\~\\~ &amp;amp; 進捗"
        ),
        "escaped and readable"
    );
}

#[test]
fn the_workbook_reads_back_as_the_data() {
    let s = sample("");
    let r = report(&s);
    let bytes = Format::Xlsx.render(&r).unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let names = book.sheet_names().to_vec();
    assert_eq!(names[0], "概要");
    assert_eq!(names.len(), 2 + r.projects.len());
    assert_eq!(names.last().map(String::as_str), Some("重点・方針"));

    let summary = book.worksheet_range("概要").unwrap();
    let total_row = summary
        .rows()
        .find(|row| row.first() == Some(&Data::String("合計".to_owned())))
        .unwrap();
    assert_eq!(total_row[1], Data::Float(f64::from(r.total.a)));
    assert_eq!(total_row[2], Data::Float(f64::from(r.total.b)));

    for (name, project) in names[1..].iter().zip(&r.projects) {
        let sheet = book.worksheet_range(name).unwrap();
        let header: Vec<String> = sheet
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(header[5], "令和2年度");
        for row in project
            .tables
            .iter()
            .flat_map(|t| &t.groups)
            .flat_map(|g| &g.rows)
        {
            let line = sheet
                .rows()
                .find(|l| l.get(2) == Some(&Data::String(row.id.clone())))
                .unwrap_or_else(|| panic!("{} not on {name}", row.id));
            assert_eq!(line[3].to_string().trim_start_matches('　'), row.name);
            for (k, actual) in row.actuals.iter().enumerate() {
                let expected = match (actual, row.unit.as_str()) {
                    (Some(v), "%") => Data::Float(v / 100.0),
                    (Some(v), _) => Data::Float(*v),
                    (None, _) => Data::Empty,
                };
                assert_eq!(line[5 + k], expected, "{} year {k}", row.id);
            }
            assert_eq!(
                line[5 + r.years.len() + 3],
                Data::String(row.status.clone())
            );
            assert_eq!(
                line[5 + r.years.len() + 4],
                Data::String(row.rating.clone())
            );
        }
    }
}

#[test]
fn only_notable_public_approved_achievements_of_the_year_are_listed() {
    let s = sample("");
    let r = report(&s);
    let indicator = s.plan.indicator("p1-out-01").unwrap().name.clone();
    let listed = vec![pdca_report::AchievementRow {
        indicator: indicator.clone(),
        title: common::LISTED_ACHIEVEMENT.to_owned(),
        institution: common::LISTED_INSTITUTION.to_owned(),
    }];
    assert_eq!(r.projects[0].achievements, listed);
    assert!(r.projects[1..].iter().all(|p| p.achievements.is_empty()));

    let md = String::from_utf8(Format::Markdown.render(&r).unwrap()).unwrap();
    assert!(md.contains("#### 顕著な成果の候補（成果一覧）"), "{md}");
    assert!(
        md.lines().any(|l| l.contains(common::LISTED_ACHIEVEMENT)
            && l.contains(common::LISTED_INSTITUTION)
            && l.contains(&indicator)),
        "{md}"
    );
    assert!(md.contains(pdca_report::ACHIEVEMENTS_NOTE));
    for title in common::UNLISTED_ACHIEVEMENTS {
        assert!(!md.contains(title), "{title} in the Markdown");
    }

    let bytes = Format::Xlsx.render(&r).unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let mut cells = Vec::new();
    for name in book.sheet_names().to_vec() {
        let range = book.worksheet_range(&name).unwrap();
        cells.extend(range.rows().flatten().filter_map(|c| match c {
            Data::String(t) => Some(t.clone()),
            _ => None,
        }));
    }
    assert!(cells.contains(&format!("顕著な成果の候補（{indicator}）")));
    assert!(cells.contains(&format!(
        "{}（{}）",
        common::LISTED_ACHIEVEMENT,
        common::LISTED_INSTITUTION
    )));
    assert!(cells.contains(&pdca_report::ACHIEVEMENTS_NOTE.to_owned()));
    for title in common::UNLISTED_ACHIEVEMENTS {
        assert!(
            cells.iter().all(|c| !c.contains(title)),
            "{title} in the workbook"
        );
    }
}

#[test]
fn without_notable_achievements_the_report_has_no_list_and_no_note() {
    let mut s = sample("");
    s.achievements.retain(|a| !a.fields.public);
    let md = String::from_utf8(Format::Markdown.render(&report(&s)).unwrap()).unwrap();
    assert!(!md.contains("顕著な成果の候補"));
    assert!(!md.contains(pdca_report::ACHIEVEMENTS_NOTE));
}
