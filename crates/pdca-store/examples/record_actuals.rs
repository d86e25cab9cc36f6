//! Times `Store::record_actuals` and the reads of current values on a fresh database.
//!
//! `cargo run --release -p pdca-store --example record_actuals -- [rows] [database]`
//! (defaults: 100000 rows, a SQLite file in a temporary directory).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::time::Instant;

use pdca_core::access::ActualState;
use pdca_core::plan_file::parse_plan;
use pdca_core::{ActualValue, Contribution, FiscalYear};
use pdca_store::{NewActual, Store};

const INDICATORS: usize = 60;
const BODIES: [&str; 5] = ["amed", "mext", "mhlw", "meti", "cao"];

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args
        .next()
        .map_or(100_000, |n| n.parse().expect("a row count"));
    let dir = tempfile::tempdir().unwrap();
    let url = args
        .next()
        .unwrap_or_else(|| dir.path().join("bench.sqlite3").display().to_string());

    let mut text = String::from(
        "[plan]\nid = \"bench\"\nname = \"bench\"\nstart_fy = 2000\nend_fy = 2049\n\
         default_bodies = [\"amed\", \"mext\", \"mhlw\", \"meti\", \"cao\"]\n",
    );
    for b in BODIES {
        let _ = write!(text, "[[bodies]]\nid = \"{b}\"\nname = \"{b}\"\n");
    }
    text.push_str("[[projects]]\nid = \"p1\"\nname = \"p1\"\n");
    for i in 0..INDICATORS {
        let _ = write!(
            text,
            "[[projects.indicators]]\nid = \"p1-out-{i:02}\"\nname = \"i{i}\"\nkind = \"output\"\n\
             group = \"g\"\nmeasure = \"count\"\ntarget = {{ value = 100 }}\n"
        );
    }
    let plan = parse_plan("bench.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let batch: Vec<NewActual> = (0..rows)
        .map(|i| NewActual {
            contribution: Contribution {
                indicator: format!("p1-out-{:02}", i % INDICATORS),
                year: FiscalYear::new(2000 + ((i / INDICATORS) % 50) as i32).unwrap(),
                body: BODIES[(i / (INDICATORS * 50)) % BODIES.len()].to_owned(),
                value: ActualValue::Number((i % 1000) as f64),
            },
            note: None,
            source: Some("file.csv".to_owned()),
            state: ActualState::Approved,
        })
        .collect();

    let store = Store::open(&url).await.unwrap();
    store.save_plan(&plan, None, "bench").await.unwrap();

    let start = Instant::now();
    let written = store
        .record_actuals("bench", &batch, "import")
        .await
        .unwrap();
    let record = start.elapsed();
    let start = Instant::now();
    let current = store.current_actuals("bench").await.unwrap();
    let current_time = start.elapsed();
    let start = Instant::now();
    let actuals = store.actuals("bench").await.unwrap();
    let actuals_time = start.elapsed();

    println!("{} ({url})", store.backend());
    println!("record_actuals: {written} rows in {record:.2?}");
    println!(
        "current_actuals: {} values in {current_time:.2?}",
        current.len()
    );
    println!(
        "actuals: {} values in {actuals_time:.2?}",
        actuals.contributions().len()
    );
    store.close().await;
}
