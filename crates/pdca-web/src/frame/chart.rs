//! The geometry of the indicator page's line chart, computed here and drawn as SVG by the
//! template (no script): the actual against the expected line and the target, with the
//! projected end of the period, with the unit on the value axis and the value at each point.
//!
//! The SVG scales with its box (`width: 100%`), so its text is sized in user units: the chart
//! is [`WIDTH`] units wide and its labels [`LABEL_SIZE`] units high, which keeps them at 14 px
//! or more when the chart is 340 px wide or wider (a phone of 390 px) and larger on a desktop.

use pdca_core::FiscalYear;

use pdca_app::json::format_number;

/// The drawing area, in SVG user units.
pub(crate) const WIDTH: i32 = 480;
const HEIGHT: i32 = 340;
const LEFT: i32 = 72;
const RIGHT: i32 = 28;
const TOP: i32 = 56;
const BOTTOM: i32 = 44;
/// The height of the axis and point labels, in user units.
pub(crate) const LABEL_SIZE: i32 = 20;

/// What to draw: values at positions of the plan's years (0 = the first year).
#[derive(Debug, Clone, Default)]
pub(crate) struct Series {
    /// The label of each year on the x axis.
    pub year_labels: Vec<String>,
    /// The actual (cumulative, or the year's value) at each year reported so far.
    pub actual: Vec<(usize, f64)>,
    /// The expected cumulative at each year of the period.
    pub expected: Vec<(usize, f64)>,
    /// The target, a horizontal line.
    pub target: Option<f64>,
    /// The projected value at the end of the period, joined to the last actual.
    pub projected_end: Option<f64>,
    /// The indicator's unit (件, %), shown on the value axis and after each point's value.
    pub unit: String,
}

/// A tick on an axis: its position and label.
#[derive(Debug, Clone)]
pub(crate) struct Tick {
    pub pos: i32,
    pub label: String,
}

/// A marked point with the value it shows, printed above it (`label_y`).
#[derive(Debug, Clone)]
pub(crate) struct Point {
    pub x: i32,
    pub y: i32,
    pub label: String,
    pub label_y: i32,
}

/// A straight line.
#[derive(Debug, Clone)]
pub(crate) struct Segment {
    pub x1: i32,
    pub y1: i32,
    pub x2: i32,
    pub y2: i32,
}

/// The chart, ready for the template.
#[derive(Debug, Clone)]
pub(crate) struct Chart {
    pub width: i32,
    pub height: i32,
    /// The height of the labels, in user units.
    pub label_size: i32,
    /// The unit of the value axis, printed above it: （件）.
    pub unit_label: String,
    /// Left, right, top and bottom edges of the plot area.
    pub left: i32,
    pub right: i32,
    pub top: i32,
    pub bottom: i32,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    /// `x,y x,y …` of the actual.
    pub actual: String,
    pub actual_points: Vec<Point>,
    /// `x,y x,y …` of the expected line, empty when there is none.
    pub expected: String,
    pub target: Option<Segment>,
    pub projected: Option<Segment>,
}

impl Chart {
    /// The chart of `series`, or none when there is nothing to draw.
    pub fn new(series: &Series) -> Option<Chart> {
        let years = series.year_labels.len();
        if years == 0 || series.actual.is_empty() {
            return None;
        }
        let values = series
            .actual
            .iter()
            .chain(&series.expected)
            .map(|(_, v)| *v)
            .chain(series.target)
            .chain(series.projected_end)
            .filter(|v| v.is_finite());
        let max = values.fold(0.0_f64, f64::max);
        let step = nice_step(max.max(1.0) / 4.0);
        let top_value = (max / step).ceil().max(1.0) * step;
        let (left, right, top, bottom) = (LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM);
        let x = |i: usize| -> i32 {
            if years == 1 {
                (left + right) / 2
            } else {
                let span = f64::from(right - left);
                left + round(span * i as f64 / (years - 1) as f64)
            }
        };
        let y = |v: f64| -> i32 { bottom - round(f64::from(bottom - top) * v / top_value) };
        let points = |data: &[(usize, f64)]| -> String {
            data.iter()
                .map(|&(i, v)| format!("{},{}", x(i), y(v)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut y_ticks = Vec::new();
        let mut v = 0.0;
        while v <= top_value + step / 2.0 {
            y_ticks.push(Tick {
                pos: y(v),
                label: format_number(v),
            });
            v += step;
        }
        let last = series.actual.last().copied();
        Some(Chart {
            width: WIDTH,
            height: HEIGHT,
            label_size: LABEL_SIZE,
            unit_label: if series.unit.is_empty() {
                String::new()
            } else {
                format!("({})", series.unit)
            },
            left,
            right,
            top,
            bottom,
            x_ticks: series
                .year_labels
                .iter()
                .enumerate()
                .map(|(i, label)| Tick {
                    pos: x(i),
                    label: label.clone(),
                })
                .collect(),
            y_ticks,
            actual: points(&series.actual),
            actual_points: series
                .actual
                .iter()
                .map(|&(i, v)| Point {
                    x: x(i),
                    y: y(v),
                    label: value_label(v, &series.unit),
                    label_y: y(v) - LABEL_SIZE / 2 - 4,
                })
                .collect(),
            expected: points(&series.expected),
            target: series.target.map(|t| Segment {
                x1: left,
                y1: y(t),
                x2: right,
                y2: y(t),
            }),
            projected: match (last, series.projected_end) {
                (Some((i, v)), Some(end)) if i + 1 < years && end.is_finite() => Some(Segment {
                    x1: x(i),
                    y1: y(v),
                    x2: x(years - 1),
                    y2: y(end),
                }),
                _ => None,
            },
        })
    }
}

/// The labels of the x axis: R2, R3, … (the short 和暦, which fits under a point in either
/// language; the table below the chart names each year in full).
pub(crate) fn year_labels(years: impl Iterator<Item = FiscalYear>) -> Vec<String> {
    years.map(FiscalYear::wareki_short).collect()
}

/// A value with its unit, to one decimal: 9件, 36.5%.
pub(crate) fn value_label(v: f64, unit: &str) -> String {
    if unit == "%" {
        format!("{v:.1}%")
    } else {
        format!("{}{unit}", format_number((v * 10.0).round() / 10.0))
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude)
}

/// A coordinate rounded to a whole unit (the chart's numbers are small, so this cannot
/// overflow).
fn round(v: f64) -> i32 {
    v.round() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round_numbers() {
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(6.25), 10.0);
        assert_eq!(nice_step(130.0), 200.0);
    }

    #[test]
    fn the_chart_spans_the_plot_area() {
        let series = Series {
            year_labels: vec!["R2".into(), "R3".into(), "R4".into()],
            actual: vec![(0, 5.0), (1, 10.0)],
            expected: vec![(0, 4.0), (1, 8.0), (2, 12.0)],
            target: Some(12.0),
            projected_end: Some(15.0),
            unit: "件".into(),
        };
        let chart = Chart::new(&series);
        assert!(chart.is_some(), "a chart with two actuals");
        let Some(chart) = chart else { return };
        assert_eq!(chart.x_ticks.len(), 3);
        // 15 is the largest value: the axis runs 0–15 in steps of 5, and 0 sits on the bottom.
        assert_eq!(chart.y_ticks.len(), 4);
        assert_eq!(chart.y_ticks[0].pos, HEIGHT - BOTTOM);
        assert!(chart.actual.starts_with(&format!("{LEFT},")));
        assert_eq!(
            chart.projected.map(|p| (p.x2, p.y2)),
            Some((WIDTH - RIGHT, TOP))
        );
    }

    #[test]
    fn the_value_axis_has_the_unit_and_each_point_its_value() {
        let series = Series {
            year_labels: vec!["R2".into(), "R3".into()],
            actual: vec![(0, 3.0), (1, 7.25)],
            unit: "件".into(),
            ..Series::default()
        };
        let chart = Chart::new(&series);
        assert!(chart.is_some(), "a chart with two actuals");
        let Some(chart) = chart else { return };
        assert_eq!(chart.unit_label, "(件)");
        let labels: Vec<&str> = chart
            .actual_points
            .iter()
            .map(|p| p.label.as_str())
            .collect();
        assert_eq!(labels, ["3件", "7.3件"]);
        // Each value is printed above its point, inside the drawing.
        assert!(
            chart
                .actual_points
                .iter()
                .all(|p| p.label_y < p.y && p.label_y > LABEL_SIZE)
        );
        let ratio = Series {
            unit: "%".into(),
            actual: vec![(0, 36.54)],
            year_labels: vec!["R2".into()],
            ..Series::default()
        };
        let chart = Chart::new(&ratio);
        assert!(chart.is_some(), "a chart with one actual");
        let Some(chart) = chart else { return };
        assert_eq!(chart.unit_label, "(%)");
        assert_eq!(chart.actual_points[0].label, "36.5%");
    }

    #[test]
    fn labels_stay_readable_on_a_desktop_and_a_phone() {
        // The chart is drawn as wide as its box: up to 36rem (576 px) on a desktop, about
        // 340 px on a 390 px phone, 288 px at 320 px.
        let px = |box_width: i32| f64::from(LABEL_SIZE * box_width) / f64::from(WIDTH);
        assert!(px(576) >= 14.0, "desktop: {}", px(576));
        assert!(px(340) >= 14.0, "phone: {}", px(340));
        assert!(px(288) >= 12.0, "320 px: {}", px(288));
        // The y axis labels fit left of the axis: five digits and a separator.
        const { assert!(LEFT >= LABEL_SIZE * 3) };
    }

    #[test]
    fn nothing_reported_draws_nothing() {
        assert!(Chart::new(&Series::default()).is_none());
    }
}
