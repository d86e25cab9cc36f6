//! Normalisation of what people type: full-width and half-width forms, spacing, and numbers
//! written the way Japanese spreadsheets write them ("２５", "1,234", "25件", "75％").

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// Units that may follow a number in an input cell; they are checked against nothing but
/// dropped, because the indicator already knows its unit.
const UNITS: [&str; 8] = ["件", "%", "人", "課題", "本", "回", "倍", "品目"];

/// Compatibility-normalises `text` (full-width letters, digits and signs become ASCII, half-width
/// katakana become full-width), trims it and collapses runs of white space to one space.
pub fn normalize_text(text: &str) -> String {
    normalize_cow(text).into_owned()
}

/// [`normalize_text`] without allocating when nothing changes: most cells of a large import are
/// plain ASCII with no stray spacing, and NFKC leaves ASCII as it is.
pub(crate) fn normalize_cow(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        let trimmed = text.trim();
        let tidy = !trimmed.contains("  ")
            && !trimmed
                .bytes()
                .any(|b| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r'));
        if tidy {
            return Cow::Borrowed(trimmed);
        }
        return Cow::Owned(trimmed.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    let nfkc: String = text.nfkc().collect();
    Cow::Owned(nfkc.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Why a cell is not a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// Nothing was written.
    #[error("値が空です")]
    Empty,
    /// The text is not a number, even after normalisation.
    #[error("「{0}」は数値として読めません（例: 25, ２５, 1,234, 25件, 75％）")]
    NotANumber(String),
}

/// Parses a number as people type it: full-width digits, thousands separators, a trailing unit
/// (件, ％, 人, …). Returns the number; the caller decides whether it must be whole or positive.
pub fn parse_quantity(text: &str) -> Result<f64, QuantityError> {
    // Fast path for the common plain ASCII number ("25", "-3", "12.5"): the same grammar as the
    // well-formedness check below, without normalising or allocating.
    let trimmed = text.trim();
    if is_plain_number(trimmed)
        && let Some(v) = trimmed.parse::<f64>().ok().filter(|v| v.is_finite())
    {
        return Ok(v);
    }
    let normalized = normalize_text(text);
    if normalized.is_empty() {
        return Err(QuantityError::Empty);
    }
    let not_a_number = || QuantityError::NotANumber(text.trim().to_owned());
    let mut body = normalized.replace(' ', "");
    if let Some(unit) = UNITS.iter().find(|u| body.ends_with(*u)) {
        body.truncate(body.len() - unit.len());
    }
    // Japanese accounts write a minus as ▲ or △.
    let body = body
        .strip_prefix('▲')
        .or_else(|| body.strip_prefix('△'))
        .map(|rest| format!("-{rest}"))
        .unwrap_or(body);
    if !valid_grouping(&body) {
        return Err(not_a_number());
    }
    let plain = body.replace(',', "");
    let well_formed = !plain.is_empty()
        && plain
            .strip_prefix(['-', '+'])
            .unwrap_or(&plain)
            .split_once('.')
            .map_or_else(
                || all_digits(plain.strip_prefix(['-', '+']).unwrap_or(&plain)),
                |(int, frac)| all_digits(int) && all_digits(frac),
            );
    if !well_formed {
        return Err(not_a_number());
    }
    plain
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(not_a_number)
}

/// An optional sign, digits, and optionally a point followed by digits.
fn is_plain_number(s: &str) -> bool {
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    match unsigned.split_once('.') {
        Some((int, frac)) => all_digits(int) && all_digits(frac),
        None => all_digits(unsigned),
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// Commas, if any, must separate groups of three digits in the integer part ("1,234", not "12,34").
fn valid_grouping(s: &str) -> bool {
    if !s.contains(',') {
        return true;
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let int = unsigned.split('.').next().unwrap_or("");
    let mut groups = int.split(',');
    let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()));
    first_ok && groups.all(|g| g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_width_and_spacing() {
        assert_eq!(normalize_text("　ＡＭＥＤ　 ２５ "), "AMED 25");
        assert_eq!(normalize_text("ｶﾀｶﾅ"), "カタカナ");
    }

    #[test]
    fn reads_numbers_as_typed() {
        for (text, want) in [
            ("25", 25.0),
            ("２５", 25.0),
            ("1,234", 1234.0),
            ("１，２３４", 1234.0),
            ("25件", 25.0),
            ("25 件", 25.0),
            ("75％", 75.0),
            ("75%", 75.0),
            ("12.5", 12.5),
            ("-3", -3.0),
            ("▲3", -3.0),
            ("1,234,567.5", 1234567.5),
        ] {
            assert_eq!(parse_quantity(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        assert_eq!(parse_quantity("  "), Err(QuantityError::Empty));
        for text in [
            "abc",
            "12,34",
            "1..2",
            "25個",
            "二十五",
            "1e3",
            "NaN",
            "inf",
            "--1",
            ".5",
            "5.",
        ] {
            assert!(
                matches!(parse_quantity(text), Err(QuantityError::NotANumber(_))),
                "{text}"
            );
        }
    }
}
