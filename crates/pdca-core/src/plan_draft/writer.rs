//! Writing the drafted plan as a plan file (`docs/plan-format.md`), laid out as the built-in plan
//! is: each indicator under comments quoting the source lines it came from.

use std::fmt::Write as _;

use crate::normalize::show_controls;
use crate::plan::{Comparator, Counting, IndicatorKind, Target};

use super::DraftMeta;
use super::builder::{DraftIndicator, DraftProject, Item, Term};

/// A TOML string literal, escaped by the TOML writer itself.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// A number as TOML reads it back: an integer when it is one, a float otherwise.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:?}")
    }
}

/// `# 元の行 N: …` with the line's control characters made visible (TOML comments refuse them).
fn source_comment(out: &mut String, n: usize, raw: &str) {
    let _ = writeln!(out, "# 元の行 {n}: {}", show_controls(raw.trim()));
}

fn review_comment(out: &mut String, problem: &str) {
    let _ = writeln!(out, "# 要確認: {}", show_controls(problem));
}

fn unread(out: &mut String, n: usize, raw: &str) {
    review_comment(out, &format!("元の行 {n} は読めませんでした"));
    source_comment(out, n, raw);
    out.push('\n');
}

/// The plan file's text.
pub(super) fn write(
    meta: &DraftMeta,
    glossary: &[Term],
    unread_before: &[(usize, String)],
    projects: &[DraftProject],
) -> String {
    let mut out = String::new();
    out.push_str(
        "# 成果目標の一覧（別表）のテキストから pdca plan draft が下書きした計画。\n\
         # 各指標の上のコメントは、その指標を読んだ元の行。「要確認」の付いたところは人が確かめること。\n\
         # 書式は docs/plan-format.md を参照。\n\n",
    );
    let _ = writeln!(out, "[plan]");
    let _ = writeln!(out, "id = {}", quoted(&meta.id));
    let _ = writeln!(out, "name = {}", quoted(&meta.name));
    let _ = writeln!(out, "start_fy = {}", meta.start_fy.year());
    let _ = writeln!(out, "end_fy = {}", meta.end_fy.year());
    let _ = writeln!(out, "revision = {}", meta.revision);
    if let Some(fy) = meta.effective_from {
        let _ = writeln!(out, "effective_from = {}", fy.year());
    }
    if let Some(date) = &meta.decided_on {
        let _ = writeln!(out, "decided_on = {}", quoted(date));
    }
    if let Some(note) = &meta.revision_note {
        let _ = writeln!(out, "revision_note = {}", quoted(note));
    }
    let _ = writeln!(
        out,
        "default_bodies = [{}]\n",
        quoted(&meta.default_body.id)
    );
    let body = &meta.default_body;
    let _ = writeln!(out, "[[bodies]]");
    let _ = writeln!(out, "id = {}", quoted(&body.id));
    let _ = writeln!(out, "name = {}", quoted(&body.name));
    if let Some(short) = &body.short_name {
        let _ = writeln!(out, "short_name = {}", quoted(short));
    }
    out.push('\n');
    for term in glossary {
        source_comment(&mut out, term.line.0, &term.line.1);
        let _ = writeln!(out, "[[glossary]]");
        let _ = writeln!(out, "term = {}", quoted(&term.term));
        let _ = writeln!(out, "definition = {}\n", quoted(&term.definition));
    }
    for (n, raw) in unread_before {
        unread(&mut out, *n, raw);
    }
    for project in projects {
        out.push_str("# ======================================================================\n");
        source_comment(&mut out, project.heading.0, &project.heading.1);
        let _ = writeln!(out, "[[projects]]");
        let _ = writeln!(out, "id = {}", quoted(&project.id));
        let _ = writeln!(out, "name = {}\n", quoted(&project.name));
        for item in &project.items {
            match item {
                Item::Indicator(indicator) => write_indicator(&mut out, indicator),
                Item::Unread(n, raw) => unread(&mut out, *n, raw),
            }
        }
    }
    out
}

fn write_indicator(out: &mut String, i: &DraftIndicator) {
    for problem in &i.review {
        review_comment(out, problem);
    }
    for (n, raw) in &i.source {
        source_comment(out, *n, raw);
    }
    for comment in &i.comments {
        let _ = writeln!(out, "# {}", show_controls(comment));
    }
    for (n, raw) in &i.remarks {
        let _ = writeln!(out, "# 元の行 {n}（注記）: {}", show_controls(raw.trim()));
    }
    let _ = writeln!(out, "[[projects.indicators]]");
    let _ = writeln!(out, "id = {}", quoted(&i.id));
    let _ = writeln!(out, "name = {}", quoted(&i.name));
    let kind = match i.kind {
        IndicatorKind::Output => "output",
        IndicatorKind::Outcome => "outcome",
    };
    let _ = writeln!(out, "kind = \"{kind}\"");
    let _ = writeln!(out, "group = {}", quoted(&i.group));
    if i.management {
        let _ = writeln!(out, "management = true");
    }
    let _ = writeln!(out, "measure = \"{}\"", i.measure.as_str());
    if let Some(t) = &i.target {
        let _ = writeln!(out, "target = {{ {} }}", target(t, i.unit.as_deref()));
    }
    if i.counting == Counting::CalendarYear {
        let _ = writeln!(out, "counting = \"calendar_year\"");
    }
    if let Some(parent) = &i.parent {
        let _ = writeln!(out, "parent = {}", quoted(parent));
    }
    if let Some(note) = &i.note {
        let _ = writeln!(out, "note = {}", quoted(note));
    }
    out.push('\n');
}

/// The keys of an inline `target` table.
fn target(t: &Target, unit: Option<&str>) -> String {
    let comparator = |c: Comparator| match c {
        Comparator::Reach => String::new(),
        c => format!(", comparator = \"{}\"", c.as_str()),
    };
    let unit = |default: &str| format!(", unit = {}", quoted(unit.unwrap_or(default)));
    match t {
        Target::Cumulative {
            value,
            comparator: c,
        }
        | Target::Level {
            value,
            comparator: c,
        } => {
            format!("value = {}{}{}", number(*value), unit("件"), comparator(*c))
        }
        Target::PerYear { per_year, value } => format!(
            "per_year = {}, value = {}{}",
            number(*per_year),
            number(*value),
            unit("件")
        ),
        Target::Ratio {
            value,
            comparator: c,
        } => {
            format!("value = {}{}{}", number(*value), unit("%"), comparator(*c))
        }
        // The comparator of a factor follows from it; the reader refused any other.
        Target::Relative {
            factor, baseline, ..
        } => format!(
            "factor = {}, baseline_fy = {}",
            number(*factor),
            baseline.year()
        ),
        Target::Milestone { deadline } => format!("deadline_fy = {}", deadline.year()),
    }
}
