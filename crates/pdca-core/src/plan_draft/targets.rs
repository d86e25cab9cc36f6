//! Reading targets where annexes write them: after the indicator's name (`25件`, `75％`,
//! `２件以上`, `年間100件`, `2023年度比で2倍`), in brackets after it, possibly on the next lines
//! (`(130件/年)(2025~2029年度累計650件)`, `(累積50件)`, `(2025~2029年累計600件)`), inside the
//! sentence (`2026年度までに着手`), and in sub-targets (`（うち遺伝子治療 ５件）`).
//!
//! One reader per phrase ([`read_phrase`]); the finders work on the text as copied (full-width or
//! half-width digits and brackets, layout spaces) and return byte offsets into it, so that a
//! caller can tell which source line a part came from.

use std::ops::Range;

use crate::normalize::{normalize_text, parse_quantity};
use crate::plan::Comparator;

use super::lines::digit_value;

/// Units a count or level target may be written in; `％` and `%` make a ratio.
const COUNT_UNITS: [&str; 16] = [
    "課題", "品目", "機関", "拠点", "施設", "箇所", "件", "人", "本", "回", "社", "報", "例", "種",
    "名", "者",
];

/// Words that say an indicator has no numeric target (monitored only).
const MONITORED: [&str; 6] = [
    "なし",
    "無し",
    "目標なし",
    "数値目標なし",
    "目標値なし",
    "モニタリング指標",
];

/// Verbs a milestone phrase may end with when it follows the name (`… 2026年度までに着手`).
const MILESTONE_VERBS: [&str; 14] = [
    "着手",
    "達成",
    "実現",
    "開始",
    "整備",
    "策定",
    "完了",
    "構築",
    "確立",
    "実施",
    "導入",
    "実用化",
    "運用開始",
    "取りまとめ",
];

/// Particles a name cut before a target must not end with: the target is then part of the
/// sentence (`待機患者数を半減`, `拠点を2026年度までに整備`), and the whole sentence is the name.
const PARTICLES: [char; 6] = ['を', 'に', 'が', 'は', 'で', 'へ'];

/// At most this many characters before the end of a text are tried as the start of a target
/// phrase; target phrases are short, and this bounds the work on hostile text.
const PHRASE_WINDOW: usize = 64;

/// At most this many bracketed groups are read back from the end of an indicator's text.
const MAX_GROUPS: usize = 8;

/// A target as the annex writes it, one variant per form of the plan format.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum ReadTarget {
    /// `25件`, `2件以上`, `(累積50件)`, `(2025~2029年度累計650件)`, `5年累計10件以下`.
    Count {
        value: f64,
        unit: String,
        comparator: Comparator,
    },
    /// `130件/年`, with the period total when written (`(2025~2029年度累計650件)`).
    PerYear {
        per_year: f64,
        total: Option<f64>,
        unit: String,
    },
    /// `75％`, `10％以下`.
    Ratio { value: f64, comparator: Comparator },
    /// `年間100件`.
    Level {
        value: f64,
        unit: String,
        comparator: Comparator,
    },
    /// `2023年度比で2倍`, `半減` (factor 0.5, baseline year not written).
    Relative {
        factor: f64,
        baseline_fy: Option<i32>,
        comparator: Comparator,
    },
    /// `2026年度までに着手`.
    Milestone { deadline_fy: i32, verb: String },
    /// `（数値目標なし）`, or an empty correction.
    Monitored,
}

/// The years a cumulative figure is counted over, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Span {
    /// `5年累計`.
    Years(u32),
    /// `2025~2029年度累計` / `2025~2029年累計`.
    Range(i32, i32),
    /// `2029年度までに累計`.
    Until(i32),
}

/// A target phrase read: the target, the years it says it covers, and whether it counts calendar
/// years (`2025~2029年累計`, without 度).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Reading {
    pub target: ReadTarget,
    pub span: Option<Span>,
    pub calendar: bool,
}

impl Reading {
    fn of(target: ReadTarget) -> Self {
        Self {
            target,
            span: None,
            calendar: false,
        }
    }

    /// Whether the reading says there is no target.
    pub fn is_monitored(&self) -> bool {
        self.target == ReadTarget::Monitored
    }
}

/// A sub-target `（うち遺伝子治療 ５件）` at the end of an indicator's text.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SubTarget {
    /// The name as written, `うち遺伝子治療` (not yet tidied).
    pub name: String,
    /// Its target.
    pub reading: Reading,
    /// Where the bracketed group lies in the text.
    pub range: Range<usize>,
}

/// One part of a phrase: a target, or the remark that years are calendar years.
enum Part {
    Target(Reading),
    Calendar,
}

/// A cursor over a normalised phrase.
struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Self { rest: s }
    }

    fn eat(&mut self, word: &str) -> bool {
        match self.rest.strip_prefix(word) {
            Some(r) => {
                self.rest = r;
                true
            }
            None => false,
        }
    }

    fn at_end(&self) -> bool {
        self.rest.is_empty()
    }

    /// A number: digits with `,` groups and one `.`.
    fn number(&mut self) -> Option<f64> {
        let len = self
            .rest
            .char_indices()
            .take_while(|(_, c)| c.is_ascii_digit() || matches!(c, ',' | '.'))
            .last()
            .map(|(i, c)| i + c.len_utf8())?;
        let text = &self.rest[..len];
        if !text.starts_with(|c: char| c.is_ascii_digit()) || text.ends_with([',', '.']) {
            return None;
        }
        let value = parse_quantity(text).ok()?;
        self.rest = &self.rest[len..];
        Some(value)
    }

    /// A Western year: exactly four digits.
    fn year(&mut self) -> Option<i32> {
        let digits: String = self.rest.chars().take_while(char::is_ascii_digit).collect();
        if digits.len() != 4 {
            return None;
        }
        let year = digits.parse().ok()?;
        self.rest = &self.rest[4..];
        Some(year)
    }

    /// A small whole number (`5` of `5年累計`).
    fn small(&mut self) -> Option<u32> {
        let digits: String = self.rest.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() || digits.len() > 2 {
            return None;
        }
        let n = digits.parse().ok()?;
        self.rest = &self.rest[digits.len()..];
        Some(n)
    }

    fn unit(&mut self) -> Option<String> {
        let unit = COUNT_UNITS.iter().find(|u| self.rest.starts_with(*u))?;
        self.rest = &self.rest[unit.len()..];
        Some((*unit).to_owned())
    }

    fn comparator(&mut self) -> Comparator {
        if self.eat("以上") {
            Comparator::AtLeast
        } else if self.eat("以下") {
            Comparator::AtMost
        } else {
            Comparator::Reach
        }
    }

    fn tilde(&mut self) -> bool {
        ['~', '-', '‐', '−', '–', '〜', '～']
            .iter()
            .any(|t| self.eat(t.encode_utf8(&mut [0; 4])))
    }
}

/// The phrase with full-width forms made ASCII and white space removed.
fn normalised(text: &str) -> String {
    normalize_text(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '〜' { '~' } else { c })
        .collect()
}

/// Reads a whole target phrase: `25件`, `2件以上`, `75％`, `130件/年、累計650件`,
/// `130件/年（5年累計650件）`, `(2025~2029年累計600件)`, `年間100件`, `2023年度比で2倍`, `半減`,
/// `2026年度までに着手`; `なし`, `数値目標なし` or nothing at all read as monitored only.
pub(super) fn read_phrase(text: &str) -> Option<Reading> {
    if text.chars().count() > PHRASE_WINDOW * 2 {
        return None;
    }
    let s = normalised(text);
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut depth = 0_u32;
    for c in s.chars() {
        match c {
            '(' | '[' | '「' => {
                if depth > 0 {
                    return None;
                }
                segments.push(std::mem::take(&mut current));
                depth = 1;
            }
            ')' | ']' | '」' => {
                if depth == 0 {
                    return None;
                }
                segments.push(std::mem::take(&mut current));
                depth = 0;
            }
            '、' | ';' | '。' if depth == 0 => segments.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    if depth > 0 {
        return None;
    }
    segments.push(current);
    let parts: Vec<Part> = segments
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| read_part(s))
        .collect::<Option<_>>()?;
    if parts.is_empty() {
        return Some(Reading::of(ReadTarget::Monitored));
    }
    merge(parts)
}

/// One segment of a phrase, normalised, without brackets.
fn read_part(p: &str) -> Option<Part> {
    let p = ["目標値:", "目標:", "目標値", "目標"]
        .iter()
        .find_map(|w| p.strip_prefix(w).filter(|r| !r.is_empty()))
        .unwrap_or(p);
    if MONITORED.contains(&p) {
        return Some(Part::Target(Reading::of(ReadTarget::Monitored)));
    }
    if matches!(p, "暦年" | "暦年で数える" | "暦年で集計" | "暦年ベース") {
        return Some(Part::Calendar);
    }
    let found = count(p)
        .or_else(|| ratio(p))
        .or_else(|| level(p))
        .or_else(|| per_year(p))
        .or_else(|| relative(p))
        .or_else(|| milestone(p))?;
    Some(Part::Target(found))
}

/// `25件`, `2件以上`, `累積50件`, `5年累計10件以下`, `2025~2029年度累計650件`,
/// `2025~2029年累計600件` (calendar years), `2029年度までに累計650件`.
fn count(p: &str) -> Option<Reading> {
    let mut c = Cursor::new(p);
    let mut calendar = false;
    let span = span(&mut c, &mut calendar);
    let _ = c.eat("の") || c.eat("で") || c.eat("に");
    let _ = c.eat("累計") || c.eat("累積") || c.eat("合計") || c.eat("計");
    let value = c.number()?;
    let unit = c.unit()?;
    let comparator = c.comparator();
    c.at_end().then_some(Reading {
        target: ReadTarget::Count {
            value,
            unit,
            comparator,
        },
        span,
        calendar,
    })
}

/// The years before a cumulative figure, if written.
fn span(c: &mut Cursor<'_>, calendar: &mut bool) -> Option<Span> {
    let start = c.rest;
    if let Some(from) = c.year() {
        let _ = c.eat("年度") || c.eat("年");
        if c.tilde()
            && let Some(to) = c.year()
        {
            if c.eat("年度") {
                let _ = c.eat("の") || c.eat("間");
                return Some(Span::Range(from, to));
            }
            if c.eat("年") {
                *calendar = true;
                let _ = c.eat("の") || c.eat("間");
                return Some(Span::Range(from, to));
            }
        }
        c.rest = start;
        if c.year().is_some_and(|_| c.eat("年度まで")) {
            let _ = c.eat("に") || c.eat("の");
            return Some(Span::Until(from));
        }
        c.rest = start;
        return None;
    }
    if let Some(n) = c.small() {
        if c.eat("年間") || c.eat("か年") || c.eat("ヶ年") || c.eat("年") {
            return Some(Span::Years(n));
        }
        c.rest = start;
        return None;
    }
    if c.eat("計画期間中")
        || c.eat("計画期間")
        || c.eat("期間中")
        || c.eat("期間内")
        || c.eat("期間")
    {
        return None;
    }
    None
}

/// `75%`, `75%以上`, `10%以下`.
fn ratio(p: &str) -> Option<Reading> {
    let mut c = Cursor::new(p);
    let value = c.number()?;
    if !c.eat("%") {
        return None;
    }
    let comparator = c.comparator();
    c.at_end()
        .then_some(Reading::of(ReadTarget::Ratio { value, comparator }))
}

/// `年間100件`.
fn level(p: &str) -> Option<Reading> {
    let mut c = Cursor::new(p);
    if !(c.eat("年間") || c.eat("毎年度") || c.eat("毎年")) {
        return None;
    }
    let value = c.number()?;
    let unit = c.unit()?;
    let comparator = c.comparator();
    c.at_end().then_some(Reading::of(ReadTarget::Level {
        value,
        unit,
        comparator,
    }))
}

/// `130件/年`.
fn per_year(p: &str) -> Option<Reading> {
    let mut c = Cursor::new(p);
    let per_year = c.number()?;
    let unit = c.unit()?;
    if !(c.eat("/年度") || c.eat("/年") || c.eat("/1年")) {
        return None;
    }
    c.at_end().then_some(Reading::of(ReadTarget::PerYear {
        per_year,
        total: None,
        unit,
    }))
}

/// `2023年度比で2倍`, `2023年度比半減`, `半減`, `倍増`, `2023年度比で0.8倍以下`.
fn relative(p: &str) -> Option<Reading> {
    let mut c = Cursor::new(p);
    let baseline_fy = match c.year() {
        Some(y) => {
            let _ = c.eat("年度") || c.eat("年");
            if !c.eat("比") {
                return None;
            }
            let _ = c.eat("で") || c.eat("に") || c.eat("、");
            Some(y)
        }
        None => None,
    };
    let factor = if c.eat("半減") || c.eat("半分") {
        0.5
    } else if c.eat("倍増") {
        2.0
    } else {
        let f = c.number()?;
        if !c.eat("倍") {
            return None;
        }
        let _ = c.eat("増") || c.eat("に");
        f
    };
    let comparator = c.comparator();
    c.at_end().then_some(Reading::of(ReadTarget::Relative {
        factor,
        baseline_fy,
        comparator,
    }))
}

/// `2026年度までに着手`, `2026年度まで`.
fn milestone(p: &str) -> Option<Reading> {
    let mut c = Cursor::new(p);
    let deadline_fy = c.year()?;
    if !(c.eat("年度まで") || c.eat("年度末まで")) {
        return None;
    }
    let _ = c.eat("に");
    let verb = c.rest;
    if verb.chars().any(|ch| ch.is_ascii_digit()) || verb.chars().count() > 20 {
        return None;
    }
    let verb = if verb.is_empty() { "達成" } else { verb };
    Some(Reading::of(ReadTarget::Milestone {
        deadline_fy,
        verb: verb.to_owned(),
    }))
}

/// One reading from the parts of a phrase: a per-year target and a period total make one
/// per-year target; any other pair is not understood.
fn merge(parts: Vec<Part>) -> Option<Reading> {
    let mut calendar = false;
    let mut readings = Vec::new();
    for part in parts {
        match part {
            Part::Calendar => calendar = true,
            Part::Target(r) => {
                calendar |= r.calendar;
                readings.push(r);
            }
        }
    }
    let mut merged = merge_readings(readings)?;
    merged.calendar |= calendar;
    Some(merged)
}

/// Several readings of one indicator as one (see [`merge`]).
pub(super) fn merge_readings(readings: Vec<Reading>) -> Option<Reading> {
    let mut readings = readings.into_iter();
    let first = readings.next()?;
    let Some(second) = readings.next() else {
        return Some(first);
    };
    if readings.next().is_some() {
        return None;
    }
    let calendar = first.calendar || second.calendar;
    let (yearly, total) = match (&first.target, &second.target) {
        (ReadTarget::PerYear { .. }, ReadTarget::Count { .. }) => (first, second),
        (ReadTarget::Count { .. }, ReadTarget::PerYear { .. }) => (second, first),
        _ => return None,
    };
    match (yearly.target, total.target) {
        (
            ReadTarget::PerYear {
                per_year,
                total: None,
                unit,
            },
            ReadTarget::Count {
                value,
                unit: total_unit,
                comparator: Comparator::Reach,
            },
        ) if unit == total_unit => Some(Reading {
            target: ReadTarget::PerYear {
                per_year,
                total: Some(value),
                unit,
            },
            span: total.span.or(yearly.span),
            calendar,
        }),
        _ => None,
    }
}

/// The target phrase written at the very end of `text` (not a bracketed one) and the byte offset
/// where it starts. The longest phrase that reads wins; "monitored" words are not looked for here.
pub(super) fn trailing_phrase(text: &str) -> Option<(usize, Reading)> {
    let text = text.trim_end();
    let total = text.chars().count();
    let skip = total.saturating_sub(PHRASE_WINDOW);
    let mut prev: Option<char> = None;
    for (k, (i, c)) in text.char_indices().enumerate() {
        let before = prev;
        prev = Some(c);
        if k < skip || c.is_whitespace() {
            continue;
        }
        let rest = &text[i..];
        let is_digit = digit_value(c).is_some();
        let boundary = match before {
            None => true,
            Some(b) if b.is_whitespace() => true,
            Some(b) => {
                let b_numeric = digit_value(b).is_some() || matches!(b, ',' | '，' | '.' | '．');
                (is_digit && !b_numeric)
                    || ["年間", "累計", "累積", "半減", "倍増"]
                        .iter()
                        .any(|w| rest.starts_with(w))
            }
        };
        if !boundary {
            continue;
        }
        if let Some(reading) = read_phrase(rest).filter(|r| !r.is_monitored()) {
            if let ReadTarget::Milestone { verb, .. } = &reading.target
                && !MILESTONE_VERBS.contains(&verb.as_str())
            {
                continue;
            }
            return Some((i, reading));
        }
    }
    None
}

/// A milestone written inside the sentence (`2026年度までに製造拠点の整備に着手`): the deadline
/// and the verb that ends the sentence, if one of the known ones.
pub(super) fn milestone_in_sentence(text: &str) -> Option<Reading> {
    let s = normalised(text);
    let at = s.find("年度まで")?;
    let year: String = s[..at]
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if year.chars().count() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let before_year = s[..at - year.len()].chars().next_back();
    if before_year.is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    let deadline_fy = year.parse().ok()?;
    let verb = MILESTONE_VERBS
        .iter()
        .filter(|v| s.ends_with(*v))
        .max_by_key(|v| v.len())
        .unwrap_or(&"達成");
    Some(Reading::of(ReadTarget::Milestone {
        deadline_fy,
        verb: (*verb).to_owned(),
    }))
}

/// What the end of an indicator's text holds: readable bracketed targets and sub-targets, and
/// where the rest (the name, perhaps followed by a target phrase) ends.
#[derive(Debug, Default)]
pub(super) struct Peeled {
    /// The text before the groups read.
    pub end: usize,
    /// Bracketed target phrases, in source order, with where they lie.
    pub targets: Vec<(Range<usize>, Reading)>,
    /// Sub-targets, in source order.
    pub subs: Vec<SubTarget>,
}

/// Reads bracketed groups back from the end of `text` while they are targets or sub-targets.
pub(super) fn peel(text: &str) -> Peeled {
    let mut peeled = Peeled {
        end: text.trim_end().len(),
        ..Peeled::default()
    };
    for _ in 0..MAX_GROUPS {
        let end = text[..peeled.end].trim_end().len();
        let Some(open) = opening_bracket(&text[..end]) else {
            break;
        };
        let open_len = text[open..].chars().next().map_or(1, char::len_utf8);
        let close_len = text[..end].chars().next_back().map_or(1, char::len_utf8);
        let Some(content) = text.get(open + open_len..end - close_len) else {
            break;
        };
        let content_trimmed = content.trim();
        if content_trimmed.starts_with("うち") {
            let Some((start, reading)) = trailing_phrase(content_trimmed) else {
                break;
            };
            let name = content_trimmed[..start].trim();
            if name.chars().count() <= "うち".chars().count() {
                break;
            }
            peeled.subs.push(SubTarget {
                name: name.to_owned(),
                reading,
                range: open..end,
            });
        } else if let Some(reading) = read_phrase(content) {
            if content_trimmed.is_empty() {
                break;
            }
            peeled.targets.push((open..end, reading));
        } else {
            break;
        }
        peeled.end = open;
    }
    peeled.end = text[..peeled.end].trim_end().len();
    peeled.targets.reverse();
    peeled.subs.reverse();
    peeled
}

/// An indicator's text read: where its name ends, its target, its sub-targets.
#[derive(Debug, Default)]
pub(super) struct IndicatorText {
    /// The name is `text[..name_end]`.
    pub name_end: usize,
    /// The target, if one was read.
    pub reading: Option<Reading>,
    /// Several targets were read that do not make one.
    pub conflict: bool,
    /// A bracketed group with figures that no reader understood ends the text.
    pub unread_figures: bool,
    /// Sub-targets, in source order.
    pub subs: Vec<SubTarget>,
}

/// Reads an indicator's text (its lines joined).
pub(super) fn read_indicator(text: &str) -> IndicatorText {
    let peeled = peel(text);
    let head = &text[..peeled.end];
    let mut readings: Vec<Reading> = Vec::new();
    let mut name_end = peeled.end;
    if let Some((start, reading)) = trailing_phrase(head) {
        readings.push(reading);
        name_end = start;
    }
    readings.extend(peeled.targets.into_iter().map(|(_, r)| r));
    let found = !readings.is_empty();
    let mut reading = merge_readings(readings);
    let conflict = found && reading.is_none();
    if !found && let Some(m) = milestone_in_sentence(head) {
        reading = Some(m);
        name_end = head.len();
    }
    // A target that is part of the sentence leaves the sentence whole as the name.
    if let Some(r) = &reading
        && matches!(
            r.target,
            ReadTarget::Relative { .. } | ReadTarget::Milestone { .. }
        )
        && text[..name_end]
            .trim_end()
            .ends_with(|c| PARTICLES.contains(&c))
    {
        name_end = head.len();
    }
    let unread_figures = reading.is_none()
        && opening_bracket(head)
            .is_some_and(|open| head[open..].chars().any(|c| digit_value(c).is_some()));
    IndicatorText {
        name_end,
        reading,
        conflict,
        unread_figures,
        subs: peeled.subs,
    }
}

/// Whether the whole line is a target (`400件`, `５件`, `10 件`), as when a PDF breaks it from
/// its indicator's name.
pub(super) fn is_target_only(line: &str) -> bool {
    trailing_phrase(line).is_some_and(|(start, _)| line[..start].trim().is_empty())
}

/// Whether the whole line is bracketed targets or sub-targets (`(2025~2029年度累計650件)`), the
/// continuation of an indicator whose first target was on the line before.
pub(super) fn is_bracketed_targets(line: &str) -> bool {
    let peeled = peel(line);
    peeled.end == 0 && !(peeled.targets.is_empty() && peeled.subs.is_empty())
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

/// A number as people write it: an integer without decimals, otherwise as short as it reads.
pub(super) fn figure(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// 以上 / 以下 / nothing.
pub(super) fn comparator_word(c: Comparator) -> &'static str {
    match c {
        Comparator::Reach => "",
        Comparator::AtLeast => "以上",
        Comparator::AtMost => "以下",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<ReadTarget> {
        read_phrase(text).map(|r| r.target)
    }

    fn count(value: f64, comparator: Comparator) -> ReadTarget {
        ReadTarget::Count {
            value,
            unit: "件".into(),
            comparator,
        }
    }

    #[test]
    fn reads_each_phrase() {
        assert_eq!(read("25件"), Some(count(25.0, Comparator::Reach)));
        assert_eq!(read("２件以上"), Some(count(2.0, Comparator::AtLeast)));
        assert_eq!(
            read("5年累計10件以下"),
            Some(count(10.0, Comparator::AtMost))
        );
        assert_eq!(read("累積50件"), Some(count(50.0, Comparator::Reach)));
        assert_eq!(read("１，２００件"), Some(count(1200.0, Comparator::Reach)));
        assert_eq!(
            read("75％"),
            Some(ReadTarget::Ratio {
                value: 75.0,
                comparator: Comparator::Reach
            })
        );
        assert_eq!(
            read("130件/年、累計650件"),
            Some(ReadTarget::PerYear {
                per_year: 130.0,
                total: Some(650.0),
                unit: "件".into()
            })
        );
        assert_eq!(
            read("(130件/年)(2025~2029年度累計650件)"),
            read("130件/年（5年累計650件）")
        );
        let calendar = read_phrase("（2025～2029年累計600件）").unwrap_or_else(|| panic!());
        assert!(calendar.calendar);
        assert_eq!(calendar.span, Some(Span::Range(2025, 2029)));
        assert_eq!(
            read("2023年度比で2倍"),
            Some(ReadTarget::Relative {
                factor: 2.0,
                baseline_fy: Some(2023),
                comparator: Comparator::Reach
            })
        );
        assert_eq!(
            read("半減"),
            Some(ReadTarget::Relative {
                factor: 0.5,
                baseline_fy: None,
                comparator: Comparator::Reach
            })
        );
        assert_eq!(
            read("2026年度までに着手"),
            Some(ReadTarget::Milestone {
                deadline_fy: 2026,
                verb: "着手".into()
            })
        );
        assert_eq!(read("なし"), Some(ReadTarget::Monitored));
        assert_eq!(read(""), Some(ReadTarget::Monitored));
        for unread in [
            "新薬、適応拡大",
            "件",
            "130件/年程度",
            "25件、30件",
            "うち5件",
        ] {
            assert_eq!(read(unread), None, "{unread}");
        }
    }

    #[test]
    fn finds_the_target_after_the_name() {
        let text = "非臨床 POCの取得件数 25件（うち遺伝子治療 ５件）";
        let read = read_indicator(text);
        assert_eq!(&text[..read.name_end].trim_end(), &"非臨床 POCの取得件数");
        assert_eq!(read.subs.len(), 1);
        assert_eq!(read.subs[0].name, "うち遺伝子治療");
        let text = "開発件数５件";
        assert_eq!(&text[..read_indicator(text).name_end], "開発件数");
        let text = "2026年度までに製造拠点の整備に着手";
        let read = read_indicator(text);
        assert_eq!(read.name_end, text.len());
        assert!(matches!(
            read.reading.map(|r| r.target),
            Some(ReadTarget::Milestone {
                deadline_fy: 2026,
                ..
            })
        ));
        let kept = "臨床研究に移行した研究課題数（うち遺伝子治療の研究課題数）";
        let read = read_indicator(kept);
        assert_eq!((read.name_end, read.reading), (kept.len(), None));
        assert!(!brackets_closed("10件（うち遺伝子"));
        assert!(is_target_only("400件 "));
        assert!(!is_target_only("論文掲載件数 400件"));
        assert!(is_bracketed_targets("（2025~2029年度累計650件）"));
        assert!(read_indicator("採択件数（130件/年程度）").unread_figures);
    }
}
