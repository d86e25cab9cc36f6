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

/// The whole PDF, as a server makes it once: layout with typst and export with typst-pdf (font
/// subsetting included), typst's memoised layouts emptied before each iteration.
#[cfg(feature = "pdf")]
#[divan::bench(sample_count = 10, sample_size = 1)]
fn pdf_cold(bencher: divan::Bencher) {
    LazyLock::force(&REPORT);
    bencher
        .with_inputs(|| typst::comemo::evict(0))
        .bench_values(|()| {
            pdca_report::pdf(divan::black_box(&REPORT)).expect("the report typesets")
        });
}

/// The same PDF again, typst's memoised layouts of the previous iterations kept.
#[cfg(feature = "pdf")]
#[divan::bench(sample_count = 10)]
fn pdf_warm(bencher: divan::Bencher) {
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
