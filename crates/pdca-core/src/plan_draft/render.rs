//! A plan written back as annex text in the 2nd plan's layout: the inverse of drafting, used to
//! check that drafting reads every target form (draft ∘ render gives the same catalogue).

use std::fmt::Write as _;

use crate::plan::{Comparator, Indicator, IndicatorKind, Plan, Target};

use super::targets::{comparator_word, figure};

/// Circled numbers ① … ⑳ for project headings; later projects reuse ⑳ (the reader numbers
/// projects by their order, not by the mark).
fn circled(i: usize) -> char {
    let offset = u32::try_from(i.min(19)).unwrap_or(19);
    char::from_u32(0x2460 + offset).unwrap_or('⑳')
}

/// The target phrase of an indicator as the annex writes it after the name.
fn phrase(plan: &Plan, indicator: &Indicator) -> String {
    // A count or level is written with its own unit; a percentage sign would make it a ratio.
    let unit = match indicator.unit.as_str() {
        "" | "%" | "％" => "件",
        unit => unit,
    };
    let Some(target) = &indicator.target else {
        return "（数値目標なし）".to_owned();
    };
    let text = match target {
        Target::Cumulative { value, comparator } => {
            let prefix = if *comparator == Comparator::AtMost {
                format!("{}年累計", plan.period.len())
            } else {
                String::new()
            };
            format!(
                "{prefix}{}{unit}{}",
                figure(*value),
                comparator_word(*comparator)
            )
        }
        Target::PerYear { per_year, value } => format!(
            "{}{unit}/年、{}年累計{}{unit}",
            figure(*per_year),
            plan.period.len(),
            figure(*value)
        ),
        Target::Ratio { value, comparator } => {
            format!("{}％{}", figure(*value), comparator_word(*comparator))
        }
        Target::Level { value, comparator } => {
            format!(
                "年間{}{unit}{}",
                figure(*value),
                comparator_word(*comparator)
            )
        }
        Target::Relative {
            factor, baseline, ..
        } => {
            let how = if *factor == 0.5 {
                "半減".to_owned()
            } else {
                format!("{}倍", figure(*factor))
            };
            format!("{}年度比で{how}", baseline.year())
        }
        Target::Milestone { deadline } => format!("{}年度までに着手", deadline.year()),
    };
    if indicator.counting == crate::plan::Counting::CalendarYear {
        format!("{text}（暦年で数える）")
    } else {
        text
    }
}

/// Whether a management indicator is a `-` sub-bullet of the one before it.
fn is_sub_bullet(indicator: &Indicator) -> bool {
    indicator.management
        && indicator
            .note
            .as_deref()
            .is_some_and(|n| n.starts_with("その他管理指標「") && n.ends_with("の下位項目"))
}

/// Renders a plan as KPI annex text in the 2nd plan's layout: ① project headings,
/// ＜アウトプット＞／＜アウトカム＞, ○ groups, ・ indicators with their target phrases, （うち…）
/// sub-targets on the parent's line, （その他管理指標） with `-` sub-bullets, and ※ notes.
pub fn render_annex(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "（別表）{}における成果目標（KPI）", plan.name);
    out.push('\n');
    for (p, project) in plan.projects.iter().enumerate() {
        let _ = writeln!(out, "{} {}", circled(p), project.name);
        for kind in [IndicatorKind::Output, IndicatorKind::Outcome] {
            let of_kind: Vec<&Indicator> = project
                .indicators
                .iter()
                .filter(|i| i.kind == kind)
                .collect();
            if of_kind.is_empty() {
                continue;
            }
            let _ = writeln!(out, "＜{}＞", kind.label());
            for management in [false, true] {
                let listed: Vec<&&Indicator> = of_kind
                    .iter()
                    .filter(|i| i.management == management && i.parent.is_none())
                    .collect();
                if listed.is_empty() {
                    continue;
                }
                if management {
                    out.push_str("（その他管理指標）\n");
                }
                let mut group: Option<&str> = None;
                for indicator in listed {
                    if group != Some(indicator.group.as_str()) {
                        let _ = writeln!(out, "○{}", indicator.group);
                        group = Some(indicator.group.as_str());
                    }
                    if management {
                        let mark = if is_sub_bullet(indicator) { "-" } else { "・" };
                        let _ = writeln!(out, "{mark}{}", indicator.name);
                    } else {
                        let _ = write!(out, "・{} {}", indicator.name, phrase(plan, indicator));
                        for child in project
                            .indicators
                            .iter()
                            .filter(|c| c.parent.as_deref() == Some(indicator.id.as_str()))
                        {
                            let _ = write!(out, "（{} {}）", child.name, phrase(plan, child));
                        }
                        out.push('\n');
                        if let Some(note) = &indicator.note {
                            let _ = writeln!(out, "※{note}");
                        }
                    }
                }
            }
        }
        out.push('\n');
    }
    out
}
