//! Integration tests: run the real `pdca` binary for every command, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use pdca_store::testing::{database_url, dir_files, postgres_server, unique_database_name};
use serde_json::Value;

/// A database for one test and a way to run `pdca` against it.
struct Pdca {
    dir: tempfile::TempDir,
    db: String,
    pg_name: Option<String>,
}

impl Pdca {
    fn sqlite() -> Pdca {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("pdca.sqlite3").display().to_string();
        Pdca {
            dir,
            db,
            pg_name: None,
        }
    }

    fn postgres() -> Pdca {
        let server = postgres_server();
        let name = unique_database_name("pdca_cli");
        let status = Command::new("psql")
            .args([
                server.as_str(),
                "-q",
                "-c",
                &format!("CREATE DATABASE {name}"),
            ])
            .status()
            .expect("psql runs");
        assert!(status.success(), "could not create database {name}");
        Pdca {
            dir: tempfile::tempdir().unwrap(),
            db: database_url(&server, &name),
            pg_name: Some(name),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_pdca"))
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .current_dir(self.dir.path())
            .env("PDCA_ACTOR", "tester")
            .env_remove("PDCA_DB")
            .output()
            .unwrap()
    }

    /// Runs and expects success; returns standard output.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "pdca {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects failure; returns standard error.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "pdca {args:?} should fail but printed\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }
}

impl Drop for Pdca {
    fn drop(&mut self) {
        if let (Some(name), Ok(server)) = (&self.pg_name, std::env::var("PDCA_TEST_POSTGRES_URL")) {
            let _ = Command::new("psql")
                .args([
                    server.as_str(),
                    "-q",
                    "-c",
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                ])
                .output();
        }
    }
}

fn indicator<'a>(export: &'a Value, id: &str) -> &'a Value {
    export["projects"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["indicators"].as_array().unwrap())
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no indicator {id}"))
}

fn evaluation<'a>(eval: &'a Value, id: &str) -> &'a Value {
    eval["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()
}

#[test]
fn a_new_database_holds_the_builtin_plan() {
    let pdca = Pdca::sqlite();
    let list = pdca.ok(&["plan", "list"]);
    // One line per plan: id, name, period (和暦, as `plan show` writes it), revision.
    assert_eq!(
        list,
        "medical-rd-2\t第2期医療分野研究開発推進計画\t令和2年度〜令和6年度\t第1版\n"
    );
    assert!(Path::new(&pdca.db).exists());
    let show = pdca.ok(&["plan", "show"]);
    for name in [
        "医薬品プロジェクト",
        "シーズ開発・研究基盤プロジェクト",
        "非臨床POCの取得件数",
        "うち遺伝子治療",
        "Proof of Concept",
    ] {
        assert!(show.contains(name), "plan show lacks {name}");
    }
}

#[test]
fn plan_export_lists_every_kpi_with_its_target() {
    let pdca = Pdca::sqlite();
    let export = pdca.json(&["plan", "export", "--format", "json"]);
    assert_eq!(export["id"], "medical-rd-2");
    assert_eq!(export["period"]["start_fy"], 2020);
    assert_eq!(export["period"]["end_fy"], 2024);
    let projects = export["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 6);
    assert_eq!(projects[0]["name"], "医薬品プロジェクト");
    let poc = indicator(&export, "p1-out-01");
    assert_eq!(poc["name"], "非臨床POCの取得件数");
    assert_eq!(poc["kind"], "output");
    assert_eq!(poc["group"], "シーズ研究に関する指標");
    assert_eq!(poc["measure"], "count");
    assert_eq!(poc["target"]["value"], 25.0);
    assert_eq!(poc["target"]["unit"], "件");
    assert_eq!(poc["target"]["basis"], "cumulative");
    assert_eq!(poc["parent"], Value::Null);
    let gene = indicator(&export, "p3-out-01-1");
    assert_eq!(gene["parent"], "p3-out-01");
    assert_eq!(gene["target"]["value"], 5.0);
    let all: Vec<&Value> = projects
        .iter()
        .flat_map(|p| p["indicators"].as_array().unwrap())
        .collect();
    let at_least: Vec<&&Value> = all
        .iter()
        .filter(|i| i["target"]["comparator"] == "at_least")
        .collect();
    assert_eq!(at_least.len(), 1);
    assert_eq!(at_least[0]["target"]["value"], 2.0);
    let ratios: Vec<&&Value> = all.iter().filter(|i| i["measure"] == "ratio").collect();
    assert_eq!(ratios.len(), 2, "75％ and 25％");
    let management = all.iter().filter(|i| i["management"] == true).count();
    assert!(management >= 15, "{management} management indicators");
    assert!(
        all.iter()
            .filter(|i| i["management"] == true)
            .all(|i| i["target"].is_null() && i["measure"] == "qualitative")
    );
}

#[test]
fn plan_validate_names_file_line_and_key() {
    let pdca = Pdca::sqlite();
    let good = pdca.write("good.toml", SMALL_PLAN);
    let out = pdca.ok(&["plan", "validate", good.to_str().unwrap()]);
    assert!(out.contains("OK"), "{out}");
    let bad = pdca.write(
        "bad.toml",
        SMALL_PLAN.replace("value = 10", "value = \"ten\""),
    );
    let err = pdca.fails(&["plan", "validate", bad.to_str().unwrap()]);
    assert!(err.contains("bad.toml:"), "{err}");
    let line = SMALL_PLAN
        .lines()
        .position(|l| l.contains("value = 10"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!(":{line}:")),
        "line {line} not in {err}"
    );
    let bad = pdca.write(
        "bad2.toml",
        SMALL_PLAN.replace("parent = \"t-1\"", "parent = \"nope\""),
    );
    let err = pdca.fails(&["plan", "validate", bad.to_str().unwrap()]);
    assert!(
        err.contains("bad2.toml:") && err.contains("parent") && err.contains("nope"),
        "{err}"
    );
}

const SMALL_PLAN: &str = r#"
[plan]
id = "small"
name = "小さな計画"
start_fy = 2020
end_fy = 2024
default_bodies = ["amed"]

[[bodies]]
id = "amed"
name = "日本医療研究開発機構"
short_name = "AMED"

[[bodies]]
id = "mext"
name = "文部科学省"

[[projects]]
id = "p"
name = "テストプロジェクト"

[[projects.indicators]]
id = "t-1"
name = "件数の指標"
kind = "output"
group = "テスト指標"
measure = "count"
target = { value = 10, unit = "件" }

[[projects.indicators]]
id = "t-1-1"
name = "うち内数"
kind = "output"
group = "テスト指標"
measure = "count"
parent = "t-1"
target = { value = 5, unit = "件" }

[[projects.indicators]]
id = "t-2"
name = "割合の指標"
kind = "outcome"
group = "テスト指標"
measure = "ratio"
target = { value = 75, unit = "%" }

[[projects.indicators]]
id = "t-3"
name = "二機関の指標"
kind = "outcome"
group = "テスト指標"
measure = "count"
target = { value = 20 }
bodies = ["amed", { body = "mext", share = 4 }]

[[projects.indicators]]
id = "t-m"
name = "管理指標"
kind = "output"
group = "テスト指標"
management = true
measure = "qualitative"
"#;

fn with_small_plan(pdca: &Pdca) {
    let file = pdca.write("small.toml", SMALL_PLAN);
    let out = pdca.ok(&["plan", "import", file.to_str().unwrap()]);
    assert!(out.contains("small"), "{out}");
}

fn import_csv(pdca: &Pdca, name: &str, csv: &str) -> Output {
    let file = pdca.write(name, csv);
    pdca.run(&[
        "actuals",
        "import",
        file.to_str().unwrap(),
        "--plan",
        "small",
    ])
}

const HEADER: &str = "indicator_id,fiscal_year,value,numerator,denominator,body,note,source\n";

#[test]
fn actuals_import_then_evaluate_on_sqlite() {
    import_and_evaluate(&Pdca::sqlite());
}

#[test]
fn actuals_import_then_evaluate_on_postgres() {
    import_and_evaluate(&Pdca::postgres());
}

fn import_and_evaluate(pdca: &Pdca) {
    with_small_plan(pdca);
    let csv = format!(
        "{HEADER}t-1,2020,２,,,,初年度,報告書\nt-1,FY2021,2件,,,,,\nt-1,令和4年度,3,,,AMED,,\nt-1-1,R4,1,,,,,\nt-2,2022,,30,40,,,\nt-3,2022,3,,,mext,,\nt-3,2022,1,,,amed,,\nt-m,2022,\"体制を整備した, 順調\",,,,,\n"
    );
    let out = import_csv(pdca, "a.csv", &csv);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let eval = pdca.json(&[
        "evaluate", "--plan", "small", "--as-of", "2022", "--format", "json",
    ]);
    assert_eq!(eval["plan"], "small");
    assert_eq!(eval["as_of"], 2022);
    let t1 = evaluation(&eval, "t-1");
    assert_eq!(t1["cumulative"], 7.0);
    assert_eq!(t1["expected"], 6.0);
    assert_eq!(t1["status"], "on_track");
    assert_eq!(t1["value"], Value::Null);
    let t2 = evaluation(&eval, "t-2");
    assert_eq!(t2["value"], 75.0);
    assert_eq!(t2["status"], "on_track");
    assert_eq!(t2["p_attain"], Value::Null);
    let t3 = evaluation(&eval, "t-3");
    assert_eq!(t3["cumulative"], 4.0);
    assert_eq!(t3["status"], "insufficient");
    assert!(
        t3["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("未報告"))
    );
    let tm = evaluation(&eval, "t-m");
    assert_eq!(tm["status"], "not_rated");
    assert_eq!(tm["narrative"], "体制を整備した, 順調");

    // A second import of one value adds a revision; history keeps both.
    let out = import_csv(pdca, "b.csv", &format!("{HEADER}t-1,2022,4,,,,訂正,\n"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let eval = pdca.json(&[
        "evaluate", "--plan", "small", "--as-of", "R4", "--format", "json",
    ]);
    assert_eq!(evaluation(&eval, "t-1")["cumulative"], 8.0);
    let history = pdca.ok(&[
        "actuals", "history", "t-1", "--plan", "small", "--fy", "2022",
    ]);
    assert!(history.contains("3 → 4"), "{history}");
    assert!(history.contains("tester"), "{history}");

    // Export round-trips through import.
    let exported = pdca.ok(&["actuals", "export", "--plan", "small", "--format", "csv"]);
    assert!(exported.starts_with('\u{feff}'));
    assert!(exported.contains("t-1,2022,4"), "{exported}");
    let file = pdca.path("export.csv");
    let printed = pdca.ok(&[
        "actuals",
        "export",
        "--plan",
        "small",
        "--format",
        "csv",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert!(
        printed.is_empty(),
        "-o writes the file, not standard output: {printed}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), exported);
    let json: Value = pdca.json(&["actuals", "export", "--plan", "small", "--format", "json"]);
    assert_eq!(json.as_array().unwrap().len(), 8);
}

/// Each bad input is refused with a message naming file, row, column and text; nothing lands.
#[test]
fn bad_imports_name_the_place_and_import_nothing() {
    let pdca = Pdca::sqlite();
    with_small_plan(&pdca);
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "t-9,2022,1,,,,,",
            "unknown indicator",
            &["2行目", "indicator_id", "t-9"],
        ),
        (
            "t-1,2030,1,,,,,",
            "outside the plan",
            &["2行目", "fiscal_year", "2030"],
        ),
        (
            "t-1,令和x年度,1,,,,,",
            "bad year",
            &["2行目", "fiscal_year", "令和x年度"],
        ),
        (
            "t-1,2022,-3,,,,,",
            "negative count",
            &["2行目", "value", "-3"],
        ),
        (
            "t-1,2022,abc,,,,,",
            "not a number",
            &["2行目", "value", "abc"],
        ),
        (
            "t-2,2022,,50,40,,,",
            "numerator above denominator",
            &["2行目", "numerator", "50"],
        ),
        (
            "t-3,2022,1,,,,,",
            "two bodies, none named",
            &["2行目", "body"],
        ),
        (
            "t-1,2022,1,,,文科省,,",
            "unknown body",
            &["2行目", "body", "文科省"],
        ),
    ];
    for (row, what, needles) in cases {
        let out = import_csv(&pdca, "bad.csv", &format!("{HEADER}{row}\n"));
        assert!(!out.status.success(), "{what}: should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("bad.csv"), "{what}: {err}");
        for n in *needles {
            assert!(err.contains(n), "{what}: «{n}» not in {err}");
        }
    }
    // A sub-target above its parent for the same year.
    let out = import_csv(
        &pdca,
        "sub.csv",
        &format!("{HEADER}t-1,2022,2,,,,,\nt-1-1,2022,3,,,,,\n"),
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("3行目") && err.contains("t-1-1") && err.contains("t-1"),
        "{err}"
    );
    // One bad row among good ones: nothing is imported.
    let out = import_csv(
        &pdca,
        "mixed.csv",
        &format!("{HEADER}t-1,2020,1,,,,,\nt-1,2021,x,,,,,\n"),
    );
    assert!(!out.status.success());
    let exported = pdca.ok(&["actuals", "export", "--plan", "small", "--format", "json"]);
    assert_eq!(
        serde_json::from_str::<Value>(&exported)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // An unknown column.
    let out = import_csv(
        &pdca,
        "cols.csv",
        "indicator_id,fiscal_year,value,colour\nt-1,2020,1,red\n",
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cols.csv") && err.contains("colour"), "{err}");
}

#[test]
fn shift_jis_csv_with_japanese_headers_imports() {
    let pdca = Pdca::sqlite();
    with_small_plan(&pdca);
    let text = "指標ID,年度,実績,分子,分母,報告機関,備考,出典\nt-1,令和２年度,２５件,,,日本医療研究開発機構,備考です,出典です\n";
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(text);
    let file = pdca.write("sjis.csv", &bytes);
    pdca.ok(&[
        "actuals",
        "import",
        file.to_str().unwrap(),
        "--plan",
        "small",
        "--dry-run",
    ]);
    let exported = pdca.ok(&["actuals", "export", "--plan", "small", "--format", "csv"]);
    assert!(
        !exported.contains("t-1,2020"),
        "dry run imported: {exported}"
    );
    pdca.ok(&[
        "actuals",
        "import",
        file.to_str().unwrap(),
        "--plan",
        "small",
    ]);
    let exported = pdca.ok(&["actuals", "export", "--plan", "small", "--format", "csv"]);
    assert!(
        exported.contains("t-1,2020,25,,,amed,備考です,出典です"),
        "{exported}"
    );
}

#[test]
fn plan_revisions_keep_history_and_evaluate_with_the_revision_in_force() {
    let pdca = Pdca::sqlite();
    with_small_plan(&pdca);
    let revised = SMALL_PLAN
        .replace("default_bodies = [\"amed\"]", "default_bodies = [\"amed\"]\nrevision = 2\neffective_from = 2023\nrevision_note = \"一部変更\"")
        .replace("target = { value = 10, unit = \"件\" }", "target = { value = 20, unit = \"件\" }");
    let file = pdca.write("small2.toml", revised);
    let out = pdca.ok(&["plan", "import", file.to_str().unwrap()]);
    assert!(out.contains("第2版"), "{out}");
    let history = pdca.ok(&["plan", "history", "small"]);
    assert!(
        history.contains("第1版") && history.contains("第2版"),
        "{history}"
    );
    let old = pdca.json(&[
        "plan",
        "export",
        "small",
        "--format",
        "json",
        "--revision",
        "1",
    ]);
    assert_eq!(indicator(&old, "t-1")["target"]["value"], 10.0);
    let new = pdca.json(&["plan", "export", "small", "--format", "json"]);
    assert_eq!(indicator(&new, "t-1")["target"]["value"], 20.0);
    let e22 = pdca.json(&[
        "evaluate", "--plan", "small", "--as-of", "2022", "--format", "json",
    ]);
    assert_eq!(evaluation(&e22, "t-1")["target"], 10.0);
    let e23 = pdca.json(&[
        "evaluate", "--plan", "small", "--as-of", "2023", "--format", "json",
    ]);
    assert_eq!(evaluation(&e23, "t-1")["target"], 20.0);
    // The same file again changes nothing; an older revision is refused.
    let out = pdca.ok(&["plan", "import", file.to_str().unwrap()]);
    assert!(out.contains("変更はありません"), "{out}");
    let first = pdca.write("small1.toml", SMALL_PLAN.replace("小さな計画", "別名"));
    pdca.fails(&["plan", "import", first.to_str().unwrap()]);
}

#[test]
fn plan_may_be_left_out_only_while_one_plan_exists() {
    let pdca = Pdca::sqlite();
    pdca.ok(&["evaluate", "--as-of", "2020", "--format", "json"]);
    with_small_plan(&pdca);
    let err = pdca.fails(&["evaluate", "--as-of", "2020"]);
    assert!(err.contains("--plan"), "{err}");
}

#[test]
fn demo_is_deterministic_and_gives_a_mix_of_statuses() {
    let a = Pdca::sqlite();
    let b = Pdca::sqlite();
    a.ok(&["demo"]);
    b.ok(&["demo"]);
    let ea = a.json(&["evaluate", "--as-of", "2023", "--format", "json"]);
    let eb = b.json(&["evaluate", "--as-of", "2023", "--format", "json"]);
    assert_eq!(ea, eb);
    let statuses: Vec<&str> = ea["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    for s in ["achieved", "on_track", "insufficient", "not_rated"] {
        assert!(statuses.contains(&s), "no {s} in demo: {statuses:?}");
    }
    // Every numeric indicator has FY2020–FY2023, every qualitative one a narrative.
    for i in ea["indicators"].as_array().unwrap() {
        // The only warnings are the demo's planted possible duplicates of achievements.
        let warnings = i["warnings"].as_array().unwrap();
        assert!(
            warnings
                .iter()
                .all(|w| w.as_str().unwrap().contains("重複の可能性")),
            "{i}"
        );
        if i["measure"] == "qualitative" {
            assert!(i["narrative"].as_str().unwrap().contains("デモ"));
        }
    }
    let csv = a.ok(&["actuals", "export", "--format", "csv"]);
    assert!(csv.contains("デモデータ"));
    // Running demo again records nothing new.
    let again = a.ok(&["demo"]);
    assert!(again.contains("0件"), "{again}");
}

#[test]
fn evaluate_table_is_aligned_and_shows_labels() {
    let pdca = Pdca::sqlite();
    pdca.ok(&["demo"]);
    let table = pdca.ok(&["evaluate", "--as-of", "令和5年度"]);
    assert!(table.contains("令和5年度"), "{table}");
    for label in ["達成", "B", "医薬品プロジェクト"] {
        assert!(table.contains(label), "{label} missing");
    }
    let csv = pdca.ok(&["evaluate", "--as-of", "R5", "--format", "csv"]);
    assert!(csv.starts_with("\u{feff}id,project,name,status"), "{csv}");
    assert_eq!(
        csv.lines().count(),
        1 + pdca.json(&["evaluate", "--as-of", "R5", "--format", "json"])["indicators"]
            .as_array()
            .unwrap()
            .len()
    );
    let err = pdca.fails(&["evaluate", "--as-of", "2030"]);
    assert!(err.contains("2030"), "{err}");
}

#[test]
fn bodies_can_be_assigned_with_shares() {
    let pdca = Pdca::sqlite();
    let out = pdca.ok(&["body", "list"]);
    assert!(out.contains("amed") && out.contains("文部科学省"), "{out}");
    pdca.ok(&["body", "assign", "p1-out-01", "mext", "--share", "2"]);
    let export = pdca.json(&["plan", "export", "--format", "json"]);
    let bodies = &indicator(&export, "p1-out-01")["bodies"];
    assert!(
        bodies
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["body"] == "mext" && b["share"] == 2.0),
        "{bodies}"
    );
    pdca.ok(&["body", "unassign", "p1-out-01", "mext"]);
    let export = pdca.json(&["plan", "export", "--format", "json"]);
    assert_eq!(
        indicator(&export, "p1-out-01")["bodies"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    pdca.fails(&["body", "assign", "p1-out-01", "nobody"]);
    pdca.fails(&["body", "assign", "no-such-indicator", "mext"]);
}

#[test]
fn demo_and_evaluate_on_postgres() {
    let pdca = Pdca::postgres();
    pdca.ok(&["demo"]);
    let eval = pdca.json(&["evaluate", "--as-of", "2023", "--format", "json"]);
    let sqlite = Pdca::sqlite();
    sqlite.ok(&["demo"]);
    assert_eq!(
        eval,
        sqlite.json(&["evaluate", "--as-of", "2023", "--format", "json"])
    );
}

#[test]
fn xlsx_imports_and_a_bad_cell_is_named_by_row_and_column() {
    use pdca_core::actuals::{ActualValue, Contribution};
    use pdca_interchange::{ExportRow, write_actuals_xlsx};
    let pdca = Pdca::sqlite();
    with_small_plan(&pdca);
    let row = |indicator: &str, year: i32, value: ActualValue| {
        ExportRow::from_contribution(
            &Contribution {
                indicator: indicator.into(),
                year: pdca_core::FiscalYear::new(year).unwrap(),
                body: "amed".into(),
                value,
            },
            Some("ブックから".into()),
            None,
        )
    };
    let good = write_actuals_xlsx(&[
        row("t-1", 2020, ActualValue::Number(4.0)),
        row(
            "t-2",
            2020,
            ActualValue::Ratio {
                numerator: 3.0,
                denominator: 4.0,
            },
        ),
    ])
    .unwrap();
    let file = pdca.write("good.xlsx", good);
    pdca.ok(&[
        "actuals",
        "import",
        file.to_str().unwrap(),
        "--plan",
        "small",
    ]);
    let eval = pdca.json(&[
        "evaluate", "--plan", "small", "--as-of", "2020", "--format", "json",
    ]);
    assert_eq!(evaluation(&eval, "t-1")["cumulative"], 4.0);
    assert_eq!(evaluation(&eval, "t-2")["value"], 75.0);

    let bad = write_actuals_xlsx(&[
        row("t-1", 2021, ActualValue::Number(1.0)),
        row("t-1", 2022, ActualValue::Number(-2.0)),
    ])
    .unwrap();
    let file = pdca.write("bad.xlsx", bad);
    let err = pdca.fails(&[
        "actuals",
        "import",
        file.to_str().unwrap(),
        "--plan",
        "small",
    ]);
    assert!(
        err.contains("bad.xlsx")
            && err.contains("3行目")
            && err.contains("C列")
            && err.contains("-2"),
        "{err}"
    );
    let eval = pdca.json(&[
        "evaluate", "--plan", "small", "--as-of", "2021", "--format", "json",
    ]);
    assert_eq!(
        evaluation(&eval, "t-1")["cumulative"],
        4.0,
        "nothing of the bad workbook landed"
    );
}

impl Pdca {
    /// Runs with `input` on standard input.
    fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_pdca"))
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .current_dir(self.dir.path())
            .env("PDCA_ACTOR", "tester")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}

#[test]
fn users_and_tokens_are_managed_from_the_cli() {
    let pdca = Pdca::sqlite();
    let out = pdca.run_with_input(
        &[
            "user",
            "add",
            "amed-staff",
            "--role",
            "body",
            "--body",
            "amed",
            "--password-stdin",
        ],
        "correct horse battery staple\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The body role needs a body; an unknown body and a short password are refused.
    let out = pdca.run_with_input(
        &["user", "add", "x", "--role", "body", "--password-stdin"],
        "correct horse battery staple\n",
    );
    assert!(!out.status.success());
    let out = pdca.run_with_input(
        &[
            "user",
            "add",
            "y",
            "--role",
            "body",
            "--body",
            "nasa",
            "--password-stdin",
        ],
        "correct horse battery staple\n",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nasa"));
    let out = pdca.run_with_input(
        &["user", "add", "z", "--role", "viewer", "--password-stdin"],
        "short\n",
    );
    assert!(!out.status.success());
    // Without --password-stdin a one-time password is printed once.
    let out = pdca.ok(&["user", "add", "sato", "--role", "committee"]);
    assert!(out.contains("初回パスワード"), "{out}");
    let list = pdca.ok(&["user", "list"]);
    assert!(list.contains("amed-staff\tbody\tamed\t有効"), "{list}");
    assert!(
        list.contains("sato\tcommittee") && list.contains("パスワード変更待ち"),
        "{list}"
    );
    // A duplicate name is refused.
    pdca.fails(&["user", "add", "sato", "--role", "viewer"]);
    // token create prints the token and nothing else.
    let token = pdca.ok(&["token", "create", "amed-staff"]);
    assert_eq!(token.lines().count(), 1);
    assert!(
        token.trim().starts_with("pdca_") && token.trim().len() > 30,
        "{token}"
    );
    pdca.fails(&["token", "create", "nobody"]);
    pdca.ok(&["user", "disable", "sato"]);
    assert!(
        pdca.ok(&["user", "list"])
            .contains("sato\tcommittee\t-\t無効")
    );
    pdca.fails(&["token", "create", "sato"]);
    let out = pdca.ok(&["user", "reset-password", "amed-staff"]);
    assert!(out.contains("初回パスワード"), "{out}");
}

#[test]
fn drafts_count_only_when_unapproved_values_are_asked_for() {
    let pdca = Pdca::sqlite();
    with_small_plan(&pdca);
    let approved = pdca.write("approved.csv", format!("{HEADER}t-1,2020,2,,,,,\n"));
    pdca.ok(&[
        "actuals",
        "import",
        approved.to_str().unwrap(),
        "--plan",
        "small",
    ]);
    let draft = pdca.write("draft.csv", format!("{HEADER}t-1,2020,5,,,,,\n"));
    let out = pdca.ok(&[
        "actuals",
        "import",
        draft.to_str().unwrap(),
        "--plan",
        "small",
        "--draft",
    ]);
    assert!(out.contains("一時保存"), "{out}");
    let history = pdca.ok(&["actuals", "history", "t-1", "--plan", "small"]);
    assert!(history.contains("2 → 5\t一時保存"), "{history}");
    assert!(history.contains("→ 2\t承認済み"), "{history}");
    let eval = pdca.json(&[
        "evaluate", "--plan", "small", "--as-of", "2020", "--format", "json",
    ]);
    assert_eq!(evaluation(&eval, "t-1")["cumulative"], 2.0);
    let eval = pdca.json(&[
        "evaluate",
        "--plan",
        "small",
        "--as-of",
        "2020",
        "--format",
        "json",
        "--include-unapproved",
    ]);
    assert_eq!(evaluation(&eval, "t-1")["cumulative"], 5.0);
}

/// A plain HTTP/1.0 GET (no chunking), returning status code and body.
fn http_get(port: u16, path: &str, token: Option<&str>) -> (u16, String) {
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let (status, _, body) = http(port, &format!("GET {path} HTTP/1.0\r\n{auth}"), "");
    (status, body)
}

/// Sends an HTTP/1.0 request made of `head` (the request line and headers, each ending in CRLF)
/// and `body`; returns status code, response head and body.
fn http(port: u16, head: &str, body: &str) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "{head}Host: 127.0.0.1\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_owned(), body.to_owned())
}

/// The value of cookie `name` set in a response head.
fn set_cookie(head: &str, name: &str) -> String {
    head.lines()
        .filter_map(|l| l.strip_prefix("set-cookie: "))
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("no cookie {name} in {head}"))
        .to_owned()
}

/// Signs `name` in through the sign-in form; returns the session cookie's value.
fn sign_in(port: u16, name: &str, password: &str) -> String {
    let (status, head, page) = http(port, "GET /signin HTTP/1.0\r\n", "");
    assert_eq!(status, 200);
    let csrf = page
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    let form = format!("name={name}&password={password}&csrf={csrf}&next=%2F");
    let (status, head, _) = http(
        port,
        &format!(
            "POST /signin HTTP/1.0\r\nCookie: pdca_signin_csrf={}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n",
            set_cookie(&head, "pdca_signin_csrf")
        ),
        &form,
    );
    assert_eq!(status, 303, "{head}");
    set_cookie(&head, "pdca_session")
}

#[test]
fn serve_creates_the_first_account_and_answers_the_api_like_the_cli() {
    use std::io::BufRead;
    let pdca = Pdca::sqlite();
    pdca.ok(&["demo"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_pdca"))
        .args(["--db", &pdca.db, "serve", "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let port: u16 = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        printed.push(line.clone());
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            break rest.split('/').next().unwrap().parse().unwrap();
        }
    };
    assert!(printed.iter().any(|l| l.contains("admin")), "{printed:?}");
    assert!(
        printed.iter().any(|l| l.contains("初回パスワード")),
        "{printed:?}"
    );

    assert_eq!(http_get(port, "/healthz", None).0, 200);
    assert_eq!(
        http_get(port, "/api/v1/evaluations?as_of=2023", None).0,
        401
    );
    let token = pdca.ok(&["token", "create", "admin"]);
    let (status, body) = http_get(port, "/api/v1/evaluations?as_of=2023", Some(token.trim()));
    assert_eq!(status, 200, "{body}");
    let api: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        api,
        pdca.json(&["evaluate", "--as-of", "2023", "--format", "json"])
    );

    // Another process's change is seen at the next request, though the server keeps what it
    // read while the file does not change: a user disabled by the CLI is signed out.
    let out = pdca.run_with_input(
        &[
            "user",
            "add",
            "reader",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "violet-harbour-lantern-quietly\n",
    );
    assert!(out.status.success());
    let session = sign_in(port, "reader", "violet-harbour-lantern-quietly");
    let dashboard = format!("GET / HTTP/1.0\r\nCookie: pdca_session={session}\r\n");
    for _ in 0..3 {
        let (status, head, _) = http(port, &dashboard, "");
        assert_eq!(status, 200, "{head}");
    }
    pdca.ok(&["user", "disable", "reader"]);
    let (status, head, _) = http(port, &dashboard, "");
    assert_eq!(status, 303, "{head}");
    assert!(head.contains("location: /signin"), "{head}");

    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
    // The first account is created once only.
    let users = pdca.ok(&["user", "list"]);
    assert_eq!(
        users.lines().filter(|l| l.starts_with("admin\t")).count(),
        1
    );
}

#[test]
fn a_year_is_locked_only_when_nothing_awaits_approval() {
    let pdca = Pdca::sqlite();
    with_small_plan(&pdca);
    let approved = pdca.write("approved.csv", format!("{HEADER}t-1,2020,2,,,,,\n"));
    pdca.ok(&[
        "actuals",
        "import",
        approved.to_str().unwrap(),
        "--plan",
        "small",
    ]);
    let draft = pdca.write("draft.csv", format!("{HEADER}t-1-1,2020,1,,,,,\n"));
    pdca.ok(&[
        "actuals",
        "import",
        draft.to_str().unwrap(),
        "--plan",
        "small",
        "--draft",
    ]);
    let err = pdca.fails(&["actuals", "lock", "--fy", "2020", "--plan", "small"]);
    assert!(err.contains("t-1-1") && err.contains("一時保存"), "{err}");
    let approve = pdca.write("approve.csv", format!("{HEADER}t-1-1,2020,1,,,,,\n"));
    pdca.ok(&[
        "actuals",
        "import",
        approve.to_str().unwrap(),
        "--plan",
        "small",
    ]);
    let out = pdca.ok(&["actuals", "lock", "--fy", "令和2年度", "--plan", "small"]);
    assert!(out.contains("令和2年度") && out.contains("2件"), "{out}");
    let history = pdca.ok(&["actuals", "history", "t-1", "--plan", "small"]);
    assert!(history.contains("確定"), "{history}");
}

// ---------------------------------------------------------------------------------------------
// The follow-up cycle: `pdca round`, `pdca meeting`, `pdca policy`

#[test]
fn a_round_runs_from_the_cli_on_sqlite() {
    run_a_round(&Pdca::sqlite());
}

#[test]
fn a_round_runs_from_the_cli_on_postgres() {
    run_a_round(&Pdca::postgres());
}

fn run_a_round(pdca: &Pdca) {
    pdca.ok(&["demo"]);
    let opened = pdca.ok(&[
        "round",
        "open",
        "--fy",
        "R4",
        "--deadline",
        "２０２３－０５－１５",
    ]);
    assert!(opened.contains("令和4年度"), "{opened}");
    assert!(
        pdca.fails(&["round", "open", "--fy", "2022"])
            .contains("既に")
    );
    assert!(
        pdca.fails(&["round", "open", "--fy", "2030"])
            .contains("期間")
    );
    assert!(
        pdca.fails(&["round", "show", "--fy", "2020"])
            .contains("見つかりません")
    );
    // The demo holds a closed round of FY2021 whose policy clause this round follows up.
    let demo = pdca.json(&["round", "show", "--fy", "2021", "--format", "json"]);
    assert_eq!(demo["state"], "closed");
    assert_eq!(demo["counts"]["unrated"], 0);
    assert_eq!(demo["missing_for_close"], serde_json::json!([]));

    let round = pdca.json(&["round", "show", "--fy", "2022", "--format", "json"]);
    assert_eq!(round["state"], "collecting");
    let previous = &round["previous_clauses"][0];
    assert_eq!(previous["clause"]["id"], demo["policy_clauses"][0]["id"]);
    assert_eq!(previous["movements"][0]["rating_before"], "B", "{previous}");
    assert_eq!(round["deadline"], "2023-05-15");
    let numeric: Vec<&Value> = round["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["management"] == false)
        .collect();
    assert_eq!(numeric.len(), 37);

    // Closing lists every unrated indicator.
    let refused = pdca.fails(&["round", "close", "--fy", "2022"]);
    assert!(refused.contains("37件"), "{refused}");
    assert!(
        refused.contains("p6-oc-02: 委員会の評価がありません"),
        "{refused}"
    );

    // Rate: the proposal, except one B rated against an A proposal with a reason, issue and
    // solution; a differing rating without a reason is refused.
    let against = numeric
        .iter()
        .find(|i| i["proposal"] == "A")
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .expect("an indicator proposed A");
    let refused = pdca.fails(&["round", "rate", "--fy", "2022", &against, "B"]);
    assert!(refused.contains("--reason"), "{refused}");
    for indicator in &numeric {
        let id = indicator["id"].as_str().unwrap();
        let proposal = indicator["proposal"].as_str().unwrap_or("N");
        if id == against {
            pdca.ok(&[
                "round",
                "rate",
                "--fy",
                "2022",
                id,
                "Ｂ",
                "--reason",
                "直近の伸びが鈍い",
                "--issue",
                "症例の集積が遅い",
            ]);
        } else if proposal == "B" {
            pdca.ok(&[
                "round",
                "rate",
                "--fy",
                "2022",
                id,
                "B",
                "--issue",
                "遅れ",
                "--solution",
                "支援",
            ]);
        } else {
            pdca.ok(&["round", "rate", "--fy", "2022", id, proposal]);
        }
    }
    let refused = pdca.fails(&["round", "close", "--fy", "2022"]);
    assert!(
        refused.contains(&format!(
            "{against}: B と評価されていますが解決策がありません"
        )),
        "{refused}"
    );
    pdca.ok(&[
        "round",
        "rate",
        "--fy",
        "2022",
        &against,
        "B",
        "--reason",
        "直近の伸びが鈍い",
        "--issue",
        "症例の集積が遅い",
        "--solution",
        "拠点間の連携を強める",
    ]);

    for expected in ["第1回会合", "第2回会合"] {
        assert!(
            pdca.ok(&["round", "advance", "--fy", "2022"])
                .contains(expected)
        );
    }
    assert!(
        pdca.fails(&["round", "advance", "--fy", "2022"])
            .contains("round close")
    );

    // Findings, a priority item, an opinion, a policy clause linked to both, a meeting.
    pdca.ok(&[
        "round",
        "add",
        "notable-result",
        "--fy",
        "2022",
        "--text",
        "新規モダリティで成果",
        "--link",
        "p1",
    ]);
    pdca.ok(&[
        "round",
        "add",
        "priority-item",
        "--fy",
        "2022",
        "--title",
        "臨床研究の加速",
        "--text",
        "症例集積の加速",
        "--points",
        "拠点の連携",
        "--link",
        &against,
    ]);
    let items = pdca.json(&["round", "show", "--fy", "2022", "--format", "json"]);
    let priority = items["priority_items"][0]["id"].as_i64().unwrap();
    let priority_link = format!("#{priority}");
    pdca.ok(&[
        "round",
        "add",
        "opinion",
        "--fy",
        "2022",
        "--text",
        "拠点間の連携を",
        "--link",
        &priority_link,
    ]);
    let clause = pdca.json(&[
        "policy",
        "add",
        "--fy",
        "2022",
        "--title",
        "第1項",
        "--text",
        "臨床研究拠点への重点配分",
        "--link",
        &priority_link,
        "--link",
        &against,
        "--budget",
        "臨床研究推進事業",
        "--format",
        "json",
    ]);
    assert_eq!(clause["kind"], "policy_clause");
    assert_eq!(clause["links"].as_array().unwrap().len(), 2);
    let listed = pdca.json(&["policy", "list", "--fy", "2022", "--format", "json"]);
    assert_eq!(listed[0]["budget"], "臨床研究推進事業");
    let meeting = pdca.json(&[
        "meeting",
        "add",
        "--number",
        "35",
        "--kind",
        "①",
        "--date",
        "2023-05-20",
        "--fy",
        "2022",
        "--material",
        "資料1:議事次第",
        "--material",
        "資料2-1:進捗状況",
        "--format",
        "json",
    ]);
    assert_eq!(meeting["title"], "第35回健康・医療戦略推進専門調査会");
    assert_eq!(meeting["date_ja"], "令和5年5月20日");
    assert!(
        meeting["agenda"][0]
            .as_str()
            .unwrap()
            .contains("令和4年度の実施状況の報告")
    );
    assert!(
        pdca.fails(&[
            "meeting",
            "add",
            "--number",
            "36",
            "--kind",
            "3",
            "--date",
            "2023-07-01"
        ])
        .contains("--kind")
    );
    assert!(
        pdca.fails(&[
            "meeting",
            "add",
            "--number",
            "36",
            "--kind",
            "2",
            "--date",
            "2023-07-01",
            "--material",
            "別紙1"
        ])
        .contains("資料番号")
    );
    let ics = pdca.ok(&["meeting", "list", "--format", "ics"]);
    assert!(ics.contains("BEGIN:VEVENT"), "{ics}");
    assert!(ics.contains("DTSTART;VALUE=DATE:20230520"), "{ics}");
    assert!(
        ics.contains("DTSTART;VALUE=DATE:20230515"),
        "the deadline: {ics}"
    );

    // The report of the round in each format.
    pdca.ok(&[
        "report",
        "--round",
        "2022",
        "--format",
        "pdf",
        "-o",
        "report.pdf",
        "--material",
        "資料1",
    ]);
    assert!(
        std::fs::read(pdca.path("report.pdf"))
            .unwrap()
            .starts_with(b"%PDF-")
    );
    pdca.ok(&[
        "report",
        "--round",
        "2022",
        "--format",
        "xlsx",
        "-o",
        "report.xlsx",
    ]);
    assert!(
        std::fs::read(pdca.path("report.xlsx"))
            .unwrap()
            .starts_with(b"PK")
    );
    let md = pdca.ok(&["report", "--round", "2022", "--format", "md"]);
    assert!(
        md.contains("## 資源配分方針") && md.contains("臨床研究拠点への重点配分"),
        "{md}"
    );
    assert!(
        pdca.fails(&["report", "--round", "2022", "--format", "pdf"])
            .contains("-o")
    );
    assert!(
        pdca.fails(&["report", "--round", "2022", "--format", "docx", "-o", "x"])
            .contains("docx")
    );
    let closed = pdca.ok(&["round", "close", "--fy", "2022"]);
    assert!(closed.contains("終了しました"), "{closed}");
    let round = pdca.json(&["round", "show", "--fy", "2022", "--format", "json"]);
    assert_eq!(round["state"], "closed");
    let rated = round["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == against.as_str())
        .unwrap();
    assert_eq!(rated["proposal"], "A");
    assert_eq!(rated["rating"]["rating"], "B");
    assert_eq!(rated["rating"]["reason"], "直近の伸びが鈍い");
    assert_eq!(round["notable_results"].as_array().unwrap().len(), 1);
    assert_eq!(round["opinions"][0]["links"][0]["id"], priority.to_string());
    assert_eq!(round["policy_clauses"][0]["title"], "第1項");
    assert_eq!(round["meetings"][0]["number"], 35);
    assert!(
        pdca.fails(&[
            "round", "rate", "--fy", "2022", &against, "A", "--reason", "x"
        ])
        .contains("終了")
    );
    let matrix = pdca.json(&["round", "matrix", "--format", "json"]);
    assert_eq!(matrix["years"][0]["counts"]["total"], 37);
    assert!(
        pdca.fails(&["round", "reopen", "--fy", "2022", "--reason", " "])
            .contains("理由")
    );
    pdca.ok(&["round", "reopen", "--fy", "2022", "--reason", "評価の訂正"]);
    let round = pdca.json(&["round", "show", "--fy", "2022", "--format", "json"]);
    assert_eq!(round["state"], "meeting_2");

    // The trace page reads the views of every round at once; they are the views read one by one.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        use pdca_app::follow_up::{RoundView, round_json};
        let store = pdca_store::Store::open(&pdca.db).await.unwrap();
        let years = [2021, 2022].map(|y| pdca_core::FiscalYear::new(y).unwrap());
        let all = RoundView::load_all(&store, "medical-rd-2", &years)
            .await
            .unwrap();
        assert_eq!(all.len(), 2);
        for (view, fy) in all.iter().zip(years) {
            let alone = RoundView::load(&store, "medical-rd-2", fy).await.unwrap();
            assert_eq!(round_json(view), round_json(&alone), "{fy:?}");
        }
        assert!(!all[1].previous_clauses.is_empty());
        assert!(
            all.iter().all(|v| !v.meetings.is_empty()),
            "each round has its own meetings"
        );
        assert_ne!(round_json(&all[0]), round_json(&all[1]));
        store.close().await;
    });
}

#[test]
fn a_collection_workbook_is_written_and_an_unfilled_one_imports_nothing() {
    let pdca = Pdca::sqlite();
    pdca.ok(&["demo"]);
    let out = pdca.ok(&[
        "template",
        "--body",
        "amed",
        "--fy",
        "R6",
        "-o",
        "amed.xlsx",
    ]);
    assert!(out.contains("令和6年度報告様式"), "{out}");
    let bytes = std::fs::read(pdca.path("amed.xlsx")).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    assert!(
        pdca.fails(&[
            "template", "--body", "nowhere", "--fy", "2024", "-o", "x.xlsx"
        ])
        .contains("amed")
    );
    assert!(
        pdca.fails(&["template", "--body", "amed", "--fy", "2030", "-o", "x.xlsx"])
            .contains("期間")
    );
    // Unfilled, it is refused cell by cell, and nothing is recorded.
    let before = pdca.ok(&["actuals", "export", "--format", "csv"]);
    let refused = pdca.fails(&["actuals", "import", "amed.xlsx", "--draft"]);
    assert!(refused.contains("実績"), "{refused}");
    assert!(
        refused.contains("2行目, J列「実績」"),
        "the cell is named: {refused}"
    );
    assert_eq!(pdca.ok(&["actuals", "export", "--format", "csv"]), before);
}

#[test]
fn open_data_publishes_only_closed_rounds() {
    let pdca = Pdca::sqlite();
    pdca.ok(&["demo"]);
    pdca.ok(&["publish", "-o", "open"]);
    let csv = std::fs::read_to_string(pdca.path("open/actuals.csv")).unwrap();
    assert!(csv.starts_with("\u{feff}plan_id,project_id,indicator_id,indicator_name,fiscal_year"));
    // The demo's closed round is FY2021: its locked values are public, FY2022's are not.
    assert!(csv.contains(",2021,令和3年度,amed,"), "{csv}");
    assert!(!csv.contains(",2022,"), "FY2022's round is not closed");
    let ratings: Value =
        serde_json::from_str(&std::fs::read_to_string(pdca.path("open/ratings.json")).unwrap())
            .unwrap();
    assert_eq!(ratings["version"], 1);
    let rows = ratings["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 37);
    assert!(rows.iter().all(|r| r["fiscal_year"] == 2021));
    assert!(
        rows.iter()
            .any(|r| r["rating"] == "B" && r["issue"].is_string())
    );
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(pdca.path("open/plan.json")).unwrap())
            .unwrap();
    assert_eq!(plan["id"], "medical-rd-2");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(pdca.path("open/actuals.json")).unwrap())
            .unwrap();
    let lines = csv.lines().count() - 1;
    assert_eq!(json["rows"].as_array().unwrap().len(), lines);
}

#[test]
fn export_and_import_move_a_database_between_sqlite_and_postgres() {
    let source = Pdca::sqlite();
    source.ok(&["demo"]);
    let first = source.path("dump");
    let first_arg = first.display().to_string();
    let out = source.ok(&["export", "-o", &first_arg]);
    assert!(out.contains("書き出しました"), "{out}");
    assert!(out.contains("actual_revisions"), "{out}");
    assert!(out.contains("セッション"), "{out}");
    let again = source.fails(&["export", "-o", &first_arg]);
    assert!(again.contains("空ではありません"), "{again}");

    // Into PostgreSQL, out again, into a new SQLite file, out again: the same files.
    let postgres = Pdca::postgres();
    let out = postgres.ok(&["import", &first_arg]);
    assert!(out.contains("読み込みました"), "{out}");
    let second = postgres.path("dump");
    postgres.ok(&["export", "-o", &second.display().to_string()]);
    let sqlite = Pdca::sqlite();
    sqlite.ok(&["import", &second.display().to_string()]);
    let third = sqlite.path("dump");
    sqlite.ok(&["export", "-o", &third.display().to_string()]);
    let files = dir_files(&first).unwrap();
    assert!(files.iter().any(|(name, _)| name == "manifest.json"));
    assert!(
        files
            .iter()
            .any(|(name, _)| name == "follow_up_rounds.jsonl")
    );
    assert!(
        dir_files(&second).unwrap() == files,
        "PostgreSQL's export differs"
    );
    assert!(
        dir_files(&third).unwrap() == files,
        "SQLite's export differs"
    );

    // The copy answers as the original does.
    for args in [
        &["evaluate", "--as-of", "2022"][..],
        &["round", "list", "--format", "json"][..],
        &["user", "list"][..],
    ] {
        assert_eq!(sqlite.ok(args), source.ok(args), "{args:?}");
    }

    // Only into an empty database.
    let refused = source.fails(&["import", &first_arg]);
    assert!(
        refused.contains("空ではありません") && refused.contains("plan_versions"),
        "{refused}"
    );
}

/// The text of a PDF as `pdftotext -raw` extracts it, without white space (names wrap in cells).
fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-raw")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs (Debian's poppler-utils; scripts/test installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[test]
fn the_demo_rounds_pdf_holds_every_indicator_name_and_figure() {
    let pdca = Pdca::sqlite();
    pdca.ok(&["demo"]);
    pdca.ok(&[
        "report", "--round", "2021", "--format", "pdf", "-o", "demo.pdf",
    ]);
    let text = pdf_text(&pdca.path("demo.pdf"));
    // The Markdown report of the same round gives each numeric indicator's row.
    let md = pdca.ok(&["report", "--round", "2021", "--format", "md"]);
    let rows: Vec<Vec<String>> = md
        .lines()
        .filter(|l| l.starts_with("| p"))
        .map(|l| {
            l.split(" | ")
                .map(|c| c.trim_matches(['|', ' ']).to_owned())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 37, "every numeric indicator of the demo round");
    for row in &rows {
        let (id, name, figure) = (&row[0], &row[1], &row[row.len() - 5]);
        let name: String = name.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(text.contains(&name), "{id} {name} is not in the PDF");
        assert!(
            text.contains(figure.as_str()),
            "{id}'s figure {figure} is not in the PDF"
        );
    }
    for title in ["(デモ)企業導出の加速", "(デモ)第1項", "令和3年度"] {
        assert!(text.contains(title), "{title}");
    }
}

/// Issue 11, item 13: the CLI refuses blank, one-character, name-equal and easily guessed
/// passwords with the reason, for `user add` and `user reset-password` alike (the same rule as
/// the web form's), and accepts a strong one.
#[test]
fn weak_passwords_are_refused_by_the_cli_with_the_reason() {
    let pdca = Pdca::sqlite();
    for (password, reason) in [
        ("            ", "空"),
        ("", "空"),
        ("aaaaaaaaaaaa", "同じ文字を繰り返した"),
        ("kanri-tanto-01", "ユーザー名と同じ"),
        ("password1234", "推測されやすい"),
        ("abcdefghijkl", "推測されやすい"),
    ] {
        let out = pdca.run_with_input(
            &[
                "user",
                "add",
                "kanri-tanto-01",
                "--role",
                "viewer",
                "--password-stdin",
            ],
            &format!("{password}\n"),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{password:?} was accepted");
        assert!(stderr.contains(reason), "{password:?}: {stderr}");
    }
    assert!(!pdca.ok(&["user", "list"]).contains("kanri-tanto-01"));
    let out = pdca.run_with_input(
        &[
            "user",
            "add",
            "kanri-tanto-01",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "correct horse battery staple\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = pdca.run_with_input(
        &[
            "user",
            "reset-password",
            "kanri-tanto-01",
            "--password-stdin",
        ],
        "aaaaaaaaaaaa\n",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("同じ文字を繰り返した"));
    let out = pdca.run_with_input(
        &[
            "user",
            "reset-password",
            "kanri-tanto-01",
            "--password-stdin",
        ],
        "violet-harbour-lantern-quietly\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// (issue 11) `pdca user reset-password` revokes every API token of the user and ends their
/// sessions, and says so: tokens created before the reset are refused by a running server.
#[test]
fn a_password_reset_revokes_the_users_tokens_and_sessions() {
    use std::io::BufRead;
    let pdca = Pdca::sqlite();
    let password = "violet-harbour-lantern-quietly";
    let out = pdca.run_with_input(
        &[
            "user",
            "add",
            "reader",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        &format!("{password}\n"),
    );
    assert!(out.status.success());
    let tokens = [
        pdca.ok(&["token", "create", "reader"]),
        pdca.ok(&["token", "create", "reader"]),
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_pdca"))
        .args(["--db", &pdca.db, "serve", "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let port: u16 = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            break rest.split('/').next().unwrap().parse().unwrap();
        }
    };
    for token in &tokens {
        assert_eq!(http_get(port, "/api/v1/plans", Some(token.trim())).0, 200);
    }
    let session = sign_in(port, "reader", password);
    let dashboard = format!("GET / HTTP/1.0\r\nCookie: pdca_session={session}\r\n");
    assert_eq!(http(port, &dashboard, "").0, 200);

    let out = pdca.ok(&["user", "reset-password", "reader"]);
    assert!(out.contains("API トークン2件を失効させました"), "{out}");
    assert!(out.contains("初回パスワード"), "{out}");
    for token in &tokens {
        assert_eq!(
            http_get(port, "/api/v1/plans", Some(token.trim())).0,
            401,
            "a token outlived the reset"
        );
    }
    let (status, head, _) = http(port, &dashboard, "");
    assert_eq!(status, 303, "{head}");

    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// Issue 11, item 1: a 6 KB workbook with one value at XFD1048576 used to make the reader ask
/// for a 512 GiB grid and abort the process. It is refused with the sheet and the cell, the
/// command exits with 1 (not a signal), and nothing is recorded.
#[test]
fn actuals_import_refuses_a_sparse_workbook_without_aborting() {
    let pdca = Pdca::sqlite();
    pdca.write(
        "sparse.xlsx",
        pdca_interchange::testing::sparse_workbook(true),
    );
    let before = pdca.ok(&["actuals", "export", "--format", "csv"]);
    let out = pdca.run(&["actuals", "import", "sparse.xlsx"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("sparse.xlsx: シート「実績」のセル XFD1048576 に値「x」があります"),
        "{stderr}"
    );
    assert!(stderr.contains("何も取り込みませんでした"), "{stderr}");
    assert_eq!(pdca.ok(&["actuals", "export", "--format", "csv"]), before);
}

// ---------------------------------------------------------------------------------------------
// Issue 11, items 8, 11 and 15: hostile values, formula guards, empty files, closed pipes and
// boolean environment variables.

/// Issue 11, item 11: names from the plan file that a spreadsheet would run as formulas are
/// written with a leading apostrophe by `evaluate --format csv`, as by every CSV writer.
#[test]
fn evaluate_csv_guards_names_against_formulas() {
    let pdca = Pdca::sqlite();
    let plan = SMALL_PLAN
        .replacen(
            "name = \"件数の指標\"",
            "name = '=HYPERLINK(\"http://x\")'",
            1,
        )
        .replacen("name = \"割合の指標\"", "name = '@SUM(1)'", 1)
        .replacen("name = \"二機関の指標\"", "name = '+81'", 1)
        .replacen("name = \"うち内数\"", "name = '-1'", 1);
    let file = pdca.write("formula.toml", plan);
    pdca.ok(&["plan", "import", file.to_str().unwrap()]);
    let csv = pdca.ok(&[
        "evaluate", "--plan", "small", "--as-of", "2022", "--format", "csv",
    ]);
    for guarded in [
        ",\"'=HYPERLINK(\"\"http://x\"\")\",",
        ",'@SUM(1),",
        ",'+81,",
        ",'-1,",
    ] {
        assert!(csv.contains(guarded), "{guarded} not in\n{csv}");
    }
    for raw in [",=HYPERLINK", ",\"=HYPERLINK", ",@SUM", ",+81", ",-1,"] {
        assert!(!csv.contains(raw), "{raw} in\n{csv}");
    }
}

/// Issue 11, item 15: a file with a header and no data is an error naming the file (the web
/// upload said 422 while the CLI said "0 rows" and exited 0).
#[test]
fn a_header_only_csv_is_refused_naming_the_file() {
    let pdca = Pdca::sqlite();
    with_small_plan(&pdca);
    for (name, csv) in [
        ("header-only.csv", HEADER.to_owned()),
        ("blank-rows.csv", format!("{HEADER},,,,,,,\n\n")),
    ] {
        let out = import_csv(&pdca, name, &csv);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains(name), "{stderr}");
        assert!(stderr.contains("何も取り込みませんでした"), "{stderr}");
    }
}

/// Issue 11, item 15: `pdca … | head -1` used to panic on the closed pipe. The reader goes away
/// after the first line of an output larger than a pipe's buffer; pdca ends quietly.
#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    use std::io::BufRead;
    let pdca = Pdca::sqlite();
    let mut plan = String::from(
        "[plan]\nid = \"big\"\nname = \"大きな計画\"\nstart_fy = 2020\nend_fy = 2024\n\
         default_bodies = [\"amed\"]\n\n[[bodies]]\nid = \"amed\"\nname = \"機構\"\n\n\
         [[projects]]\nid = \"p\"\nname = \"プロジェクト\"\n",
    );
    for n in 0..600 {
        plan.push_str(&format!(
            "\n[[projects.indicators]]\nid = \"i{n}\"\nname = \"出力を大きくするための指標 その{n}\"\n\
             kind = \"output\"\ngroup = \"指標群\"\nmeasure = \"count\"\ntarget = {{ value = 10 }}\n"
        ));
    }
    let file = pdca.write("big.toml", plan);
    pdca.ok(&["plan", "import", file.to_str().unwrap()]);
    assert!(
        pdca.ok(&["plan", "export", "big", "--format", "json"])
            .len()
            > 256 * 1024
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_pdca"))
        .args([
            "--db", &pdca.db, "plan", "export", "big", "--format", "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first.trim(), "{");
    // The reader is dropped here, like `head -1` exiting.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
}

/// Issue 11, item 15: `PDCA_SECURE_COOKIES=1` was refused by the argument parser (only
/// `true`/`false` were accepted). `serve` starts with each usual spelling.
#[test]
fn secure_cookies_take_the_usual_boolean_spellings() {
    use std::io::BufRead;
    let pdca = Pdca::sqlite();
    pdca.ok(&["plan", "list"]);
    for value in ["1", "yes", "0", "false"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pdca"))
            .args(["--db", &pdca.db, "serve", "--addr", "127.0.0.1:0"])
            .env("PDCA_SECURE_COOKIES", value)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let listening = lines
            .map_while(Result::ok)
            .any(|line| line.contains("http://127.0.0.1:"));
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let out = child.wait_with_output().unwrap();
        assert!(
            listening,
            "PDCA_SECURE_COOKIES={value}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Issue 11, item 7: the header-read timeout and the connection bound are set from the command
/// line: an idle connection is closed after `--header-timeout` seconds, and values out of range
/// are refused before anything is served.
#[test]
fn serve_takes_the_header_timeout_and_the_connection_bound() {
    use std::io::{BufRead, Read};
    let pdca = Pdca::sqlite();
    pdca.ok(&["plan", "list"]);
    for bad in [
        ["--header-timeout", "0"],
        ["--max-connections", "0"],
        ["--header-timeout", "x"],
    ] {
        let out = pdca.run(&[&["serve", "--addr", "127.0.0.1:0"][..], &bad[..]].concat());
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_pdca"))
        .args(["--db", &pdca.db, "serve", "--addr", "127.0.0.1:0"])
        .args(["--header-timeout", "1", "--max-connections", "4"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let port: u16 = lines
        .map_while(Result::ok)
        .find_map(|line| {
            let rest = line.split("http://127.0.0.1:").nth(1)?;
            rest.split('/').next()?.parse().ok()
        })
        .expect("serve printed its address");
    let mut idle = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    idle.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let started = std::time::Instant::now();
    let mut buffer = [0u8; 64];
    // The server closes the connection (end of stream, or a reset) instead of waiting for it.
    let read = idle.read(&mut buffer);
    let waited = started.elapsed();
    let (status, _) = http_get(port, "/healthz", None);
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    assert!(
        matches!(read, Ok(0) | Err(_)) && waited < std::time::Duration::from_secs(5),
        "an idle connection was kept {waited:?}: {read:?}"
    );
    assert!(
        waited >= std::time::Duration::from_millis(900),
        "closed after {waited:?}, before the timeout"
    );
    assert_eq!(status, 200);
}

/// Issue 11, item 8: a NUL in a text of an export directory (PostgreSQL cannot store it) and a
/// row the database refuses are reported with the file, the line and the key, and nothing is
/// imported.
#[test]
fn import_into_postgres_names_the_file_line_and_key_of_a_refused_value() {
    let source = Pdca::sqlite();
    with_small_plan(&source);
    let out = import_csv(
        &source,
        "notes.csv",
        &format!("{HEADER}t-1,2021,3,,,amed,,\nt-1,2022,4,,,amed,備考あり,\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dump = source.path("dump");
    source.ok(&["export", "-o", &dump.display().to_string()]);
    let file = dump.join("actual_revisions.jsonl");
    let original = std::fs::read_to_string(&file).unwrap();
    let line_of = |needle: &str| {
        original
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
            .unwrap_or_else(|| panic!("no {needle} in\n{original}"))
    };

    let target = Pdca::postgres();
    let nul = line_of("備考あり");
    std::fs::write(&file, original.replace("備考あり", "備考\\u0000あり")).unwrap();
    let refused = target.fails(&["import", &dump.display().to_string()]);
    assert!(
        refused.contains(&format!("actual_revisions.jsonl の {nul} 行目「note」")),
        "{refused}"
    );
    assert!(refused.contains("NUL"), "{refused}");
    assert!(!refused.contains("invalid byte sequence"), "{refused}");

    // A value the database's own rules refuse (a fiscal year out of its range).
    let year = line_of("\"fiscal_year\":2021");
    std::fs::write(
        &file,
        original.replace("\"fiscal_year\":2021", "\"fiscal_year\":3021"),
    )
    .unwrap();
    let refused = target.fails(&["import", &dump.display().to_string()]);
    assert!(
        refused.contains(&format!("actual_revisions.jsonl の {year} 行目")),
        "{refused}"
    );
    assert!(refused.contains("fiscal_year"), "{refused}");
    // Nothing went in: the fixed directory imports.
    std::fs::write(&file, &original).unwrap();
    target.ok(&["import", &dump.display().to_string()]);
}

/// Issue 13, item 5: `pdca serve --config FILE` — the file's settings stand under the `PDCA_…`
/// environment variables, which stand under the flags; unknown keys and values out of range are
/// refused naming the file and the key; the database password is never printed.
#[test]
fn serve_reads_a_configuration_file_under_the_environment_and_the_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pdca.toml");
    std::fs::write(
        &file,
        "database = \"postgres://pdca:s3cret@127.0.0.1:5432/pdca\"\n\
         addr = \"0.0.0.0:9090\"\nheader_timeout = 7\nmax_connections = 64\n\
         session_idle_minutes = 15\nlog_format = \"json\"\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let config = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pdca"));
        command
            .env_remove("PDCA_DB")
            .env_remove("PDCA_HEADER_TIMEOUT")
            .env_remove("PDCA_ADDR")
            .args(args);
        for (k, v) in env {
            command.env(k, v);
        }
        command.output().unwrap()
    };
    let out = config(&["serve", "--config", file, "--print-config"], &[]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("database = \"postgres://pdca:***@127.0.0.1:5432/pdca\""),
        "{text}"
    );
    assert!(!text.contains("s3cret"), "{text}");
    assert!(text.contains("addr = \"0.0.0.0:9090\""), "{text}");
    assert!(text.contains("header_timeout = 7"), "{text}");
    assert!(text.contains("max_connections = 64"), "{text}");
    assert!(text.contains("session_idle_minutes = 15"), "{text}");
    assert!(
        text.contains("session_hours = 12"),
        "the default stays: {text}"
    );
    assert!(text.contains("log_format = \"json\""), "{text}");

    // The environment over the file, the flags over both.
    let out = config(
        &[
            "serve",
            "--config",
            file,
            "--print-config",
            "--addr",
            "127.0.0.1:1",
        ],
        &[
            ("PDCA_HEADER_TIMEOUT", "9"),
            ("PDCA_ADDR", "127.0.0.1:2"),
            ("PDCA_DB", "env.sqlite3"),
        ],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("header_timeout = 9"), "{text}");
    assert!(text.contains("addr = \"127.0.0.1:1\""), "{text}");
    assert!(text.contains("database = \"env.sqlite3\""), "{text}");
    let out = config(
        &[
            "--db",
            "flag.sqlite3",
            "serve",
            "--config",
            file,
            "--print-config",
        ],
        &[],
    );
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("database = \"flag.sqlite3\"")
    );

    // Refusals name the file and the key.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "header_timeout = 0\n").unwrap();
    let out = config(
        &["serve", "--config", bad.to_str().unwrap(), "--print-config"],
        &[],
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("bad.toml") && err.contains("header_timeout"),
        "{err}"
    );
    std::fs::write(&bad, "listen = \"0.0.0.0:80\"\n").unwrap();
    let out = config(
        &["serve", "--config", bad.to_str().unwrap(), "--print-config"],
        &[],
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("bad.toml") && err.contains("listen"), "{err}");
    let out = config(
        &["serve", "--config", "/no/such/pdca.toml", "--print-config"],
        &[],
    );
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("/no/such/pdca.toml")
    );
}

/// Issue 13, item 5: the long commands show their steps only on a terminal; in a pipe (as here)
/// standard error stays empty and standard output is the report alone.
#[test]
fn long_commands_stay_quiet_in_a_pipe() {
    let pdca = Pdca::sqlite();
    pdca.ok(&["demo"]);
    let dir = pdca.path("dump");
    let out = pdca.run(&["export", "--output", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.is_empty(), "{err:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}') && !text.contains("読んでいます"),
        "{text}"
    );
    let csv = pdca.write("one.csv", format!("{HEADER}p1-out-01,2024,3,,,amed,,\n"));
    let out = pdca.run(&["actuals", "import", csv.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8(out.stderr).unwrap().is_empty());
    let published = pdca.path("open");
    let out = pdca.run(&["publish", "--output", published.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8(out.stderr).unwrap().is_empty());
}

/// Starts `pdca serve` on `pdca`'s database, on a port of its own; returns the process and
/// the port (once it listens: it prints its address then).
fn serve(pdca: &Pdca) -> (std::process::Child, u16) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_pdca"))
        .args(["--db", &pdca.db, "serve", "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let port = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            break rest.split('/').next().unwrap().parse().unwrap();
        }
    };
    // Keeps reading what it prints, so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, port)
}

/// Stops a server started by [`serve`] as a service manager would, and checks it exits 0.
fn stop(mut child: std::process::Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
}

/// A JSON POST with a bearer token; status code and body.
fn post_json(port: u16, path: &str, token: &str, body: &Value) -> (u16, String) {
    let (status, _, body) = http(
        port,
        &format!(
            "POST {path} HTTP/1.0\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\n"
        ),
        &body.to_string(),
    );
    (status, body)
}

/// How long after a change another process may still answer as before (docs/reliability.md).
const COHERENCE_BOUND: Duration = Duration::from_millis(100);

/// How long it took until `seen` held, asked every 2 ms from now; panics after 5 s.
fn time_until(what: &str, mut seen: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    loop {
        if seen() {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{what}: not seen after 5 s"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn two_servers_on_one_sqlite_file_see_each_others_changes() {
    two_servers_see_each_others_changes(&Pdca::sqlite());
}

#[test]
fn two_servers_on_one_postgres_database_see_each_others_changes() {
    two_servers_see_each_others_changes(&Pdca::postgres());
}

/// Two `serve` processes on one database (each keeps sessions, tokens, users and evaluations in
/// memory while nothing changes): a value approved through one, a session ended through one and
/// a user disabled by the CLI are seen by the other within [`COHERENCE_BOUND`], and through the
/// process that wrote at once.
fn two_servers_see_each_others_changes(pdca: &Pdca) {
    pdca.ok(&["demo"]);
    let password = "violet-harbour-lantern-quietly\n";
    for (name, role) in [("sec", "secretariat"), ("reader", "viewer")] {
        let out = pdca.run_with_input(
            &["user", "add", name, "--role", role, "--password-stdin"],
            password,
        );
        assert!(out.status.success(), "{out:?}");
    }
    let token = pdca.ok(&["token", "create", "sec"]).trim().to_owned();
    let (a, port_a) = serve(pdca);
    let (b, port_b) = serve(pdca);
    let mut took = Vec::new();

    // 1. A value approved through B.
    let evaluations = "/api/v1/evaluations?as_of=2022";
    let read = |port| {
        let (status, body) = http_get(port, evaluations, Some(&token));
        assert_eq!(status, 200, "{body}");
        body
    };
    let before = read(port_a);
    assert_eq!(read(port_a), before, "kept while nothing changes");
    assert_eq!(read(port_b), before);
    let export = pdca.json(&["plan", "export", "--format", "json"]);
    let indicator = export["projects"][0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["measure"] == "count")
        .expect("a count indicator")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = export["bodies"][0]["id"].as_str().unwrap().to_owned();
    let (status, listed) = http_get(
        port_b,
        &format!("/api/v1/actuals?indicator={indicator}"),
        Some(&token),
    );
    assert_eq!(status, 200, "{listed}");
    let listed: Value = serde_json::from_str(&listed).unwrap();
    let version = listed
        .as_array()
        .or_else(|| listed["actuals"].as_array())
        .unwrap()
        .iter()
        .find(|a| a["fiscal_year"] == 2022 && a["body"] == body.as_str())
        .map(|a| a["version"].clone())
        .unwrap_or(Value::Null);
    let value = serde_json::json!({
        "indicator_id": indicator, "fiscal_year": 2022, "body": body,
        "value": 987654, "version": version,
    });
    let (status, written) = post_json(port_b, "/api/v1/actuals", &token, &value);
    assert_eq!(status, 201, "{written}");
    let version = serde_json::from_str::<Value>(&written).unwrap()["version"].clone();
    let named = serde_json::json!({
        "indicator_id": indicator, "fiscal_year": 2022, "body": body, "version": version,
    });
    let (status, submitted) = post_json(port_b, "/api/v1/actuals/submit", &token, &named);
    assert_eq!(status, 200, "{submitted}");
    let mut named = named;
    named["version"] = serde_json::from_str::<Value>(&submitted).unwrap()["version"].clone();
    let (status, approved) = post_json(port_b, "/api/v1/actuals/approve", &token, &named);
    assert_eq!(status, 200, "{approved}");
    let after = read(port_b);
    assert_ne!(
        after, before,
        "the writing process answers with the write at once"
    );
    let evaluated: Value = serde_json::from_str(&after).unwrap();
    let figures = evaluation(&evaluated, &indicator);
    assert!(
        figures["cumulative"].as_f64().unwrap() >= 987_654.0,
        "{figures}"
    );
    took.push(time_until("the approved value through A", || {
        read(port_a) == after
    }));

    // 2. A session ended through B.
    let session = sign_in(port_a, "reader", password.trim());
    let dashboard = format!("GET / HTTP/1.0\r\nCookie: pdca_session={session}\r\n");
    let mut csrf = String::new();
    for port in [port_a, port_b, port_a, port_b] {
        let (status, head, page) = http(port, &dashboard, "");
        assert_eq!(status, 200, "{head}");
        csrf = page
            .split(r#"name="csrf" value=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
    }
    let (status, head, _) = http(
        port_b,
        &format!(
            "POST /signout HTTP/1.0\r\nCookie: pdca_session={session}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n"
        ),
        &format!("csrf={csrf}"),
    );
    assert_eq!(status, 303, "{head}");
    assert_eq!(http(port_b, &dashboard, "").0, 303, "ended at once in B");
    took.push(time_until("the session ended through B, in A", || {
        http(port_a, &dashboard, "").0 == 303
    }));

    // 3. A user disabled by another process (the CLI): its token is refused by both.
    assert_eq!(http_get(port_a, evaluations, Some(&token)).0, 200);
    pdca.ok(&["user", "disable", "sec"]);
    for port in [port_a, port_b] {
        took.push(time_until("the disabled user's token", || {
            http_get(port, evaluations, Some(&token)).0 == 401
        }));
    }

    stop(a);
    stop(b);
    eprintln!("seen by the other process after {took:?}");
    for t in &took {
        assert!(*t <= COHERENCE_BOUND, "{took:?}");
    }
}

#[test]
fn plan_draft_turns_an_annex_into_a_plan_file_and_says_what_it_did_not_read() {
    let pdca = Pdca::sqlite();
    let annex = pdca.write(
        "annex.txt",
        include_str!("../../pdca-core/tests/data/seed_annex_2.txt"),
    );
    let draft = pdca.path("draft.toml");
    let out = pdca.run(&[
        "plan",
        "draft",
        &annex.display().to_string(),
        "--id",
        "medical-rd-2-draft",
        "--name",
        "第2期医療分野研究開発推進計画",
        "--start-fy",
        "2020",
        "--end-fy",
        "令和6年度",
        "-o",
        &draft.display().to_string(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("annex.txt:1: 使わなかった行"), "{stderr}");
    assert!(stderr.contains("指標53件"), "{stderr}");
    let toml = std::fs::read_to_string(&draft).unwrap();
    assert!(toml.contains("# 元の行"), "{toml}");
    let validated = pdca.ok(&["plan", "validate", &draft.display().to_string()]);
    assert!(validated.contains("指標53件"), "{validated}");
    // Imported beside the built-in plan, it evaluates like it.
    pdca.ok(&["plan", "import", &draft.display().to_string()]);
    let exported = pdca.json(&["plan", "export", "medical-rd-2-draft", "--format", "json"]);
    let builtin = pdca.json(&["plan", "export", "medical-rd-2", "--format", "json"]);
    let names = |plan: &Value| {
        plan["projects"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["indicators"].as_array().unwrap())
            .map(|i| (i["id"].clone(), i["name"].clone(), i["target"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&exported), names(&builtin));

    // A line it does not understand: exit 2, named by line, and the file is still written.
    let odd = pdca.write(
        "odd.txt",
        "① 医薬品プロジェクト\n＜アウトプット＞\n○シーズ研究に関する指標\n・非臨床POCの取得件数 25件\n謎の一行\n",
    );
    let odd_draft = pdca.path("odd.toml");
    let out = pdca.run(&[
        "plan",
        "draft",
        &odd.display().to_string(),
        "--id",
        "odd",
        "--name",
        "試し",
        "--start-fy",
        "2025",
        "--end-fy",
        "2029",
        "-o",
        &odd_draft.display().to_string(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("odd.txt:5"), "{stderr}");
    assert!(
        std::fs::read_to_string(&odd_draft)
            .unwrap()
            .contains("# 要確認"),
        "the draft is written with its review marks"
    );

    // Not text: refused with the file named, nothing written.
    let binary = pdca.write("annex.pdf", b"%PDF-1.7\n\xff\xfe\x00garbage");
    let refused = pdca.fails(&[
        "plan",
        "draft",
        &binary.display().to_string(),
        "--id",
        "x",
        "--name",
        "x",
        "--start-fy",
        "2025",
        "--end-fy",
        "2029",
    ]);
    assert!(
        refused.contains("annex.pdf は UTF-8 のテキストではありません"),
        "{refused}"
    );
}

/// The built-in plan as revision 2 (effective FY2022): p1-out-01's target raised from 25 to
/// 30, p1-out-02 renamed, p1-out-03 removed and p1-out-09 added after p1-out-04.
fn builtin_revision_2() -> String {
    let builtin = include_str!("../../pdca-core/plans/medical-rd-2.toml");
    let edits = [
        ("revision = 1\n", "revision = 2\neffective_from = 2022\n"),
        (
            "id = \"p1-out-01\"\nname = \"非臨床POCの取得件数\"\nkind = \"output\"\ngroup = \"シーズ研究に関する指標\"\nmeasure = \"count\"\ntarget = { value = 25, unit = \"件\" }",
            "id = \"p1-out-01\"\nname = \"非臨床POCの取得件数\"\nkind = \"output\"\ngroup = \"シーズ研究に関する指標\"\nmeasure = \"count\"\ntarget = { value = 30, unit = \"件\" }",
        ),
        (
            "id = \"p1-out-02\"\nname = \"創薬支援ネットワークの活動による有望創薬シーズの企業導出件数\"",
            "id = \"p1-out-02\"\nname = \"有望創薬シーズの企業導出件数\"",
        ),
        (
            "[[projects.indicators]]\nid = \"p1-out-03\"\nname = \"臨床POCの取得件数\"\nkind = \"output\"\ngroup = \"実用化に関する指標\"\nmeasure = \"count\"\ntarget = { value = 5, unit = \"件\" }\n",
            "",
        ),
        (
            "target = { value = 75, unit = \"%\" }\n",
            "target = { value = 75, unit = \"%\" }\n\n[[projects.indicators]]\nid = \"p1-out-09\"\nname = \"創薬研究の新しい指標\"\nkind = \"output\"\ngroup = \"実用化に関する指標\"\nmeasure = \"count\"\ntarget = { value = 3, unit = \"件\" }\n",
        ),
    ];
    let mut text = builtin.to_owned();
    for (from, to) in edits {
        assert_eq!(text.matches(from).count(), 1, "{from}");
        text = text.replacen(from, to, 1);
    }
    text
}

#[test]
fn plan_diff_lists_each_change_of_a_revision_in_the_plans_order() {
    let pdca = Pdca::sqlite();
    let file = pdca.write("medical-rd-2-r2.toml", builtin_revision_2());
    pdca.ok(&["plan", "import", file.to_str().unwrap()]);

    let table = pdca.ok(&["plan", "diff", "--from", "1", "--to", "2"]);
    let expected = [
        "目標変更  p1-out-01  医薬品プロジェクト  非臨床POCの取得件数  25件 → 30件",
        "名称変更  p1-out-02  医薬品プロジェクト  創薬支援ネットワークの活動による有望創薬シーズの企業導出件数 → 有望創薬シーズの企業導出件数",
        "削除  p1-out-03  医薬品プロジェクト  臨床POCの取得件数  目標 5件",
        "追加  p1-out-09  医薬品プロジェクト  創薬研究の新しい指標  目標 3件",
    ];
    let lines: Vec<&str> = table.lines().collect();
    let at: Vec<usize> = expected
        .iter()
        .map(|e| {
            lines
                .iter()
                .position(|l| l == e)
                .unwrap_or_else(|| panic!("no line {e} in\n{table}"))
        })
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "in the plan's order:\n{table}"
    );
    assert!(table.contains("第1版 → 第2版"), "{table}");
    assert!(
        table.contains("適用開始年度: 令和2年度 → 令和4年度"),
        "{table}"
    );
    assert_eq!(
        lines.len(),
        2 + expected.len(),
        "nothing else changed:\n{table}"
    );
    // By default the previous revision against the current one.
    assert_eq!(pdca.ok(&["plan", "diff", "medical-rd-2"]), table);

    let json = pdca.json(&[
        "plan", "diff", "--from", "1", "--to", "2", "--format", "json",
    ]);
    assert_eq!(
        (json["from"].as_u64(), json["to"].as_u64()),
        (Some(1), Some(2))
    );
    let changes = json["changes"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = changes
        .iter()
        .map(|c| (c["change"].as_str().unwrap(), c["id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("target_changed", "p1-out-01"),
            ("renamed", "p1-out-02"),
            ("removed", "p1-out-03"),
            ("added", "p1-out-09"),
        ]
    );
    assert_eq!(changes[0]["before"], "25件");
    assert_eq!(changes[0]["after"], "30件");
    assert_eq!(changes[1]["after"], "有望創薬シーズの企業導出件数");
    assert_eq!(changes[3]["project_name"], "医薬品プロジェクト");
    assert_eq!(json["header"][0]["field"], "effective_from");

    let same = pdca.ok(&["plan", "diff", "--from", "2", "--to", "2"]);
    assert!(same.ends_with("変更はありません\n"), "{same}");
    let out = pdca.run(&["plan", "diff", "--from", "1", "--to", "9"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("計画「medical-rd-2」の第9版が見つかりません"),
        "{stderr}"
    );
}

/// The plan workbook of `pdca plan export --format xlsx`, read back as the plan it holds.
fn exported_plan_workbook(pdca: &Pdca) -> pdca_core::Plan {
    pdca.ok(&["plan", "export", "--format", "xlsx", "-o", "plan.xlsx"]);
    let bytes = std::fs::read(pdca.path("plan.xlsx")).unwrap();
    pdca_interchange::plan_workbook::import_plan_workbook("plan.xlsx", &bytes)
        .unwrap()
        .plan
}

#[test]
fn a_plan_workbook_exports_and_imports_as_a_new_revision() {
    let pdca = Pdca::sqlite();
    let current = exported_plan_workbook(&pdca);
    assert_eq!(current.id, "medical-rd-2");

    // Without -o the workbook goes to standard output when that is not a terminal (here a pipe).
    let out = pdca.run(&["plan", "export", "--format", "xlsx"]);
    assert!(out.status.success());
    assert!(out.stdout.starts_with(b"PK"), "not a zip archive");

    // The secretariat raises one target in the workbook and imports it as the next revision.
    let mut revised = current.clone();
    revised.revision += 1;
    revised.revision_note = Some("一部変更: 非臨床POCの取得件数を40件に".into());
    revised.effective_from = revised.period.end;
    let poc = revised.indicator_mut("p1-out-01").unwrap();
    poc.target = Some(pdca_core::plan::Target::Cumulative {
        value: 40.0,
        comparator: pdca_core::plan::Comparator::Reach,
    });
    let bytes = pdca_interchange::plan_workbook::export_plan_workbook(&revised).unwrap();
    let file = pdca.write("revised.xlsx", bytes);
    let file = file.to_str().unwrap();
    let valid = pdca.ok(&["plan", "validate", file]);
    assert!(valid.contains(": OK（計画「medical-rd-2」"), "{valid}");
    let imported = pdca.ok(&["plan", "import", file]);
    assert!(
        imported.contains("新しい版として取り込みました"),
        "{imported}"
    );

    let show = pdca.ok(&["plan", "show"]);
    assert!(
        show.contains("p1-out-01  非臨床POCの取得件数  40件"),
        "{show}"
    );
    let history = pdca.ok(&["plan", "history"]);
    assert!(
        history.contains("一部変更: 非臨床POCの取得件数を40件に"),
        "{history}"
    );
    // What the store keeps reads back as the plan imported.
    assert_eq!(exported_plan_workbook(&pdca), revised);
}

#[test]
fn a_plan_workbook_with_a_bad_cell_is_refused_naming_sheet_row_and_column() {
    let pdca = Pdca::sqlite();
    let mut plan = exported_plan_workbook(&pdca);
    plan.revision += 1;
    // p1-out-04 (row 5 of 指標) is a ratio: 120 % cannot be a target.
    let ratio = plan.indicator_mut("p1-out-04").unwrap();
    ratio.target = Some(pdca_core::plan::Target::Ratio {
        value: 120.0,
        comparator: pdca_core::plan::Comparator::Reach,
    });
    let bytes = pdca_interchange::plan_workbook::export_plan_workbook(&plan).unwrap();
    let file = pdca.write("bad.xlsx", bytes);
    let file = file.to_str().unwrap();
    for command in ["validate", "import"] {
        let stderr = pdca.fails(&["plan", command, file]);
        assert!(
            stderr.contains("bad.xlsx: 指標 5行 目標値: ratio の目標の value は 0〜100 の百分率です（120 と書かれています）"),
            "{stderr}"
        );
    }
    let not_a_workbook = pdca.write("broken.xlsx", "not a workbook");
    let stderr = pdca.fails(&["plan", "import", not_a_workbook.to_str().unwrap()]);
    assert!(
        stderr.contains("broken.xlsx: ブックとして読めません"),
        "{stderr}"
    );
    // Nothing was imported.
    let list = pdca.ok(&["plan", "list"]);
    assert!(!list.contains(&format!("第{}版", plan.revision)), "{list}");
}

#[test]
fn plan_draft_reads_a_word_document_too() {
    let pdca = Pdca::sqlite();
    let seed = include_str!("../../pdca-core/tests/data/seed_annex_2.txt");
    let paragraphs: Vec<&str> = seed.lines().collect();
    let annex = pdca.write(
        "annex.docx",
        pdca_interchange::testing::docx_of(&paragraphs),
    );
    let draft = pdca.path("draft.toml");
    let out = pdca.run(&[
        "plan",
        "draft",
        &annex.display().to_string(),
        "--id",
        "from-word",
        "--name",
        "第2期医療分野研究開発推進計画",
        "--start-fy",
        "2020",
        "--end-fy",
        "2024",
        "-o",
        &draft.display().to_string(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("指標53件"), "{stderr}");
    // Not a Word document: refused with the file named, nothing written.
    let broken = pdca.write("broken.docx", b"not a zip");
    let out = pdca.run(&[
        "plan",
        "draft",
        &broken.display().to_string(),
        "--id",
        "x",
        "--name",
        "x",
        "--start-fy",
        "2020",
        "--end-fy",
        "2024",
        "-o",
        &pdca.path("x.toml").display().to_string(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr.contains("broken.docx: Word 文書（.docx）として読めません"),
        "{stderr}"
    );
    assert!(!pdca.path("x.toml").exists());
}

// ---- achievements (成果, issue 15) ----

/// The built-in plan as a plan of its own (`ach`), its 非臨床POC (p1-out-01) counted from
/// achievements.
fn achievements_plan() -> String {
    let builtin = include_str!("../../pdca-core/plans/medical-rd-2.toml");
    let edits = [
        ("id = \"medical-rd-2\"\n", "id = \"ach\"\n"),
        (
            "id = \"p1-out-01\"\nname = \"非臨床POCの取得件数\"\nkind = \"output\"\ngroup = \"シーズ研究に関する指標\"\nmeasure = \"count\"\ntarget = { value = 25, unit = \"件\" }\n",
            "id = \"p1-out-01\"\nname = \"非臨床POCの取得件数\"\nkind = \"output\"\ngroup = \"シーズ研究に関する指標\"\nmeasure = \"count\"\ntarget = { value = 25, unit = \"件\" }\ncounted_from = \"achievements\"\n",
        ),
    ];
    let mut text = builtin.to_owned();
    for (from, to) in edits {
        assert_eq!(text.matches(from).count(), 1, "{from}");
        text = text.replacen(from, to, 1);
    }
    text
}

fn with_achievements_plan(pdca: &Pdca) {
    let file = pdca.write("ach.toml", achievements_plan());
    pdca.ok(&["plan", "import", file.to_str().unwrap()]);
}

const ACHIEVEMENT_HEADER: &str = "indicator_id,fiscal_year,body,project_code,title,institution,date,tags,public,notable,url,note\n";

/// Four achievements in Shift_JIS with Japanese headers: two POCs of FY2022, the first reported
/// again in FY2023 (a planted duplicate), and one of project 3 tagged 遺伝子治療.
fn achievements_sjis() -> Vec<u8> {
    let text = "指標ID,年度,報告機関,課題番号,成果名,実施機関,日付,区分,公開,顕著な成果,URL,備考\r\n\
p1-out-01,令和4年度,AMED,JP22ab0001,抗体Aの非臨床POC,東京大学,2022-10-01,,可,○,https://example.jp/a,\r\n\
p1-out-01,2022,amed,JP22ab0002,低分子Bの非臨床POC,大阪大学,2023-03-15,,否,,,企業名は非公開\r\n\
p1-out-01,R5,amed,JP22ab0001,抗体Aの非臨床POC,東京大学,2023-05-01,,可,,,\r\n\
p3-out-01,2022,amed,JP22cd0003,ベクターCの非臨床POC,京都大学,2022-06-01,遺伝子治療,はい,,,\r\n";
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

fn poc_count(pdca: &Pdca, as_of: &str) -> Value {
    let eval = pdca.json(&[
        "evaluate", "--plan", "ach", "--as-of", as_of, "--format", "json",
    ]);
    evaluation(&eval, "p1-out-01").clone()
}

fn achievement_ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn achievements_import_list_count_and_resolve_on_sqlite() {
    achievements_flow(&Pdca::sqlite());
}

#[test]
fn achievements_import_list_count_and_resolve_on_postgres() {
    achievements_flow(&Pdca::postgres());
}

fn achievements_flow(pdca: &Pdca) {
    with_achievements_plan(pdca);
    let file = pdca.write("成果.csv", achievements_sjis());
    let file = file.to_str().unwrap();

    // A dry run says what would be imported and imports nothing.
    let out = pdca.ok(&["achievements", "import", file, "--plan", "ach", "--dry-run"]);
    assert!(out.contains("成果 4件を取り込めます"), "{out}");
    assert!(out.contains("2行目\tp1-out-01\tFY2022\tamed"), "{out}");
    let list = pdca.json(&["achievements", "list", "--plan", "ach", "--format", "json"]);
    assert_eq!(list, Value::Array(Vec::new()), "a dry run imported");

    let out = pdca.ok(&["achievements", "import", file, "--plan", "ach"]);
    assert!(out.contains("成果 4件を取り込みました"), "{out}");
    assert!(out.contains("重複の疑いが1組あります"), "{out}");

    // JSON: the fields under their own names, with id, version and state.
    let list = pdca.json(&["achievements", "list", "--plan", "ach", "--format", "json"]);
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 4);
    let first = &items[0];
    assert_eq!(first["indicator"], "p1-out-01");
    assert_eq!(first["year"], 2022);
    assert_eq!(first["body"], "amed");
    assert_eq!(first["project_code"], "JP22ab0001");
    assert_eq!(first["title"], "抗体Aの非臨床POC");
    assert_eq!(first["institution"], "東京大学");
    assert_eq!(first["date"], "2022-10-01");
    assert_eq!(first["public"], true);
    assert_eq!(first["notable"], true);
    assert_eq!(first["url"], "https://example.jp/a");
    assert_eq!(first["version"], 1);
    assert_eq!(first["state"], "approved");
    assert_eq!(items[1]["public"], false);
    assert_eq!(items[1]["notable"], false);
    assert_eq!(items[1]["note"], "企業名は非公開");
    assert_eq!(items[3]["tags"], serde_json::json!(["遺伝子治療"]));
    let ids = achievement_ids(&list);
    let (first_id, again_id) = (ids[0], ids[2]);

    // Filters.
    let only = pdca.json(&[
        "achievements",
        "list",
        "--plan",
        "ach",
        "--indicator",
        "p3-out-01",
        "--format",
        "json",
    ]);
    assert_eq!(achievement_ids(&only), [ids[3]]);
    // A sub-target lists its parent's achievements that carry its tag.
    let only = pdca.json(&[
        "achievements",
        "list",
        "--plan",
        "ach",
        "--indicator",
        "p3-out-01-1",
        "--format",
        "json",
    ]);
    assert_eq!(achievement_ids(&only), [ids[3]]);
    let only = pdca.json(&[
        "achievements",
        "list",
        "--plan",
        "ach",
        "--fy",
        "令和5年度",
        "--format",
        "json",
    ]);
    assert_eq!(achievement_ids(&only), [again_id]);
    let err = pdca.fails(&[
        "achievements",
        "list",
        "--plan",
        "ach",
        "--indicator",
        "nope",
    ]);
    assert!(
        err.contains("指標「nope」は計画「ach」にありません"),
        "{err}"
    );

    // The table: 和暦, names, flags and states for a Japanese terminal.
    let table = pdca.ok(&["achievements", "list", "--plan", "ach"]);
    for needle in [
        "令和4年度",
        "令和5年度",
        "AMED",
        "JP22ab0001",
        "抗体Aの非臨床POC",
        "東京大学",
        "遺伝子治療",
        "非公開",
        "承認済み",
        "4件",
    ] {
        assert!(table.contains(needle), "«{needle}» not in\n{table}");
    }

    // CSV: UTF-8 with a byte order mark, the import's columns then id and state.
    let csv = pdca.ok(&["achievements", "list", "--plan", "ach", "--format", "csv"]);
    let csv = csv.strip_prefix('\u{feff}').expect("a byte order mark");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        format!("{},（参考）id,（参考）state", ACHIEVEMENT_HEADER.trim_end())
    );
    assert_eq!(
        lines.next().unwrap(),
        format!(
            "p1-out-01,2022,amed,JP22ab0001,抗体Aの非臨床POC,東京大学,2022-10-01,,可,○,https://example.jp/a,,{first_id},approved"
        )
    );
    assert_eq!(lines.count(), 3);
    // … and imports back as it is.
    let exported = pdca.write("export.csv", format!("\u{feff}{csv}"));
    let out = pdca.ok(&[
        "achievements",
        "import",
        exported.to_str().unwrap(),
        "--plan",
        "ach",
        "--dry-run",
    ]);
    assert!(out.contains("成果 4件を取り込めます"), "{out}");

    // The derived count: 2 in FY2022, 3 by FY2023, with the open pair as a warning.
    assert_eq!(poc_count(pdca, "2022")["cumulative"], 2.0);
    let poc = poc_count(pdca, "2023");
    assert_eq!(poc["cumulative"], 3.0);
    let warned = |poc: &Value| {
        poc["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("重複"))
    };
    assert!(warned(&poc), "{poc}");

    // The planted duplicate is listed, undecided.
    let table = pdca.ok(&["achievements", "duplicates", "--plan", "ach"]);
    assert!(table.contains("同じ課題番号と成果名"), "{table}");
    assert!(table.contains("未判断"), "{table}");
    assert!(table.contains("重複の疑い 1組（未判断 1組）"), "{table}");
    let pairs = pdca.json(&[
        "achievements",
        "duplicates",
        "--plan",
        "ach",
        "--format",
        "json",
    ]);
    let pairs = pairs.as_array().unwrap();
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0]["a"]["id"], first_id);
    assert_eq!(pairs[0]["b"]["id"], again_id);
    assert_eq!(pairs[0]["b"]["year"], 2023);
    assert_eq!(
        pairs[0]["reasons"],
        serde_json::json!(["same_project_and_title"])
    );
    assert_eq!(pairs[0]["decision"], Value::Null);

    // The FY2023 report is the one that stands: counted once, in FY2023.
    let out = pdca.ok(&[
        "achievements",
        "resolve",
        &again_id.to_string(),
        &first_id.to_string(),
        "--same",
        "--reason",
        "同じ成果を二年度に報告したもの",
        "--plan",
        "ach",
    ]);
    assert!(out.contains("同一と判断しました"), "{out}");
    assert!(
        out.contains(&format!("成果 {again_id} の報告を採用")),
        "{out}"
    );
    let poc = poc_count(pdca, "2023");
    assert_eq!(poc["cumulative"], 2.0, "{poc}");
    assert!(!warned(&poc), "{poc}");
    assert_eq!(poc_count(pdca, "2022")["cumulative"], 1.0);
    let table = pdca.ok(&["achievements", "duplicates", "--plan", "ach"]);
    assert!(
        table.contains(&format!(
            "同一（成果 {again_id} を採用）：同じ成果を二年度に報告したもの"
        )),
        "{table}"
    );
    assert!(table.contains("（未判断 0組）"), "{table}");
    let pairs = pdca.json(&[
        "achievements",
        "duplicates",
        "--plan",
        "ach",
        "--format",
        "json",
    ]);
    assert_eq!(
        pairs[0]["decision"],
        serde_json::json!({"resolution": "same", "kept": again_id, "reason": "同じ成果を二年度に報告したもの"})
    );

    // Nothing was deleted: both reports are still listed.
    let list = pdca.json(&["achievements", "list", "--plan", "ach", "--format", "json"]);
    assert_eq!(list.as_array().unwrap().len(), 4);

    // A later decision supersedes: distinct after all, counted twice again.
    pdca.ok(&[
        "achievements",
        "resolve",
        &first_id.to_string(),
        &again_id.to_string(),
        "--distinct",
        "--reason",
        "別の動物種での POC",
        "--plan",
        "ach",
    ]);
    assert_eq!(poc_count(pdca, "2023")["cumulative"], 3.0);
    let pairs = pdca.json(&[
        "achievements",
        "duplicates",
        "--plan",
        "ach",
        "--format",
        "json",
    ]);
    assert_eq!(pairs[0]["decision"]["resolution"], "distinct");
}

fn import_achievements(pdca: &Pdca, name: &str, rows: &str) -> Output {
    let file = pdca.write(name, format!("{ACHIEVEMENT_HEADER}{rows}"));
    pdca.run(&[
        "achievements",
        "import",
        file.to_str().unwrap(),
        "--plan",
        "ach",
    ])
}

/// Each bad row is refused naming the file, row and column; nothing is imported.
#[test]
fn bad_achievements_name_file_row_and_column_and_import_nothing() {
    let pdca = Pdca::sqlite();
    with_achievements_plan(&pdca);
    let good = "p1-out-01,2022,amed,JP1,成果A,東京大学,2022-10-01,,可,,,\n";
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "p9-out-99,2022,amed,JP2,成果B,,,,,,,\n",
            "unknown indicator",
            &["bad.csv: 3行目, A列「indicator_id」", "p9-out-99"],
        ),
        (
            "p1-out-01,2030,amed,JP2,成果B,,,,,,,\n",
            "year outside the plan",
            &["bad.csv: 3行目, B列「fiscal_year」", "2030"],
        ),
        (
            "p1-out-01,2022,amed,JP2,,,,,,,,\n",
            "a title missing",
            &["bad.csv: 3行目, E列「title」"],
        ),
        (
            "p1-out-01,2022,amed,JP2,成果B,,,遺伝子治療,,,,\n",
            "an unknown tag",
            &["bad.csv: 3行目, H列「tags」", "遺伝子治療"],
        ),
        (
            "p1-out-01,2022,amed,JP2,成果B,,2023-04-01,,,,,\n",
            "a date outside the year",
            &["bad.csv: 3行目, G列「date」", "2023-04-01"],
        ),
        (
            "p1-out-01,令和4年度,AMED,ＪＰ１,成果Ａ,東京大学,2022-10-01,,可,,,\n",
            "the same row twice in one file",
            &["bad.csv: 3行目", "2行目"],
        ),
    ];
    for (row, what, needles) in cases {
        let out = import_achievements(&pdca, "bad.csv", &format!("{good}{row}"));
        assert_eq!(out.status.code(), Some(1), "{what}: should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        for n in *needles {
            assert!(err.contains(n), "{what}: «{n}» not in {err}");
        }
        assert!(
            err.contains("bad.csv: 1件のエラーがあるため何も取り込みませんでした"),
            "{what}: {err}"
        );
    }
    // Nothing of any bad file was imported, not even its good first row.
    let list = pdca.json(&["achievements", "list", "--plan", "ach", "--format", "json"]);
    assert_eq!(list, Value::Array(Vec::new()));
    // An unknown column is named on the header row; a file that is not a table is refused.
    let file = pdca.write(
        "cols.csv",
        "indicator_id,fiscal_year,colour\np1-out-01,2022,red\n",
    );
    let err = pdca.fails(&[
        "achievements",
        "import",
        file.to_str().unwrap(),
        "--plan",
        "ach",
    ]);
    assert!(err.contains("cols.csv: 1行目, C列「colour」"), "{err}");
    let file = pdca.write("old.xls", b"\xD0\xCF\x11\xE0");
    let err = pdca.fails(&[
        "achievements",
        "import",
        file.to_str().unwrap(),
        "--plan",
        "ach",
    ]);
    assert!(err.contains("old.xls:") && err.contains(".xlsx"), "{err}");
    // A header without rows imports nothing, said plainly.
    let out = import_achievements(&pdca, "empty.csv", "");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("取り込む成果の行がありません"));
    // The good row alone imports; with --draft, as a draft.
    let file = pdca.write("good.csv", format!("{ACHIEVEMENT_HEADER}{good}"));
    let out = pdca.ok(&[
        "achievements",
        "import",
        file.to_str().unwrap(),
        "--plan",
        "ach",
        "--draft",
    ]);
    assert!(out.contains("成果 1件を取り込みました"), "{out}");
    assert!(out.contains("一時保存"), "{out}");
    let list = pdca.json(&["achievements", "list", "--plan", "ach", "--format", "json"]);
    assert_eq!(list[0]["state"], "draft");
    assert_eq!(list[0]["title"], "成果A");
}

/// A workbook's 成果一覧 sheet is read among others; a bad cell is named by sheet, row and column.
#[test]
fn an_achievements_workbook_is_read_from_its_sheet() {
    let pdca = Pdca::sqlite();
    with_achievements_plan(&pdca);
    let header: Vec<&str> = ACHIEVEMENT_HEADER.trim_end().split(',').collect();
    let bytes = pdca_interchange::achievements_workbook(
        "成果一覧",
        &[
            &header,
            &["p1-out-01", "2022", "amed", "", "成果X"],
            &["p1-out-01", "2022", "amed", "", "成果Y", "", "2021-12-31"],
        ],
    )
    .unwrap();
    let file = pdca.write("seika.xlsx", &bytes);
    let err = pdca.fails(&[
        "achievements",
        "import",
        file.to_str().unwrap(),
        "--plan",
        "ach",
    ]);
    assert!(
        err.contains("seika.xlsx[成果一覧]: 3行目, G列「date」"),
        "{err}"
    );
}

#[test]
fn resolve_needs_one_decision_a_reason_and_one_indicator() {
    let pdca = Pdca::sqlite();
    with_achievements_plan(&pdca);
    let out = import_achievements(
        &pdca,
        "a.csv",
        "p1-out-01,2022,amed,JP1,成果A,,,,,,,\np1-out-01,2023,amed,JP1,成果A,,,,,,,\np3-out-01,2022,amed,JP1,成果A,,,,,,,\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids =
        achievement_ids(&pdca.json(&["achievements", "list", "--plan", "ach", "--format", "json"]));
    let (a, b, other) = (ids[0].to_string(), ids[1].to_string(), ids[2].to_string());
    let resolve = |extra: &[&str]| {
        let mut args = vec!["achievements", "resolve", "--plan", "ach"];
        args.extend_from_slice(extra);
        pdca.run(&args)
    };
    let refused = |extra: &[&str], needle: &str| {
        let out = resolve(extra);
        assert!(!out.status.success(), "{extra:?} should be refused");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{extra:?}: «{needle}» not in {err}");
    };
    refused(&[&a, &b, "--same"], "--reason");
    refused(&[&a, &b, "--same", "--reason", "  "], "理由");
    refused(
        &[&a, &b, "--same", "--distinct", "--reason", "x"],
        "--distinct",
    );
    refused(&[&a, &b, "--reason", "x"], "--same");
    refused(&[&a, &a, "--same", "--reason", "x"], "二度");
    refused(
        &[&a, "999999", "--same", "--reason", "x"],
        "成果 999999 は計画「ach」にありません",
    );
    refused(&[&a, &other, "--distinct", "--reason", "x"], "指標が異なる");
    // None of these recorded a decision.
    let pairs = pdca.json(&[
        "achievements",
        "duplicates",
        "--plan",
        "ach",
        "--format",
        "json",
    ]);
    assert_eq!(pairs.as_array().unwrap().len(), 1);
    assert_eq!(pairs[0]["decision"], Value::Null);
    let out = resolve(&[&a, &b, "--distinct", "--reason", "別の成果"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("別件と判断しました"));
    let pairs = pdca.ok(&["achievements", "duplicates", "--plan", "ach"]);
    assert!(pairs.contains("別件：別の成果"), "{pairs}");
}

#[test]
fn demo_lists_achievements_consistent_with_its_numbers() {
    let pdca = Pdca::sqlite();
    pdca.ok(&["demo"]);
    let list = pdca.json(&["achievements", "list", "--format", "json"]);
    let items = list.as_array().unwrap();
    assert!(
        (200..1000).contains(&items.len()),
        "a few hundred demo achievements: {}",
        items.len()
    );
    for item in items {
        assert!(
            item["title"].as_str().unwrap().starts_with("（デモ）"),
            "{item}"
        );
        assert_eq!(item["state"], "approved", "{item}");
    }
    let notable = items.iter().filter(|i| i["notable"] == true).count();
    assert!(
        notable * 100 >= items.len() * 3 && notable * 100 <= items.len() * 8,
        "about 5% notable: {notable} of {}",
        items.len()
    );
    assert!(items.iter().filter(|i| i["public"] == true).count() * 2 > items.len());
    assert!(items.iter().any(|i| i["institution"] == "デモ大学"));
    let tagged = items
        .iter()
        .filter(|i| i["tags"].as_array().is_some_and(|t| !t.is_empty()))
        .count();
    assert!(tagged > 0, "sub-targets are tagged");

    // The three planted pairs are open: one across two years, two within one year.
    let pairs = pdca.json(&["achievements", "duplicates", "--format", "json"]);
    let pairs = pairs.as_array().unwrap();
    assert_eq!(pairs.len(), 3, "{pairs:?}");
    assert!(pairs.iter().all(|p| p["decision"].is_null()), "{pairs:?}");
    let across_years = pairs
        .iter()
        .filter(|p| p["a"]["year"] != p["b"]["year"])
        .count();
    assert_eq!(across_years, 1, "{pairs:?}");
    let table = pdca.ok(&["achievements", "duplicates"]);
    assert!(table.contains("（デモ）"), "{table}");

    // The lists agree with the typed numbers: no mismatch warning in any year.
    for as_of in ["2020", "2023"] {
        let e = pdca.json(&["evaluate", "--as-of", as_of, "--format", "json"]);
        let text = e.to_string();
        assert!(!text.contains("一致しません"), "{as_of}: {text}");
        let open = e["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| {
                i["warnings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|w| w.as_str().unwrap().contains("重複の可能性"))
            })
            .count();
        assert!(open >= 1, "{as_of}: open pairs are warnings");
    }

    // A second demo adds nothing.
    let again = pdca.ok(&["demo"]);
    assert!(again.contains("成果（架空の成果）を0件"), "{again}");
    let list = pdca.json(&["achievements", "list", "--format", "json"]);
    assert_eq!(list.as_array().unwrap().len(), items.len());
}

#[test]
fn open_data_and_the_round_report_list_only_public_approved_achievements() {
    let pdca = Pdca::sqlite();
    pdca.ok(&["demo"]);
    let list = pdca.json(&["achievements", "list", "--format", "json"]);
    let items = list.as_array().unwrap();
    // The demo's closed round is FY2021: its approved public achievements are published.
    let of_2021 = |public: bool, notable: Option<bool>| -> Vec<&Value> {
        items
            .iter()
            .filter(|i| {
                i["year"] == 2021
                    && i["public"] == public
                    && i["state"] == "approved"
                    && notable.is_none_or(|n| i["notable"] == n)
            })
            .collect()
    };
    let mut expected: Vec<(String, String)> = of_2021(true, None)
        .iter()
        .map(|i| {
            (
                i["title"].as_str().unwrap().to_owned(),
                i["institution"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    expected.sort();
    assert!(!expected.is_empty() && !of_2021(false, None).is_empty());

    pdca.ok(&["publish", "-o", "open"]);
    let csv = std::fs::read_to_string(pdca.path("open/achievements.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "\u{feff}plan_id,project_id,indicator_id,indicator_name,fiscal_year,fiscal_year_ja,title,institution"
        )
    );
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let mut published: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(&r[4], "2021", "only the closed year: {r:?}");
            (r[6].to_owned(), r[7].to_owned())
        })
        .collect();
    published.sort();
    assert_eq!(published, expected, "exactly the approved public ones");
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(pdca.path("open/achievements.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["rows"].as_array().unwrap().len(), published.len());
    assert!(
        !csv.contains("JP") && !csv.contains("http"),
        "no code, no link"
    );

    // The FY2021 report lists the notable public ones, and no confidential one.
    let md = pdca.ok(&["report", "--round", "2021", "--format", "md"]);
    let notable = of_2021(true, Some(true));
    assert!(!notable.is_empty());
    for item in notable {
        let title = item["title"].as_str().unwrap();
        assert!(md.contains(title), "{title} is not in the report");
    }
    for item in of_2021(false, None) {
        let title = item["title"].as_str().unwrap();
        assert!(!md.contains(title), "confidential {title} is in the report");
    }
    assert!(md.contains("公開可のものだけを掲げています"), "{md}");
}
