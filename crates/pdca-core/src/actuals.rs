//! Actuals (実績): what bodies reported for an indicator and year, and the per-year totals the
//! evaluation reads.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::fiscal_year::FiscalYear;

/// One reported value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActualValue {
    /// A count, level or milestone flag.
    Number(f64),
    /// A numerator and denominator (ratio indicators).
    Ratio {
        /// 分子
        numerator: f64,
        /// 分母
        denominator: f64,
    },
    /// A narrative status (qualitative indicators).
    Narrative(String),
}

/// A body's current value for one indicator and year (the latest revision).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// The indicator's id.
    pub indicator: String,
    /// The fiscal (or calendar) year.
    pub year: FiscalYear,
    /// The reporting body's id.
    pub body: String,
    /// The value.
    pub value: ActualValue,
}

/// An indicator's reports for one year, all bodies together.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct YearActual {
    /// Σ of the bodies' numbers.
    pub number: f64,
    /// Σ of the bodies' numerators.
    pub numerator: f64,
    /// Σ of the bodies' denominators.
    pub denominator: f64,
    /// Narratives by body, in body order of arrival.
    pub narratives: Vec<(String, String)>,
    /// Each body's own value, in order of arrival.
    pub by_body: Vec<(String, ActualValue)>,
}

impl YearActual {
    fn add(&mut self, body: &str, value: &ActualValue) {
        match value {
            ActualValue::Number(v) => self.number += v,
            ActualValue::Ratio {
                numerator,
                denominator,
            } => {
                self.numerator += numerator;
                self.denominator += denominator;
            }
            ActualValue::Narrative(text) => self.narratives.push((body.to_owned(), text.clone())),
        }
        self.by_body.push((body.to_owned(), value.clone()));
    }

    /// Whether `body` reported this year.
    pub fn has_body(&self, body: &str) -> bool {
        self.by_body.iter().any(|(b, _)| b == body)
    }
}

/// The current actuals of one plan, indexed for evaluation.
#[derive(Debug, Clone, Default)]
pub struct Actuals {
    by_indicator: HashMap<String, BTreeMap<FiscalYear, YearActual>>,
    /// Warnings about an indicator's actuals found outside the evaluation (an open duplicate
    /// among its achievements, a reported number that differs from its list), by indicator id.
    warnings: HashMap<String, Vec<String>>,
}

impl Actuals {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a body's value; a second value for the same indicator, year and body replaces
    /// the first (the caller passes revisions oldest first or only the current ones).
    pub fn insert(&mut self, c: &Contribution) {
        let years = self.by_indicator.entry(c.indicator.clone()).or_default();
        let year = years.entry(c.year).or_default();
        if year.has_body(&c.body) {
            let kept: Vec<(String, ActualValue)> = year
                .by_body
                .iter()
                .filter(|(b, _)| *b != c.body)
                .cloned()
                .collect();
            *year = YearActual::default();
            for (b, v) in &kept {
                year.add(b, v);
            }
        }
        year.add(&c.body, &c.value);
    }

    /// Forgets every value of `indicator` (its warnings stay): an indicator counted from
    /// achievements takes its values from them alone.
    pub fn remove_indicator(&mut self, indicator: &str) {
        self.by_indicator.remove(indicator);
    }

    /// The reports of `indicator` for `year`, if any body reported.
    pub fn year(&self, indicator: &str, year: FiscalYear) -> Option<&YearActual> {
        self.by_indicator.get(indicator)?.get(&year)
    }

    /// All reported years of `indicator`.
    pub fn years(&self, indicator: &str) -> Option<&BTreeMap<FiscalYear, YearActual>> {
        self.by_indicator.get(indicator)
    }

    /// Adds a warning about `indicator`'s actuals; the evaluation shows it with the indicator's
    /// own. The same text twice is kept once.
    pub fn add_warning(&mut self, indicator: &str, text: String) {
        let list = self.warnings.entry(indicator.to_owned()).or_default();
        if !list.contains(&text) {
            list.push(text);
        }
    }

    /// The warnings added for `indicator`, in order of arrival.
    pub fn warnings(&self, indicator: &str) -> &[String] {
        self.warnings.get(indicator).map_or(&[], Vec::as_slice)
    }

    /// Every contribution, by indicator id then year then arrival.
    pub fn contributions(&self) -> Vec<Contribution> {
        let mut ids: Vec<&String> = self.by_indicator.keys().collect();
        ids.sort();
        let mut out = Vec::new();
        for id in ids {
            for (year, ya) in &self.by_indicator[id] {
                for (body, value) in &ya.by_body {
                    out.push(Contribution {
                        indicator: id.clone(),
                        year: *year,
                        body: body.clone(),
                        value: value.clone(),
                    });
                }
            }
        }
        out
    }
}

impl FromIterator<Contribution> for Actuals {
    fn from_iter<I: IntoIterator<Item = Contribution>>(iter: I) -> Self {
        let mut actuals = Actuals::new();
        for c in iter {
            actuals.insert(&c);
        }
        actuals
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fy(y: i32) -> FiscalYear {
        FiscalYear::new(y).unwrap_or_else(|e| panic!("{e}"))
    }

    fn c(body: &str, year: i32, v: f64) -> Contribution {
        Contribution {
            indicator: "i".into(),
            year: fy(year),
            body: body.into(),
            value: ActualValue::Number(v),
        }
    }

    #[test]
    fn sums_bodies_and_replaces_a_bodys_earlier_value() {
        let a: Actuals = [
            c("amed", 2020, 3.0),
            c("mext", 2020, 2.0),
            c("amed", 2020, 4.0),
        ]
        .into_iter()
        .collect();
        let y = a.year("i", fy(2020)).map(|y| y.number);
        assert_eq!(y, Some(6.0));
        assert_eq!(a.contributions().len(), 2);
        assert!(a.year("i", fy(2021)).is_none());
    }

    #[test]
    fn warnings_are_kept_per_indicator_once_each() {
        let mut a = Actuals::new();
        assert!(a.warnings("i").is_empty());
        a.add_warning("i", "一".into());
        a.add_warning("i", "二".into());
        a.add_warning("i", "一".into());
        assert_eq!(a.warnings("i"), ["一".to_owned(), "二".to_owned()]);
        assert!(a.warnings("j").is_empty());
    }
}
