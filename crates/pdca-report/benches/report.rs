//! The follow-up report of the built-in plan with four years of data (FY2020–FY2023, the same
//! report as the tests), written as PDF, XLSX and Markdown.
//!
//! Run with `cargo bench -p pdca-report --bench report`. The target is a PDF in under 1 s.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::LazyLock;

use pdca_report::Report;

static REPORT: LazyLock<Report> = LazyLock::new(common::report);

fn main() {
    divan::main();
}

/// The whole PDF: layout with typst and export with typst-pdf (font subsetting included).
#[cfg(feature = "pdf")]
#[divan::bench(sample_count = 10)]
fn pdf(bencher: divan::Bencher) {
    LazyLock::force(&REPORT);
    bencher.bench(|| pdca_report::pdf(divan::black_box(&REPORT)).expect("the report typesets"));
}

/// The workbook.
#[divan::bench(sample_count = 30)]
fn xlsx(bencher: divan::Bencher) {
    LazyLock::force(&REPORT);
    bencher.bench(|| pdca_report::xlsx(divan::black_box(&REPORT)).expect("the workbook"));
}

/// The Markdown.
#[divan::bench(sample_count = 100)]
fn markdown(bencher: divan::Bencher) {
    LazyLock::force(&REPORT);
    bencher.bench(|| pdca_report::markdown(divan::black_box(&REPORT)));
}
