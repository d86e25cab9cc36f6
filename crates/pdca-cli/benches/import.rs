//! Import of a 1,000,000-row actuals CSV into SQLite with the `pdca` binary, next to the
//! `sqlite3` shell's own `.import` of the same file into a plain table, in the same run. The
//! target is within 2× of the shell.
//!
//! Run with `cargo bench -p pdca-cli --bench import` (needs `/usr/bin/sqlite3`:
//! `apt-get install sqlite3`). Figures are in `docs/benchmarks.md`.
//!
//! Setup, once and outside timing: a temporary directory holding a synthetic plan (10,000 count
//! indicators in 10 projects, 20 reporting bodies all assigned through `plan.default_bodies`,
//! FY2020–FY2024), the CSV of one value per indicator × year × body (1,000,000 distinct, valid
//! rows), and a template database into which `pdca plan import` has loaded the plan.
//!
//! Each sample, outside timing, makes a fresh database file in the same directory: for the shell,
//! an empty database holding only the plain `actuals` table; for `pdca`, a copy of the template.
//! Timed is the whole subprocess: `sqlite3 DB '.mode csv' '.import --skip 1 rows.csv actuals'`,
//! or `pdca --db DB actuals import rows.csv --plan bench-import` (reading, validation and the
//! insert in one transaction, as a user runs it). After the run the medians and their ratio are
//! printed.
//!
//! With `PDCA_BENCH_DIR=DIR` the files are made in `DIR` (which should be empty) and kept, to
//! profile the import by hand: see `docs/benchmarks.md`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use divan::Bencher;

const PROJECTS: usize = 10;
const INDICATORS_PER_PROJECT: usize = 1_000;
const BODIES: usize = 20;
const START_FY: i32 = 2020;
const END_FY: i32 = 2024;
const ROWS: usize = PROJECTS * INDICATORS_PER_PROJECT * BODIES * (END_FY - START_FY + 1) as usize;
const PLAN_ID: &str = "bench-import";
const SQLITE3: &str = "/usr/bin/sqlite3";
const PDCA: &str = env!("CARGO_BIN_EXE_pdca");
/// Names a directory for the files, which are then kept.
const KEEP_DIR: &str = "PDCA_BENCH_DIR";
const PLAIN_TABLE: &str = "CREATE TABLE actuals(indicator_id TEXT, fiscal_year INTEGER, \
     value REAL, numerator REAL, denominator REAL, body TEXT, note TEXT, source TEXT)";

/// The files shared by every sample.
struct Fixture {
    dir: PathBuf,
    csv: PathBuf,
    template: PathBuf,
    next: AtomicUsize,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

/// Wall-clock time of each timed subprocess: `[sqlite3, pdca]`.
static TIMES: Mutex<[Vec<Duration>; 2]> = Mutex::new([Vec::new(), Vec::new()]);

fn main() {
    let started = Instant::now();
    let fixture = FIXTURE.get_or_init(setup);
    eprintln!(
        "setup: {ROWS} rows, {} MB of CSV, plan imported into the template in {:.1?} total, in {}",
        std::fs::metadata(&fixture.csv).expect("csv metadata").len() / 1_000_000,
        started.elapsed(),
        fixture.dir.display()
    );
    if !sqlite3_available() {
        eprintln!(
            "warning: {SQLITE3} is missing: the sqlite3 `.import` baseline is skipped and no ratio \
             is printed (install it with `apt-get install sqlite3`)"
        );
    }

    divan::main();

    report();
    if std::env::var_os(KEEP_DIR).is_none() {
        let _ = std::fs::remove_dir_all(&fixture.dir);
    }
}

fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(setup)
}

fn sqlite3_available() -> bool {
    Command::new(SQLITE3)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Writes the plan and the CSV and prepares the template database.
fn setup() -> Fixture {
    let dir = match std::env::var_os(KEEP_DIR) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir).expect("create PDCA_BENCH_DIR");
            for stale in [
                "template.sqlite3",
                "template.sqlite3-wal",
                "template.sqlite3-shm",
            ] {
                let _ = std::fs::remove_file(dir.join(stale));
            }
            dir
        }
        None => tempfile::Builder::new()
            .prefix("pdca-bench-import-")
            .tempdir()
            .expect("temporary directory")
            .keep(),
    };

    let plan_path = dir.join("plan.toml");
    let plan_text = plan_toml();
    if let Err(e) = pdca_core::plan_file::parse_plan("plan.toml", &plan_text) {
        panic!("the synthetic plan is not valid:\n{e}");
    }
    std::fs::write(&plan_path, &plan_text).expect("write plan");

    let csv = dir.join("rows.csv");
    write_csv(&csv);

    let template = dir.join("template.sqlite3");
    let out = Command::new(PDCA)
        .arg("--db")
        .arg(&template)
        .args(["--actor", "bench", "plan", "import"])
        .arg(&plan_path)
        .output()
        .expect("run pdca plan import");
    check("pdca plan import", &out);

    Fixture {
        dir,
        csv,
        template,
        next: AtomicUsize::new(0),
    }
}

fn body_id(b: usize) -> String {
    format!("b{:02}", b + 1)
}

fn indicator_id(p: usize, i: usize) -> String {
    format!("p{:02}-i{:04}", p + 1, i + 1)
}

fn plan_toml() -> String {
    let mut s = String::new();
    let bodies: Vec<String> = (0..BODIES).map(|b| format!("\"{}\"", body_id(b))).collect();
    writeln!(
        s,
        "[plan]\nid = \"{PLAN_ID}\"\nname = \"取込ベンチマーク用の計画\"\nstart_fy = {START_FY}\n\
         end_fy = {END_FY}\ndefault_bodies = [{}]\n",
        bodies.join(", ")
    )
    .unwrap();
    for b in 0..BODIES {
        writeln!(
            s,
            "[[bodies]]\nid = \"{}\"\nname = \"報告機関{}\"\n",
            body_id(b),
            b + 1
        )
        .unwrap();
    }
    for p in 0..PROJECTS {
        writeln!(
            s,
            "[[projects]]\nid = \"p{:02}\"\nname = \"プロジェクト{}\"\n",
            p + 1,
            p + 1
        )
        .unwrap();
        for i in 0..INDICATORS_PER_PROJECT {
            writeln!(
                s,
                "[[projects.indicators]]\nid = \"{}\"\nname = \"指標{}\"\nkind = \"output\"\n\
                 group = \"シーズ研究に関する指標\"\nmeasure = \"count\"\n\
                 target = {{ value = 5000, unit = \"件\" }}\n",
                indicator_id(p, i),
                i + 1
            )
            .unwrap();
        }
    }
    s
}

/// One row per indicator × fiscal year × body; counts from a fixed generator, no note, a source.
fn write_csv(path: &Path) {
    let file = std::fs::File::create(path).expect("create csv");
    let mut w = BufWriter::new(file);
    writeln!(
        w,
        "indicator_id,fiscal_year,value,numerator,denominator,body,note,source"
    )
    .unwrap();
    let mut state: u64 = 0x5eed;
    let mut rows = 0;
    for p in 0..PROJECTS {
        for i in 0..INDICATORS_PER_PROJECT {
            let id = indicator_id(p, i);
            for fy in START_FY..=END_FY {
                for b in 0..BODIES {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    let value = (state >> 33) % 1_000;
                    writeln!(w, "{id},{fy},{value},,,{},,bench", body_id(b)).unwrap();
                    rows += 1;
                }
            }
        }
    }
    w.flush().unwrap();
    assert_eq!(rows, ROWS);
}

fn check(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A database file made for one sample; removed (with its journal files) when dropped, which
/// divan does after the sample's timing.
struct Database(PathBuf);

impl Database {
    fn fresh(prefix: &str) -> Database {
        let f = fixture();
        let n = f.next.fetch_add(1, Ordering::Relaxed);
        Database(f.dir.join(format!("{prefix}-{n}.sqlite3")))
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

impl Drop for Database {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(with_suffix(&self.0, suffix));
        }
    }
}

fn record(slot: usize, elapsed: Duration) {
    TIMES.lock().unwrap()[slot].push(elapsed);
}

/// (a) The baseline: the `sqlite3` shell's `.import` of the CSV into a plain table.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn sqlite3_shell_import(bencher: Bencher) {
    if !sqlite3_available() {
        eprintln!("skipped: {SQLITE3} is missing (apt-get install sqlite3)");
        return;
    }
    let f = fixture();
    bencher
        .with_inputs(|| {
            let db = Database::fresh("sqlite3");
            let out = Command::new(SQLITE3)
                .arg(&db.0)
                .arg(PLAIN_TABLE)
                .output()
                .expect("run sqlite3");
            check("sqlite3 CREATE TABLE", &out);
            db
        })
        .bench_local_values(|db| {
            let started = Instant::now();
            let out = Command::new(SQLITE3)
                .arg(&db.0)
                .arg(".mode csv")
                .arg(format!(".import --skip 1 \"{}\" actuals", f.csv.display()))
                .output()
                .expect("run sqlite3");
            record(0, started.elapsed());
            check("sqlite3 .import", &out);
            db
        });
}

/// (b) `pdca actuals import` of the same CSV into a database already holding the plan.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn pdca_actuals_import(bencher: Bencher) {
    let f = fixture();
    bencher
        .with_inputs(|| {
            let db = Database::fresh("pdca");
            for suffix in ["", "-wal"] {
                let from = with_suffix(&f.template, suffix);
                if from.exists() {
                    std::fs::copy(&from, with_suffix(&db.0, suffix)).expect("copy template");
                }
            }
            db
        })
        .bench_local_values(|db| {
            let started = Instant::now();
            let out = Command::new(PDCA)
                .arg("--db")
                .arg(&db.0)
                .args(["--actor", "bench", "actuals", "import"])
                .arg(&f.csv)
                .args(["--plan", PLAN_ID])
                .output()
                .expect("run pdca");
            record(1, started.elapsed());
            check("pdca actuals import", &out);
            db
        });
}

fn median(times: &[Duration]) -> Option<Duration> {
    let mut t = times.to_vec();
    t.sort();
    t.get(t.len() / 2).copied()
}

fn report() {
    let times = TIMES.lock().unwrap();
    let [shell, pdca] = &*times;
    let (shell, pdca) = (median(shell), median(pdca));
    if let Some(s) = shell {
        println!("sqlite3 .import of {ROWS} rows: median {s:.2?}");
    }
    if let Some(p) = pdca {
        println!("pdca actuals import of {ROWS} rows: median {p:.2?}");
    }
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        // Other work on the machine slows the two-threaded pdca import more than the shell.
        println!("load average at the end: {}", load.trim());
    }
    if let (Some(s), Some(p)) = (shell, pdca) {
        let ratio = p.as_secs_f64() / s.as_secs_f64();
        let verdict = if ratio <= 2.0 { "within" } else { "NOT within" };
        println!("ratio pdca / sqlite3: {ratio:.2}× ({verdict} the 2× target)");
    }
}
