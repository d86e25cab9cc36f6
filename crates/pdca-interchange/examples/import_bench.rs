//! Times reading and validating a large actuals CSV, the work `pdca actuals import` does before
//! touching the database: `cargo run --release -p pdca-interchange --example import_bench [ROWS]`.
//!
//! The plan has 2,000 count indicators (a tenth of them sub-targets) reported by 100 bodies over
//! five years, so a million rows are all distinct and valid. The CSV is also written to
//! `$TMPDIR/pdca-import-bench.csv` for comparison with `sqlite3`'s `.import`.

use std::fmt::Write as _;
use std::time::Instant;

use pdca_core::Actuals;
use pdca_core::import::validate_rows;
use pdca_core::plan_file::parse_plan;
use pdca_interchange::read_table;

const INDICATORS: usize = 2_000;
const BODIES: usize = 100;
const YEARS: [i32; 5] = [2020, 2021, 2022, 2023, 2024];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let wanted: usize = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 1_000_000,
    };
    let plan_text = plan_toml();
    let plan = parse_plan("bench.toml", &plan_text)?;

    let started = Instant::now();
    let csv = csv_bytes(wanted);
    println!(
        "generated {wanted} rows, {:.1} MB, in {:.2?}",
        csv.len() as f64 / 1e6,
        started.elapsed()
    );
    let path = std::env::temp_dir().join("pdca-import-bench.csv");
    std::fs::write(&path, &csv)?;
    println!("written to {}", path.display());

    let started = Instant::now();
    let table = read_table("bench.csv", &csv)?;
    let read = started.elapsed();
    let started = Instant::now();
    let imported = validate_rows(&plan, &table.layout, &table.rows, &Actuals::new())
        .map_err(|e| format!("{} errors, first: {:?}", e.len(), e.first()))?;
    let validated = started.elapsed();
    println!("read_table:    {read:.2?} ({} rows)", table.rows.len());
    println!(
        "validate_rows: {validated:.2?} ({} accepted)",
        imported.len()
    );
    println!("total:         {:.2?}", read + validated);
    drop(table);
    drop(imported);

    // The same rows in Shift_JIS, as Japanese Excel saves them.
    let text = String::from_utf8(csv)?;
    let text = text.trim_start_matches('\u{feff}');
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
    let started = Instant::now();
    let table = read_table("bench-sjis.csv", &sjis)?;
    let read = started.elapsed();
    let started = Instant::now();
    let imported = validate_rows(&plan, &table.layout, &table.rows, &Actuals::new())
        .map_err(|e| format!("{} errors", e.len()))?;
    println!(
        "Shift_JIS: read_table {read:.2?} + validate_rows {:.2?} ({} accepted)",
        started.elapsed(),
        imported.len()
    );
    drop(table);
    drop(imported);

    // The worst case for errors: every row refused (a year before the plan).
    let refused = text.replace(",202", ",201");
    let table = read_table("refused.csv", refused.as_bytes())?;
    let started = Instant::now();
    let errors = validate_rows(&plan, &table.layout, &table.rows, &Actuals::new())
        .err()
        .unwrap_or_default();
    println!(
        "{} of {} rows refused: validate_rows {:.2?}",
        errors.len(),
        table.rows.len(),
        started.elapsed()
    );
    Ok(())
}

fn plan_toml() -> String {
    let mut t = String::from(
        "[plan]\nid = \"bench\"\nname = \"ベンチマーク計画\"\nstart_fy = 2020\nend_fy = 2024\ndefault_bodies = [",
    );
    for b in 0..BODIES {
        let _ = write!(t, "\"b{b:03}\", ");
    }
    t.push_str("]\n\n");
    for b in 0..BODIES {
        let _ = write!(t, "[[bodies]]\nid = \"b{b:03}\"\nname = \"機関{b}\"\n\n");
    }
    t.push_str("[[projects]]\nid = \"p1\"\nname = \"プロジェクト\"\n\n");
    for i in 0..INDICATORS {
        let _ = write!(
            t,
            "[[projects.indicators]]\nid = \"i{i:04}\"\nname = \"指標{i}\"\nkind = \"output\"\ngroup = \"g\"\nmeasure = \"count\"\ntarget = {{ value = 1000 }}\n"
        );
        if i % 10 == 1 {
            let _ = writeln!(t, "parent = \"i{:04}\"", i - 1);
        }
        t.push('\n');
    }
    t
}

fn csv_bytes(rows: usize) -> Vec<u8> {
    let mut t = String::with_capacity(rows * 48);
    t.push_str("\u{feff}indicator_id,fiscal_year,value,numerator,denominator,body,note,source\r\n");
    let mut n = 0;
    'all: for i in 0..INDICATORS {
        for year in YEARS {
            for b in 0..BODIES {
                if n == rows {
                    break 'all;
                }
                // Sub-targets (i % 10 == 1) report less than their parents.
                let value = if i % 10 == 1 { 1 } else { 2 + (n % 50) };
                let note = if n % 10 == 0 {
                    "前年度から継続"
                } else {
                    ""
                };
                let _ = write!(t, "i{i:04},{year},{value},,,b{b:03},{note},\r\n");
                n += 1;
            }
        }
    }
    t.into_bytes()
}
