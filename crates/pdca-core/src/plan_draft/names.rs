//! Names as the plan format wants them: without footnote markers (`POC1の` → `POCの`), without
//! the spaces and line breaks of a PDF layout, with half-width digits and Latin letters, and
//! with the plan's own full-width brackets, ・, ／ and Roman numerals kept.

use std::collections::BTreeSet;

use crate::normalize::normalize_text;

use super::lines::digit_value;

/// A footnote marker found in a name: its number and the term it is glued to (`POC`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Marker {
    /// The footnote's number.
    pub number: u32,
    /// The word before the marker, the glossary's term.
    pub term: String,
}

/// Characters after a number that make it a quantity, not a footnote marker (`2期`, `5以上`).
const COUNTERS: &str = "件年月日回人倍割%％課本品種社名期次者位歳つ分時以未超";

fn is_katakana(c: char) -> bool {
    ('\u{30A0}'..='\u{30FF}').contains(&c) && c != '・'
}

fn is_kanji(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

fn is_hiragana(c: char) -> bool {
    ('\u{3040}'..='\u{309F}').contains(&c)
}

fn is_full_width_digit(c: char) -> bool {
    digit_value(c).is_some() && !c.is_ascii_digit()
}

/// Full-width digits and Latin letters, the characters the plan format writes half-width.
fn is_full_width_alphanumeric(c: char) -> bool {
    c.is_alphanumeric() && ('\u{FF10}'..='\u{FF5A}').contains(&c)
}

/// `text` without its footnote markers, and the markers found.
///
/// A marker is a run of one or two half-width digits glued to the word before it and not a
/// quantity: followed by a full-width digit (`インパクトファクター2５以上`: the text's own number is
/// full-width), or by a letter that no quantity takes (`POC1の`) when the number is that of a
/// footnote of the annex, or when it follows Latin letters and precedes a hiragana particle.
pub(super) fn strip_markers(text: &str, footnotes: &BTreeSet<u32>) -> (String, Vec<Marker>) {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut markers = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !c.is_ascii_digit() {
            out.push(c);
            i += 1;
            continue;
        }
        let run_end = (i..chars.len())
            .find(|&j| !chars[j].is_ascii_digit())
            .unwrap_or(chars.len());
        let run: String = chars[i..run_end].iter().collect();
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(run_end).copied();
        let glued = before.is_some_and(|b| {
            b.is_ascii_alphabetic() || is_katakana(b) || is_kanji(b) || is_hiragana(b)
        }) && before != Some('第');
        let number = run.parse::<u32>().ok().filter(|_| run.len() <= 2);
        let is_marker = glued
            && number.is_some()
            && after.is_some_and(|a| {
                is_full_width_digit(a)
                    || (!COUNTERS.contains(a)
                        && !a.is_ascii_alphanumeric()
                        && !matches!(a, '.' | ',' | '~' | '〜' | '～' | '/' | '-')
                        && (number.is_some_and(|n| footnotes.contains(&n))
                            || (before.is_some_and(|b| b.is_ascii_alphabetic()) && is_hiragana(a))))
            });
        match number {
            Some(number) if is_marker => {
                markers.push(Marker {
                    number,
                    term: term_before(&chars[..i]),
                });
            }
            _ => out.push_str(&run),
        }
        i = run_end;
    }
    (out, markers)
}

/// The word a marker is glued to: the run of Latin letters, katakana or kanji before it.
fn term_before(chars: &[char]) -> String {
    let Some(&last) = chars.last() else {
        return String::new();
    };
    let same: fn(char) -> bool = if last.is_ascii_alphabetic() {
        |c| c.is_ascii_alphabetic()
    } else if is_katakana(last) {
        is_katakana
    } else if is_kanji(last) {
        is_kanji
    } else {
        is_hiragana
    };
    let start = chars.iter().rposition(|c| !same(*c)).map_or(0, |p| p + 1);
    chars[start..].iter().collect()
}

/// Whether a space between `a` and `b` is a word space to keep (`Proof of Concept`), not layout.
fn word_space(a: char, b: char) -> bool {
    let latin = |c: char| c.is_ascii_alphanumeric() || is_full_width_alphanumeric(c);
    latin(a) && latin(b)
}

/// The tidy form of a name: layout spaces dropped (kept between two Latin words), full-width
/// digits and Latin letters made half-width, control characters removed.
pub(super) fn tidy_name(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut joined = String::with_capacity(text.len());
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            let a = joined.chars().next_back();
            let b = word.chars().next();
            if let (Some(a), Some(b)) = (a, b)
                && word_space(a, b)
            {
                joined.push(' ');
            }
        }
        joined.push_str(word);
    }
    joined
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| {
            if is_full_width_alphanumeric(c) {
                // The existing normalisation, limited to what the plan format makes half-width.
                normalize_text(&c.to_string()).chars().next().unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// The separator to put between two lines of one broken name: none in Japanese, a space
/// between two Latin words.
pub(super) fn line_joint(before: &str, after: &str) -> &'static str {
    match (before.chars().next_back(), after.chars().next()) {
        (Some(a), Some(b)) if word_space(a, b) => " ",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripped(text: &str, footnotes: &[u32]) -> (String, Vec<(u32, String)>) {
        let known = footnotes.iter().copied().collect();
        let (s, m) = strip_markers(text, &known);
        (s, m.into_iter().map(|m| (m.number, m.term)).collect())
    }

    #[test]
    fn strips_glued_footnote_markers() {
        assert_eq!(
            stripped("非臨床 POC1の取得件数", &[1, 2]),
            ("非臨床 POCの取得件数".into(), vec![(1, "POC".into())])
        );
        // Without the footnote line, Latin letters + digit + particle is still a marker.
        assert_eq!(
            stripped("非臨床 POC1の取得件数", &[]).0,
            "非臨床 POCの取得件数"
        );
        assert_eq!(
            stripped("科学誌（インパクトファクター2５以上）", &[1, 2]),
            (
                "科学誌（インパクトファクター５以上）".into(),
                vec![(2, "インパクトファクター".into())]
            )
        );
        for kept in [
            "2024 年度",
            "第2期",
            "令和2年",
            "ファクター5以上",
            "COVID-19の",
            "Society5.0",
        ] {
            assert_eq!(stripped(kept, &[1, 2, 5, 19]).0, kept, "{kept}");
        }
    }

    #[test]
    fn tidies_names() {
        assert_eq!(tidy_name("非臨床 POCの取得件数"), "非臨床POCの取得件数");
        assert_eq!(
            tidy_name("インパクトファクター５以上"),
            "インパクトファクター5以上"
        );
        assert_eq!(tidy_name("－３独法（Ａ／Ｂ）"), "－3独法（A／B）");
        assert_eq!(tidy_name("クラスⅢ・Ⅳ医療機器"), "クラスⅢ・Ⅳ医療機器");
        assert_eq!(tidy_name("Proof of Concept"), "Proof of Concept");
    }
}
