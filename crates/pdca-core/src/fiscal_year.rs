//! Japanese fiscal years (April–March) and the Japanese era calendar (和暦).
//!
//! A fiscal year is named after the era in force at the end of the calendar year it starts in.
//! FY2019 straddles the change of era on 2019-05-01: pdca names it 令和元年度, the era in force
//! for eleven of its twelve months, and accepts 平成31年度 as the same year when parsing. FY1988
//! (to 1989-03-31) is 昭和63年度, as it was called: 平成 began in its last quarter.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::normalize::normalize_text;

/// The earliest and latest fiscal years pdca accepts; anything outside is a typing error.
const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2200;

/// A Japanese fiscal year, named by the calendar year in which it starts (FY2022 = 2022-04-01 to
/// 2023-03-31 = 令和4年度).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct FiscalYear(i32);

/// Why a text is not a fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FiscalYearError {
    /// The text matches none of the accepted forms.
    #[error("「{0}」は年度として読めません（例: 2022, FY2022, 令和4年度, R4）")]
    Unrecognised(String),
    /// The year is outside the range pdca accepts.
    #[error("年度 {0} は範囲外です（{MIN_YEAR}〜{MAX_YEAR}）")]
    OutOfRange(i64),
}

impl FiscalYear {
    /// The fiscal year starting in April of `year`.
    pub fn new(year: i32) -> Result<Self, FiscalYearError> {
        if (MIN_YEAR..=MAX_YEAR).contains(&year) {
            Ok(Self(year))
        } else {
            Err(FiscalYearError::OutOfRange(i64::from(year)))
        }
    }

    /// The calendar year in which this fiscal year starts.
    pub fn year(self) -> i32 {
        self.0
    }

    /// The fiscal year containing a calendar date (January–March belong to the previous year).
    pub fn containing(year: i32, month: u32) -> Result<Self, FiscalYearError> {
        Self::new(if month >= 4 { year } else { year - 1 })
    }

    /// The following fiscal year.
    pub fn next(self) -> Self {
        Self(self.0 + 1)
    }

    /// The era and era year of this fiscal year (FY2019 is 令和元年度, FY1988 昭和63年度; see
    /// the module doc). The era year is at least 1 for every fiscal year pdca accepts.
    pub fn era_year(self) -> (Era, i32) {
        // The era in force on December 31 of the year the fiscal year starts in: an era that
        // begins in April–December names the year (as 令和 FY2019); one that begins in
        // January–March names the next (平成 began on 1989-01-08: FY1988 is 昭和63年度).
        era_of_date(self.0, 12, 31)
    }

    /// The fiscal year in Japanese: 令和4年度, 令和元年度.
    pub fn wareki(self) -> String {
        let (era, n) = self.era_year();
        format!("{}{}年度", era.kanji(), era_number(n))
    }

    /// Short form used in tables: R4, H30.
    pub fn wareki_short(self) -> String {
        let (era, n) = self.era_year();
        format!("{}{n}", era.letter())
    }
}

impl TryFrom<i32> for FiscalYear {
    type Error = FiscalYearError;
    fn try_from(year: i32) -> Result<Self, Self::Error> {
        Self::new(year)
    }
}

impl From<FiscalYear> for i32 {
    fn from(fy: FiscalYear) -> i32 {
        fy.0
    }
}

impl fmt::Display for FiscalYear {
    /// `FY2022`, the form used in identifiers, CSV and JSON-adjacent text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FY{}", self.0)
    }
}

impl FromStr for FiscalYear {
    type Err = FiscalYearError;

    /// Accepts "2022", "２０２２", "FY2022", "2022年度", "令和4年度", "令和元年度", "R4", "Ｒ４",
    /// "H30", "平成30年度" (full-width and half-width alike, spaces ignored).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let unrecognised = || FiscalYearError::Unrecognised(text.to_owned());
        let s: String = normalize_text(text)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let s = s.strip_suffix("年度").unwrap_or(&s);
        let upper = s.to_ascii_uppercase();
        let digits = upper.strip_prefix("FY").unwrap_or(&upper);
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            let year: i64 = digits.parse().map_err(|_| unrecognised())?;
            if digits.len() != 4 {
                return Err(unrecognised());
            }
            return i32::try_from(year)
                .map_err(|_| FiscalYearError::OutOfRange(year))
                .and_then(Self::new);
        }
        for era in Era::ALL {
            let rest = s
                .strip_prefix(era.kanji())
                .or_else(|| upper.strip_prefix(era.letter()));
            if let Some(rest) = rest {
                let rest = rest.strip_suffix('年').unwrap_or(rest);
                let n: i32 = if rest == "元" {
                    1
                } else if !rest.is_empty()
                    && rest.len() <= 3
                    && rest.chars().all(|c| c.is_ascii_digit())
                {
                    rest.parse().map_err(|_| unrecognised())?
                } else {
                    return Err(unrecognised());
                };
                if n < 1 {
                    return Err(unrecognised());
                }
                return Self::new(era.first_year() + n - 1);
            }
        }
        Err(unrecognised())
    }
}

/// A Japanese era (元号).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// 明治 (1868-01-25 – 1912-07-29)
    Meiji,
    /// 大正 (1912-07-30 – 1926-12-24)
    Taisho,
    /// 昭和 (1926-12-25 – 1989-01-07)
    Showa,
    /// 平成 (1989-01-08 – 2019-04-30)
    Heisei,
    /// 令和 (from 2019-05-01)
    Reiwa,
}

impl Era {
    /// Newest first, the order in which dates are matched.
    const ALL: [Era; 5] = [Era::Reiwa, Era::Heisei, Era::Showa, Era::Taisho, Era::Meiji];

    /// 令和, 平成, 昭和, 大正, 明治.
    pub fn kanji(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// R, H, S, T, M.
    pub fn letter(self) -> &'static str {
        match self {
            Era::Meiji => "M",
            Era::Taisho => "T",
            Era::Showa => "S",
            Era::Heisei => "H",
            Era::Reiwa => "R",
        }
    }

    /// The calendar year that is year 1 (元年) of the era.
    pub fn first_year(self) -> i32 {
        match self {
            Era::Meiji => 1868,
            Era::Taisho => 1912,
            Era::Showa => 1926,
            Era::Heisei => 1989,
            Era::Reiwa => 2019,
        }
    }

    /// The first day of the era as (year, month, day).
    fn start(self) -> (i32, u32, u32) {
        match self {
            Era::Meiji => (1868, 1, 25),
            Era::Taisho => (1912, 7, 30),
            Era::Showa => (1926, 12, 25),
            Era::Heisei => (1989, 1, 8),
            Era::Reiwa => (2019, 5, 1),
        }
    }
}

/// The era and era year of a calendar date; dates before 明治 are reported in 明治 with a
/// non-positive year, which no caller in pdca produces.
pub fn era_of_date(year: i32, month: u32, day: u32) -> (Era, i32) {
    let era = Era::ALL
        .into_iter()
        .find(|era| (year, month, day) >= era.start())
        .unwrap_or(Era::Meiji);
    (era, year - era.first_year() + 1)
}

/// A calendar date in Japanese: 令和5年6月13日, 令和元年5月1日.
pub fn wareki_date(year: i32, month: u32, day: u32) -> String {
    let (era, n) = era_of_date(year, month, day);
    format!("{}{}年{month}月{day}日", era.kanji(), era_number(n))
}

fn era_number(n: i32) -> String {
    if n == 1 {
        "元".to_owned()
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fy(s: &str) -> i32 {
        s.parse::<FiscalYear>().map(FiscalYear::year).unwrap_or(-1)
    }

    #[test]
    fn the_first_years_of_eras_are_named_as_officials_named_them() {
        for (year, long, short) in [
            (2019, "令和元年度", "R1"),
            (2018, "平成30年度", "H30"),
            (1989, "平成元年度", "H1"),
            (1988, "昭和63年度", "S63"),
            (1926, "昭和元年度", "S1"),
            (1925, "大正14年度", "T14"),
            (1912, "大正元年度", "T1"),
            (1911, "明治44年度", "M44"),
            (1900, "明治33年度", "M33"),
        ] {
            let fy = FiscalYear::new(year).unwrap_or_else(|e| panic!("{year}: {e}"));
            assert_eq!(
                (fy.wareki().as_str(), fy.wareki_short().as_str()),
                (long, short)
            );
        }
    }

    /// Found by the fuzz target `normalize`: FY1988 was written 平成0年度 and FY1900–FY1925
    /// 昭和-25年度 and the like, which do not read back.
    #[test]
    fn every_accepted_year_reads_back_from_its_japanese_names() {
        for year in MIN_YEAR..=MAX_YEAR {
            let accepted = FiscalYear::new(year).unwrap_or_else(|e| panic!("{year}: {e}"));
            assert!(accepted.era_year().1 >= 1, "{year}");
            for written in [
                accepted.wareki(),
                accepted.wareki_short(),
                accepted.to_string(),
            ] {
                assert_eq!(fy(&written), year, "{year} written {written}");
            }
        }
    }

    #[test]
    fn parses_every_documented_form() {
        for s in [
            "2022",
            "２０２２",
            "FY2022",
            "fy2022",
            "FY 2022",
            "ＦＹ２０２２",
            "2022年度",
            "令和4年度",
            "令和４年度",
            "R4",
            "Ｒ４",
            "r4",
            "R04",
            "令和4",
            "R4年度",
            " 令和 4 年度 ",
        ] {
            assert_eq!(fy(s), 2022, "{s}");
        }
        assert_eq!(fy("令和元年度"), 2019);
        assert_eq!(fy("平成31年度"), 2019);
        assert_eq!(fy("H30"), 2018);
        assert_eq!(fy("平成元年度"), 1989);
    }

    #[test]
    fn refuses_other_text() {
        for s in [
            "",
            "22",
            "FY",
            "令和",
            "令和0年度",
            "X4",
            "2022.5",
            "二〇二二",
            "R-1",
            "20222",
        ] {
            assert!(s.parse::<FiscalYear>().is_err(), "{s}");
        }
        assert_eq!(
            "1800".parse::<FiscalYear>(),
            Err(FiscalYearError::OutOfRange(1800))
        );
    }

    #[test]
    fn names_fiscal_years_in_wareki() {
        let w = |y| {
            FiscalYear::new(y)
                .map(FiscalYear::wareki)
                .unwrap_or_default()
        };
        assert_eq!(w(2020), "令和2年度");
        assert_eq!(w(2022), "令和4年度");
        assert_eq!(w(2019), "令和元年度");
        assert_eq!(w(2018), "平成30年度");
        assert_eq!(w(1989), "平成元年度");
        assert_eq!(
            FiscalYear::new(2024).map(FiscalYear::wareki_short),
            Ok("R6".into())
        );
    }

    #[test]
    fn wareki_round_trips_for_every_year() {
        for y in 1990..=2100 {
            let Ok(f) = FiscalYear::new(y) else { panic!() };
            assert_eq!(f.wareki().parse::<FiscalYear>(), Ok(f));
            assert_eq!(f.wareki_short().parse::<FiscalYear>(), Ok(f));
            assert_eq!(f.to_string().parse::<FiscalYear>(), Ok(f));
        }
    }

    #[test]
    fn dates_change_era_on_2019_05_01() {
        assert_eq!(wareki_date(2019, 4, 30), "平成31年4月30日");
        assert_eq!(wareki_date(2019, 5, 1), "令和元年5月1日");
        assert_eq!(wareki_date(2023, 6, 13), "令和5年6月13日");
        assert_eq!(wareki_date(1989, 1, 7), "昭和64年1月7日");
        assert_eq!(wareki_date(1989, 1, 8), "平成元年1月8日");
    }

    #[test]
    fn january_to_march_belong_to_the_previous_fiscal_year() {
        assert_eq!(
            FiscalYear::containing(2023, 3).map(FiscalYear::year),
            Ok(2022)
        );
        assert_eq!(
            FiscalYear::containing(2023, 4).map(FiscalYear::year),
            Ok(2023)
        );
    }
}
