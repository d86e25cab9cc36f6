//! Targets as the plan format takes them: a reading checked against the plan's period and turned
//! into a [`Target`] with its measure, unit, counting and plain Japanese text; and a person's
//! corrections applied with the same readers.

use crate::fiscal_year::FiscalYear;
use crate::plan::{Comparator, Counting, Measure, Target};

use super::builder::DraftIndicator;
use super::names::tidy_name;
use super::targets::{ReadTarget, Reading, Span, comparator_word, figure, read_phrase};
use super::{Correction, DraftMeta};

/// Applies the correction naming this indicator's first line, if any (and its drafted id, when
/// the correction names one). A sub-target on its parent's line is corrected only by a
/// correction naming its id: one naming the line alone is the parent's.
pub(super) fn correct(
    corrections: &mut [(Correction, bool)],
    meta: &DraftMeta,
    indicator: &mut DraftIndicator,
    parent_line: Option<usize>,
) {
    let Some(line) = indicator.first_line() else {
        return;
    };
    let Some((correction, used)) = corrections.iter_mut().find(|(c, used)| {
        !used
            && c.line == line
            && match &c.id {
                Some(id) => *id == indicator.id,
                None => parent_line != Some(line),
            }
    }) else {
        return;
    };
    *used = true;
    match corrected(indicator, correction, meta) {
        Ok(()) => indicator.review.clear(),
        Err(problem) => indicator
            .review
            .push(format!("行 {line} の修正を適用できません: {problem}")),
    }
}

/// The measure of an indicator read without a target: a ratio when its name says 割合 or 率.
pub(super) fn monitored_measure(name: &str) -> Measure {
    if name.ends_with("割合") || name.ends_with('率') {
        Measure::Ratio
    } else {
        Measure::Count
    }
}

/// A target read and checked against the plan's period, as the plan format takes it.
struct Resolved {
    target: Option<Target>,
    measure: Measure,
    unit: Option<String>,
    counting: Counting,
    text: Option<String>,
    warnings: Vec<String>,
    comments: Vec<String>,
}

/// Sets an indicator's target, measure, unit, counting and plain text from a reading; a reading
/// the plan format refuses leaves it without a target and needing a person.
pub(super) fn set_reading(
    indicator: &mut DraftIndicator,
    reading: Option<&Reading>,
    meta: &DraftMeta,
) {
    match resolve(reading, &indicator.name, meta) {
        Ok(r) => {
            indicator.target = r.target;
            indicator.measure = r.measure;
            indicator.unit = r.unit;
            indicator.counting = r.counting;
            indicator.target_text = r.text;
            // A target that could not be read is a review, not an assumption.
            if indicator.review.is_empty() {
                indicator.comments = r.comments;
            }
            indicator.review.extend(r.warnings);
        }
        Err(problem) => {
            indicator.measure = monitored_measure(&indicator.name);
            indicator
                .review
                .push(format!("{problem}（目標値なしで下書きしました）"));
        }
    }
}

/// Applies a correction; an error says why it could not be.
fn corrected(
    indicator: &mut DraftIndicator,
    correction: &Correction,
    meta: &DraftMeta,
) -> Result<(), String> {
    let name = match &correction.name {
        Some(name) => {
            let tidy = tidy_name(name);
            if tidy.is_empty() {
                return Err("名称が空です".to_owned());
            }
            Some(tidy)
        }
        None => None,
    };
    let resolved = match &correction.target {
        Some(phrase) => {
            let reading = read_phrase(phrase).ok_or_else(|| {
                format!("目標「{}」が読めません（例: 25件、75%、2件以上、130件/年、累計650件、2023年度比で2倍、2026年度までに着手、なし）", phrase.trim())
            })?;
            if indicator.management && !reading.is_monitored() {
                return Err("その他管理指標には目標値を置けません".to_owned());
            }
            let for_name = name.as_deref().unwrap_or(&indicator.name);
            Some(resolve(Some(&reading), for_name, meta)?)
        }
        None => None,
    };
    if let Some(name) = name {
        indicator.name = name;
    }
    if let Some(r) = resolved {
        if !r.warnings.is_empty() {
            return Err(r.warnings.join("、"));
        }
        if !indicator.management {
            indicator.target = r.target;
            indicator.measure = r.measure;
            indicator.unit = r.unit;
            indicator.counting = r.counting;
            indicator.target_text = r.text;
            indicator.comments = r.comments;
        }
    }
    Ok(())
}

/// Checks a reading against the plan format and the plan's period.
fn resolve(reading: Option<&Reading>, name: &str, meta: &DraftMeta) -> Result<Resolved, String> {
    let years = u32::try_from(meta.end_fy.year() - meta.start_fy.year() + 1).unwrap_or(1);
    let monitored = Resolved {
        target: None,
        measure: monitored_measure(name),
        unit: None,
        counting: Counting::FiscalYear,
        text: None,
        warnings: Vec::new(),
        comments: vec!["数値目標なし: 数値を把握するだけの指標として下書きしました".to_owned()],
    };
    let Some(reading) = reading else {
        return Ok(monitored);
    };
    let calendar = reading.calendar;
    let mut warnings = Vec::new();
    let comments = Vec::new();
    let mut prefix = String::new();
    let (start, end) = (meta.start_fy.year(), meta.end_fy.year());
    match reading.span {
        Some(Span::Years(n)) => {
            if n != years {
                warnings.push(format!(
                    "目標の年数（{n}年）が計画期間（{years}年）と違います"
                ));
            }
            prefix = format!("{n}年累計");
        }
        Some(Span::Range(a, b)) => {
            if (a, b) != (start, end) {
                warnings.push(format!(
                    "目標の期間（{a}〜{b}）が計画期間（{start}〜{end}年度）と違います"
                ));
            }
            prefix = format!("{a}〜{b}{}累計", if calendar { "年" } else { "年度" });
        }
        Some(Span::Until(y)) => {
            if y != end {
                warnings.push(format!(
                    "目標の期限（{y}年度まで）が計画の最終年度（{end}年度）と違います"
                ));
            }
            prefix = format!("{y}年度までに累計");
        }
        None => {}
    }
    let calendar_said = matches!(reading.span, Some(Span::Range(..))) && calendar;
    let calendar_note = if calendar && !calendar_said {
        "（暦年で数える）"
    } else {
        ""
    };
    let fy = |y: i32| FiscalYear::new(y).map_err(|e| e.to_string());
    let positive = |v: f64, what: &str| {
        if v.is_finite() && v > 0.0 {
            Ok(())
        } else {
            Err(format!(
                "{what} {} は使えません（0より大きい数が必要です）",
                figure(v)
            ))
        }
    };
    let (target, measure, unit, text) = match &reading.target {
        ReadTarget::Monitored => return Ok(monitored),
        ReadTarget::Count {
            value,
            unit,
            comparator,
        } => {
            positive(*value, "目標値")?;
            (
                Target::Cumulative {
                    value: *value,
                    comparator: *comparator,
                },
                Measure::Count,
                Some(unit.clone()),
                format!(
                    "{prefix}{}{unit}{}",
                    figure(*value),
                    comparator_word(*comparator)
                ),
            )
        }
        ReadTarget::PerYear {
            per_year,
            total,
            unit,
        } => {
            positive(*per_year, "年間の目標値")?;
            let value = total.unwrap_or(per_year * f64::from(years));
            positive(value, "期間累計の目標値")?;
            (
                Target::PerYear {
                    per_year: *per_year,
                    value,
                },
                Measure::Count,
                Some(unit.clone()),
                format!(
                    "{}{unit}/年（{years}年累計{}{unit}）",
                    figure(*per_year),
                    figure(value)
                ),
            )
        }
        ReadTarget::Ratio { value, comparator } => {
            if !(value.is_finite() && (0.0..=100.0).contains(value)) {
                return Err(format!(
                    "割合の目標値 {}% は使えません（0〜100）",
                    figure(*value)
                ));
            }
            (
                Target::Ratio {
                    value: *value,
                    comparator: *comparator,
                },
                Measure::Ratio,
                Some("%".to_owned()),
                format!("{}%{}", figure(*value), comparator_word(*comparator)),
            )
        }
        ReadTarget::Level {
            value,
            unit,
            comparator,
        } => {
            if !value.is_finite() {
                return Err("目標値が数として読めません".to_owned());
            }
            (
                Target::Level {
                    value: *value,
                    comparator: *comparator,
                },
                Measure::Level,
                Some(unit.clone()),
                format!(
                    "年間{}{unit}{}",
                    figure(*value),
                    comparator_word(*comparator)
                ),
            )
        }
        ReadTarget::Relative {
            factor,
            baseline_fy,
            comparator,
        } => {
            if !(factor.is_finite() && *factor > 0.0 && *factor != 1.0) {
                return Err(format!(
                    "倍率 {} は使えません（0より大きく1以外）",
                    figure(*factor)
                ));
            }
            let baseline_year = baseline_fy.unwrap_or(start - 1);
            if baseline_fy.is_none() {
                // The plan does not say which year: a person must, not pdca.
                warnings.push(format!(
                    "基準年度の記載がありません（計画開始の前年度 {baseline_year}年度 を基準として下書きしました。「2023年度比で半減」のように基準年度を書いてください）"
                ));
            }
            let baseline = fy(baseline_year)?;
            if baseline >= meta.end_fy {
                return Err(format!(
                    "基準年度 {baseline_year}年度 は計画の最終年度より前でなければなりません"
                ));
            }
            let lower = *factor < 1.0;
            let resolved = match comparator {
                Comparator::Reach if lower => Comparator::AtMost,
                Comparator::Reach => Comparator::AtLeast,
                c if c.lower_is_better() == lower => *c,
                _ => {
                    return Err(
                        "倍率と以上・以下の向きが合いません（1より大きい倍率は以上、1より小さい倍率は以下）"
                            .to_owned(),
                    );
                }
            };
            let how = if *factor == 0.5 {
                "半減".to_owned()
            } else {
                format!("{}倍", figure(*factor))
            };
            (
                Target::Relative {
                    factor: *factor,
                    baseline,
                    comparator: resolved,
                },
                Measure::Level,
                None,
                format!(
                    "{baseline_year}年度比で{how}{}",
                    comparator_word(*comparator)
                ),
            )
        }
        ReadTarget::Milestone { deadline_fy, verb } => {
            let deadline = fy(*deadline_fy)?;
            if deadline < meta.start_fy {
                return Err(format!("期限 {deadline_fy}年度 が計画の開始年度より前です"));
            }
            (
                Target::Milestone { deadline },
                Measure::Milestone,
                None,
                format!("{deadline_fy}年度までに{verb}"),
            )
        }
    };
    Ok(Resolved {
        target: Some(target),
        measure,
        unit,
        counting: if calendar {
            Counting::CalendarYear
        } else {
            Counting::FiscalYear
        },
        text: Some(format!("{text}{calendar_note}")),
        warnings,
        comments,
    })
}
