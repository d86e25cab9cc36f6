//! Fuzz body `normalize`: any text as a typed fiscal year (`FiscalYear::from_str`: 2022, ２０２２,
//! FY2022, 令和4年度, R4, …) and as a typed value (`normalize::parse_quantity`: ２５, 1,234, 25件,
//! 75％, and `normalize::normalize_text`), with the properties the importers rely on.

use pdca_core::FiscalYear;
use pdca_core::normalize::{normalize_text, parse_quantity};

/// Runs the target on one input; panics only on a bug or a broken property.
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);

    if let Ok(fy) = text.parse::<FiscalYear>() {
        // Every way pdca writes a year reads back as that year.
        let written = [
            fy.to_string(),
            fy.year().to_string(),
            fy.wareki(),
            fy.wareki_short(),
        ];
        for written in written {
            assert_eq!(
                written.parse::<FiscalYear>().ok(),
                Some(fy),
                "{text:?} → {written:?}"
            );
        }
    }

    if let Ok(value) = parse_quantity(&text) {
        assert!(value.is_finite(), "{text:?} → {value}");
    }

    let normalized = normalize_text(&text);
    assert_eq!(
        normalize_text(&normalized),
        normalized,
        "not idempotent on {text:?}"
    );
    assert_eq!(normalized.trim(), normalized, "not trimmed: {text:?}");
}
