//! Reading targets where the annex writes them: after the indicator's name (`25件`, `75％`,
//! `２件以上`), and in sub-targets after it (`（うち遺伝子治療 ５件）`).
//!
//! Everything works on the text as copied (full-width or half-width digits, layout spaces), and
//! returns byte offsets into it, so that a caller can tell which source line a part came from.

use std::ops::Range;

use crate::normalize::{normalize_text, parse_quantity};
use crate::plan::Comparator;

use super::lines::digit_value;

/// Units a count target may be written in; `％` and `%` make a ratio.
const COUNT_UNITS: [&str; 8] = ["件", "課題", "人", "品目", "本", "回", "機関", "社"];

/// A target read from the text.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ReadTarget {
    /// The figure.
    pub value: f64,
    /// `件` (or another count unit) or `%`.
    pub unit: String,
    /// 以上 → at least, 以下 → at most, otherwise reach.
    pub comparator: Comparator,
}

impl ReadTarget {
    /// Whether the target is a percentage (a ratio indicator).
    pub fn is_ratio(&self) -> bool {
        self.unit == "%"
    }
}

/// A sub-target `（うち遺伝子治療 ５件）` at the end of an indicator's text.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SubTarget {
    /// The name as written, `うち遺伝子治療` (not yet tidied).
    pub name: String,
    /// Its target.
    pub target: ReadTarget,
    /// Where the bracketed group lies in the text.
    pub range: Range<usize>,
}

/// The target written at the very end of `text` and the byte offset where it starts.
pub(super) fn trailing_target(text: &str) -> Option<(usize, ReadTarget)> {
    let mut rest = text.trim_end();
    let mut comparator = Comparator::Reach;
    for (word, c) in [("以上", Comparator::AtLeast), ("以下", Comparator::AtMost)] {
        if let Some(r) = rest.strip_suffix(word) {
            rest = r.trim_end();
            comparator = c;
        }
    }
    let unit = ["％", "%"]
        .iter()
        .chain(COUNT_UNITS.iter())
        .find(|u| rest.ends_with(*u))?;
    rest = rest[..rest.len() - unit.len()].trim_end();
    let number_start = rest
        .char_indices()
        .rev()
        .take_while(|(_, c)| digit_value(*c).is_some() || matches!(c, ',' | '，' | '.' | '．'))
        .last()
        .map(|(i, _)| i)?;
    let number = &rest[number_start..];
    // A number starts with a digit, not with a separator.
    number.chars().next().and_then(digit_value)?;
    let value = parse_quantity(number).ok()?;
    Some((
        number_start,
        ReadTarget {
            value,
            unit: normalize_text(unit),
            comparator,
        },
    ))
}

/// A cumulative target written in brackets after the name, `（累積50件）`, and where the
/// bracket opens. (Other bracketed forms, `(130件/年)(2025~2029年度累計650件)`, are for a later
/// reader; they are left unread and the indicator needs a person.)
pub(super) fn bracketed_target(text: &str) -> Option<(usize, ReadTarget)> {
    let text = text.trim_end();
    let open = opening_bracket(text)?;
    let open_len = text[open..].chars().next().map_or(1, char::len_utf8);
    let close_len = text.chars().next_back().map_or(1, char::len_utf8);
    let content = text.get(open + open_len..text.len() - close_len)?.trim();
    let figure = ["累積", "累計"]
        .iter()
        .find_map(|word| content.strip_prefix(word))?;
    if !is_target_only(figure) {
        return None;
    }
    trailing_target(figure).map(|(_, target)| (open, target))
}

/// Whether the whole line is a target (`400件`, `５件`, `10 件`), as when a PDF breaks it from
/// its indicator's name.
pub(super) fn is_target_only(line: &str) -> bool {
    trailing_target(line).is_some_and(|(start, _)| line[..start].trim().is_empty())
}

/// The sub-targets `（うち… N件）` at the end of `text`, in the order written, and the byte offset
/// where they begin (the text's length when there are none).
pub(super) fn trailing_sub_targets(text: &str) -> (usize, Vec<SubTarget>) {
    let mut end = text.trim_end().len();
    let mut found = Vec::new();
    while let Some(open) = opening_bracket(&text[..end]) {
        let close_len = text[..end].chars().next_back().map_or(1, char::len_utf8);
        let open_len = text[open..].chars().next().map_or(1, char::len_utf8);
        let content = &text[open + open_len..end - close_len];
        let Some((start, target)) = trailing_target(content) else {
            break;
        };
        let name = content[..start].trim();
        if !name.starts_with("うち") {
            break;
        }
        found.push(SubTarget {
            name: name.to_owned(),
            target,
            range: open..end,
        });
        end = text[..open].trim_end().len();
    }
    found.reverse();
    (end, found)
}

/// Where the bracketed group that closes `text` opens, if `text` ends with `）` or `)`.
fn opening_bracket(text: &str) -> Option<usize> {
    if !text.ends_with(['）', ')']) {
        return None;
    }
    let mut depth = 0_usize;
    for (i, c) in text.char_indices().rev() {
        match c {
            '）' | ')' => depth += 1,
            '（' | '(' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether the brackets of `text` are all closed (a line broken inside `（うち…）` is not).
pub(super) fn brackets_closed(text: &str) -> bool {
    let open = text.chars().filter(|c| matches!(c, '（' | '(')).count();
    let close = text.chars().filter(|c| matches!(c, '）' | ')')).count();
    open <= close
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(text: &str) -> Option<(String, f64, String, Comparator)> {
        trailing_target(text).map(|(start, t)| {
            (
                text[..start].trim().to_owned(),
                t.value,
                t.unit,
                t.comparator,
            )
        })
    }

    #[test]
    fn reads_targets_after_the_name() {
        assert_eq!(
            target("非臨床 POCの取得件数 25件"),
            Some((
                "非臨床 POCの取得件数".into(),
                25.0,
                "件".into(),
                Comparator::Reach
            ))
        );
        assert_eq!(
            target("薬事承認件数（新薬、適応拡大） ２件以上"),
            Some((
                "薬事承認件数（新薬、適応拡大）".into(),
                2.0,
                "件".into(),
                Comparator::AtLeast
            ))
        );
        assert_eq!(
            target("採択課題の割合 75％ "),
            Some(("採択課題の割合".into(), 75.0, "%".into(), Comparator::Reach))
        );
        assert_eq!(
            target("開発件数５件"),
            Some(("開発件数".into(), 5.0, "件".into(), Comparator::Reach))
        );
        assert_eq!(target("創薬支援ネットワークの活動状況"), None);
        assert_eq!(target("件"), None);
        assert!(is_target_only("400件 "));
        let cumulative = "臨床研究の件数（累積50件）";
        let (start, t) = bracketed_target(cumulative).unwrap_or_else(|| panic!("read"));
        assert_eq!((&cumulative[..start], t.value), ("臨床研究の件数", 50.0));
        assert_eq!(bracketed_target("採択件数(130件/年)"), None);
        assert_eq!(bracketed_target("件数（うち遺伝子治療 5件）"), None);
        assert!(!is_target_only("論文掲載件数 400件"));
    }

    #[test]
    fn reads_several_sub_targets() {
        let text = "研究課題数 10件（うち遺伝子治療２件）（うち企業へ導出された件数 ２件）";
        let (end, subs) = trailing_sub_targets(text);
        assert_eq!(&text[..end], "研究課題数 10件");
        let names: Vec<_> = subs
            .iter()
            .map(|s| (s.name.as_str(), s.target.value))
            .collect();
        assert_eq!(
            names,
            [("うち遺伝子治療", 2.0), ("うち企業へ導出された件数", 2.0)]
        );
        let kept = "臨床研究に移行した研究課題数（うち遺伝子治療の研究課題数）";
        assert_eq!(trailing_sub_targets(kept), (kept.len(), vec![]));
        assert!(!brackets_closed("10件（うち遺伝子"));
    }
}
