//! The cells of an achievements file that are more than text: dates in the forms Japanese
//! offices write them, yes/no flags, web links, and the bounds of a year.

use time::{Date, Month};

use crate::fiscal_year::{Era, FiscalYear};
use crate::normalize::normalize_text;
use crate::plan::Counting;

/// White space collapsed to single spaces, the characters kept as written.
pub(super) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) fn too_long(text: &str, max: usize) -> bool {
    text.chars().nth(max).is_some()
}

/// The start of an overlong cell, for the error's quoted text.
pub(super) fn shortened(text: &str) -> String {
    let mut s: String = text.chars().take(40).collect();
    if text.chars().nth(40).is_some() {
        s.push('…');
    }
    s
}

pub(super) fn is_web_link(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            !host.is_empty() && !url.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// 可／否 and the other pairs (公開／非公開 and あり／なし as people write them); blank is no.
pub(super) fn flag(text: &str) -> Option<bool> {
    let t = normalize_text(text).to_lowercase();
    match t.as_str() {
        "" => Some(false),
        "可" | "はい" | "あり" | "公開" | "○" | "〇" | "◯" | "yes" | "true" | "1" => {
            Some(true)
        }
        "否" | "いいえ" | "なし" | "非公開" | "×" | "✕" | "x" | "no" | "false" | "0" => {
            Some(false)
        }
        _ => None,
    }
}

/// A date written 2024-04-01, 2024/4/1, 2024.4.1, 2024年4月1日 or 令和6年4月1日 (full-width too).
pub(super) fn parse_date(text: &str) -> Option<Date> {
    let s: String = normalize_text(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let eras = [Era::Reiwa, Era::Heisei, Era::Showa];
    let (year, rest) = match eras
        .iter()
        .find_map(|era| s.strip_prefix(era.kanji()).map(|r| (*era, r)))
    {
        Some((era, rest)) => {
            let (n, rest) = rest.split_once('年')?;
            let n: i32 = if n == "元" { 1 } else { digits(n, 1, 2)? };
            if n < 1 {
                return None;
            }
            (era.first_year() + n - 1, rest.to_owned())
        }
        None => {
            let end = s.find(|c: char| !c.is_ascii_digit())?;
            let (y, rest) = s.split_at(end);
            if y.len() != 4 {
                return None;
            }
            (y.parse().ok()?, rest.to_owned())
        }
    };
    let (month, day) = if let Some(rest) = rest.strip_prefix('年') {
        let (m, d) = rest.split_once('月')?;
        (m.to_owned(), d.strip_suffix('日')?.to_owned())
    } else if rest.contains('月') {
        let (m, d) = rest.split_once('月')?;
        (m.to_owned(), d.strip_suffix('日')?.to_owned())
    } else {
        let sep = rest.chars().next()?;
        if !matches!(sep, '-' | '/' | '.') {
            return None;
        }
        let mut parts = rest[sep.len_utf8()..].split(sep);
        let (m, d) = (parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        (m.to_owned(), d.to_owned())
    };
    let month = Month::try_from(u8::try_from(digits(&month, 1, 2)?).ok()?).ok()?;
    let day = u8::try_from(digits(&day, 1, 2)?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

fn digits(s: &str, min: usize, max: usize) -> Option<i32> {
    if (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// The first and last day of `year` as the indicator counts it.
pub(super) fn year_bounds(counting: Counting, year: FiscalYear) -> (Date, Date) {
    let y = year.year();
    let date = |y: i32, m: Month, d: u8| Date::from_calendar_date(y, m, d).unwrap_or(Date::MIN);
    match counting {
        Counting::FiscalYear => (date(y, Month::April, 1), date(y + 1, Month::March, 31)),
        Counting::CalendarYear => (date(y, Month::January, 1), date(y, Month::December, 31)),
    }
}

pub(super) fn in_year(counting: Counting, year: FiscalYear, d: Date) -> bool {
    let (first, last) = year_bounds(counting, year);
    first <= d && d <= last
}

pub(super) fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Option<String> {
        parse_date(text).map(iso)
    }

    #[test]
    fn dates_in_each_accepted_form_and_no_other() {
        assert_eq!(date("2024-04-01").as_deref(), Some("2024-04-01"));
        assert_eq!(date("2024/4/1").as_deref(), Some("2024-04-01"));
        assert_eq!(date("２０２４／４／１").as_deref(), Some("2024-04-01"));
        assert_eq!(date("2024年4月1日").as_deref(), Some("2024-04-01"));
        assert_eq!(date("令和6年4月1日").as_deref(), Some("2024-04-01"));
        assert_eq!(date("令和元年5月1日").as_deref(), Some("2019-05-01"));
        assert_eq!(date("平成31年4月30日").as_deref(), Some("2019-04-30"));
        for bad in [
            "2024-02-30",
            "24-4-1",
            "2024-4",
            "2024-4-1-1",
            "2024/4-1",
            "令和0年4月1日",
            "令和6年4月",
            "4月1日",
            "昨日",
            "",
        ] {
            assert_eq!(date(bad), None, "{bad}");
        }
    }

    #[test]
    fn flags_and_links() {
        assert_eq!(flag(""), Some(false));
        assert_eq!(flag(" Ｙｅｓ "), Some(true));
        assert_eq!(flag("maybe"), None);
        assert!(is_web_link("https://example.jp/a?b#c"));
        assert!(!is_web_link("https://"));
        assert!(!is_web_link("https://example.jp/a b"));
        assert!(!is_web_link("javascript:alert(1)"));
    }
}
