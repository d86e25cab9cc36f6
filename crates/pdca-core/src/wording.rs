//! How pdca writes plan figures in Japanese, the same in pages, reports and the command line:
//! a target as the plan states it, and a number without a trailing ".0".

use crate::plan::{Comparator, Indicator, Target};

/// The target as the plan writes it: 25件, 2件以上, 75%, 130件/年（累計650件）, …
pub fn target_text(i: &Indicator) -> String {
    let unit = &i.unit;
    let comparator = |c: Comparator| match c {
        Comparator::Reach => "",
        Comparator::AtLeast => "以上",
        Comparator::AtMost => "以下",
    };
    match &i.target {
        None => "（目標値なし）".to_owned(),
        Some(Target::Cumulative {
            value,
            comparator: c,
        })
        | Some(Target::Ratio {
            value,
            comparator: c,
        })
        | Some(Target::Level {
            value,
            comparator: c,
        }) => {
            format!("{}{unit}{}", format_number(*value), comparator(*c))
        }
        Some(Target::PerYear { per_year, value }) => format!(
            "{}{unit}/年（累計{}{unit}）",
            format_number(*per_year),
            format_number(*value)
        ),
        Some(Target::Relative {
            factor,
            baseline,
            comparator: c,
        }) => format!(
            "{}比{}倍{}",
            baseline.wareki(),
            format_number(*factor),
            comparator(*c)
        ),
        Some(Target::Milestone { deadline }) => format!("{}までに達成", deadline.wareki()),
    }
}

/// A number without a trailing ".0".
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lose_a_trailing_zero_only() {
        assert_eq!(format_number(25.0), "25");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(0.12345), "0.1235");
    }
}
