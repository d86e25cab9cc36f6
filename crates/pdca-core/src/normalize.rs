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

/// Whether a text may span lines: a narrative, note, comment or opinion may hold tabs and line
/// breaks; a name, id, label or number may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// One line: names, ids, labels, numbers, dates.
    SingleLine,
    /// Running text: tabs, line feeds and carriage returns are allowed.
    MultiLine,
}

/// A control character where none may be: NUL and the other C0 controls (U+0000–U+001F) and DEL
/// (U+007F), except tab and line breaks in multi-line text. PostgreSQL refuses NUL in text and
/// the others corrupt files, terminals and reports, so every entry path refuses them with this.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{field}に制御文字（{}）が含まれています（{position}文字目）。制御文字は使えません{}",
    control_name(*.character),
    match .kind {
        TextKind::SingleLine => "（改行・タブも使えません）",
        TextKind::MultiLine => "（改行とタブは使えます）",
    }
)]
pub struct ControlCharacter {
    /// The field, cell or key the text was given for, as the message should name it.
    pub field: String,
    /// The first offending character.
    pub character: char,
    /// Its position in the text, counting characters from 1.
    pub position: usize,
    /// Which rule was applied.
    pub kind: TextKind,
}

/// `U+0000 NUL` and the like, so that the message shows an invisible character.
fn control_name(c: char) -> String {
    const NAMES: [&str; 32] = [
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT", "FF",
        "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM",
        "SUB", "ESC", "FS", "GS", "RS", "US",
    ];
    let name = NAMES
        .get(c as usize)
        .copied()
        .unwrap_or(if c == '\u{7f}' { "DEL" } else { "" });
    format!("U+{:04X} {name}", u32::from(c))
        .trim_end()
        .to_owned()
}

/// Whether `c` is refused in a text of `kind`.
pub fn is_refused_control(c: char, kind: TextKind) -> bool {
    match c {
        '\t' | '\n' | '\r' => kind == TextKind::SingleLine,
        '\u{0}'..='\u{1f}' | '\u{7f}' => true,
        _ => false,
    }
}

/// The first refused control character of `text` and its position (from 1, in characters).
pub fn find_control(text: &str, kind: TextKind) -> Option<(usize, char)> {
    // Most texts are free of any byte below 0x20 or 0x7f; scanning bytes first keeps large
    // imports fast. Control characters are ASCII, so they never sit inside a multi-byte sequence.
    if !text.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return None;
    }
    text.chars()
        .enumerate()
        .find(|&(_, c)| is_refused_control(c, kind))
        .map(|(i, c)| (i + 1, c))
}

/// `text` with every control character shown as its Control Pictures symbol (U+0000 as ␀,
/// DEL as ␡), for quoting refused input in a message, a page or a terminal.
pub fn show_controls(text: &str) -> Cow<'_, str> {
    if !text.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)).unwrap_or(c),
                '\u{7f}' => '\u{2421}',
                _ => c,
            })
            .collect(),
    )
}

/// Refuses a text holding a control character that `kind` does not allow, naming `field` (the
/// form field, cell or key, as a person would recognise it) in the error.
pub fn check_controls(field: &str, text: &str, kind: TextKind) -> Result<(), ControlCharacter> {
    match find_control(text, kind) {
        None => Ok(()),
        Some((position, character)) => Err(ControlCharacter {
            field: field.to_owned(),
            character,
            position,
            kind,
        }),
    }
}

/// A cell of an imported file checked for control characters as it will be read: a one-line
/// cell is trimmed first (a line break a spreadsheet left at its end is no error; one inside it
/// is). Returns the cell shown with its controls visible and the error (its position counted in
/// the cell as written), or `None` when the cell is clean.
pub fn cell_control_error(
    field: &str,
    cell: &str,
    kind: TextKind,
) -> Option<(String, ControlCharacter)> {
    let checked = match kind {
        TextKind::SingleLine => cell.trim(),
        TextKind::MultiLine => cell,
    };
    find_control(checked, kind)?;
    let mut e = check_controls(field, checked, kind).err()?;
    e.position += cell.chars().count() - cell.trim_start().chars().count();
    Some((show_controls(cell).into_owned(), e))
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
    use proptest::prelude::*;

    #[test]
    fn refuses_nul_and_other_controls_naming_the_field() {
        let e = check_controls("備考（note）", "進捗\u{0}あり", TextKind::MultiLine);
        let Err(e) = e else { panic!("NUL is refused") };
        assert_eq!((e.character, e.position), ('\u{0}', 3));
        let message = e.to_string();
        for says in ["備考（note）", "U+0000 NUL", "3文字目"] {
            assert!(message.contains(says), "{message} lacks {says}");
        }
        for c in [
            '\u{1}', '\u{8}', '\u{b}', '\u{c}', '\u{1b}', '\u{1f}', '\u{7f}',
        ] {
            for kind in [TextKind::SingleLine, TextKind::MultiLine] {
                let text = format!("a{c}b");
                assert!(check_controls("f", &text, kind).is_err(), "{c:?} {kind:?}");
            }
        }
        assert!(
            check_controls("f", "x\u{7f}", TextKind::SingleLine)
                .is_err_and(|e| e.to_string().contains("U+007F DEL"))
        );
    }

    #[test]
    fn tabs_and_line_breaks_only_in_multi_line_text() {
        let text = "一行目\r\n二行目\n\t三行目\r";
        assert_eq!(check_controls("f", text, TextKind::MultiLine), Ok(()));
        for c in ['\t', '\n', '\r'] {
            let e = check_controls("名称（name）", &format!("名{c}前"), TextKind::SingleLine);
            assert!(e.is_err_and(|e| e.position == 2 && e.to_string().contains("名称（name）")));
        }
        // Japanese, full-width spaces and C1/other Unicode are not C0 controls.
        assert_eq!(
            check_controls("f", "医療　研究 ①ｱ\u{85}\u{2028}", TextKind::SingleLine),
            Ok(())
        );
    }

    #[test]
    fn shows_controls_as_pictures() {
        assert_eq!(
            show_controls("a\u{0}b\u{7f}\n"),
            "a\u{2400}b\u{2421}\u{240a}"
        );
        assert!(matches!(show_controls("そのまま"), Cow::Borrowed(_)));
    }

    fn any_kind() -> impl Strategy<Value = TextKind> {
        prop_oneof![Just(TextKind::SingleLine), Just(TextKind::MultiLine)]
    }

    proptest! {
        #[test]
        fn a_text_without_c0_or_del_passes(text in "[^\\x00-\\x1f\\x7f]*", kind in any_kind()) {
            prop_assert_eq!(check_controls("f", &text, kind), Ok(()));
        }

        #[test]
        fn any_refused_control_anywhere_is_found_at_its_position(
            before in "[^\\x00-\\x1f\\x7f]{0,20}",
            after in "\\PC{0,20}",
            code in prop_oneof![0_u32..0x20, Just(0x7f)],
            kind in any_kind(),
        ) {
            let c = char::from_u32(code).unwrap_or('\u{0}');
            let text = format!("{before}{c}{after}");
            let allowed = kind == TextKind::MultiLine && matches!(c, '\t' | '\n' | '\r');
            match check_controls("f", &text, kind) {
                Ok(()) => prop_assert!(allowed, "{:?} passed", c),
                Err(e) => {
                    prop_assert!(!allowed);
                    prop_assert_eq!(e.character, c);
                    prop_assert_eq!(e.position, before.chars().count() + 1);
                }
            }
        }
    }

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
