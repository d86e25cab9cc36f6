//! Writing a plan as a plan file: the inverse of [`parse_plan`](super::parse_plan), so that a plan
//! kept only as data (imported from a workbook, or edited) can be stored and shown as its file.
//!
//! [`PlanDocument`] is the file's structure with values as written (nothing resolved, nothing
//! checked); it is built from a validated [`Plan`] by [`PlanDocument::from_plan`], or by an
//! importer from another format, and written by [`PlanDocument::to_toml`]. Reading the text back
//! with `parse_plan` is then the one validation every format goes through.

use std::fmt::Write as _;

use crate::plan::{
    Assignment, Comparator, CountedFrom, Counting, IndicatorKind, Measure, Plan, Project, Target,
};

/// A plan file's contents as written: `[plan]`, `[[bodies]]`, `[[glossary]]`, `[[projects]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanDocument {
    /// `[plan]`.
    pub header: HeaderDocument,
    /// `[[bodies]]`, in order.
    pub bodies: Vec<BodyDocument>,
    /// `[[glossary]]`, in order.
    pub glossary: Vec<GlossaryDocument>,
    /// `[[projects]]`, in order, each with its indicators.
    pub projects: Vec<ProjectDocument>,
}

/// `[plan]`: a key left `None` (or empty) is not written, and takes its default when read.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderDocument {
    /// `id`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `start_fy`.
    pub start_fy: i64,
    /// `end_fy`.
    pub end_fy: i64,
    /// `revision` (default 1).
    pub revision: Option<i64>,
    /// `effective_from` (default `start_fy`).
    pub effective_from: Option<i64>,
    /// `decided_on`.
    pub decided_on: Option<String>,
    /// `revision_note`.
    pub revision_note: Option<String>,
    /// `on_track_threshold` (default 1.0).
    pub on_track_threshold: Option<f64>,
    /// `committee`.
    pub committee: Option<String>,
    /// `default_bodies` (not written when empty).
    pub default_bodies: Vec<Assignment>,
}

/// `[[bodies]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyDocument {
    /// `id`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `short_name`.
    pub short_name: Option<String>,
}

/// `[[glossary]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlossaryDocument {
    /// `term`.
    pub term: String,
    /// `definition`.
    pub definition: String,
}

/// `[[projects]]` with its `[[projects.indicators]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectDocument {
    /// `id`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// The project's indicators, in order.
    pub indicators: Vec<IndicatorDocument>,
}

/// `[[projects.indicators]]`: a key left `None` is not written.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorDocument {
    /// `id`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `kind`.
    pub kind: IndicatorKind,
    /// `group`.
    pub group: String,
    /// `management` (written only when true).
    pub management: bool,
    /// `measure`.
    pub measure: Measure,
    /// `unit`.
    pub unit: Option<String>,
    /// `target`, written as an inline table.
    pub target: Option<TargetDocument>,
    /// `parent`.
    pub parent: Option<String>,
    /// `bodies` (none: the plan's `default_bodies`).
    pub bodies: Option<Vec<Assignment>>,
    /// `counting` (written only for calendar years).
    pub counting: Counting,
    /// `expected_profile`.
    pub expected_profile: Option<Vec<f64>>,
    /// `note`.
    pub note: Option<String>,
    /// `counted_from` (written only as `"achievements"`).
    pub counted_from: CountedFrom,
    /// `achievement_tag`.
    pub achievement_tag: Option<String>,
}

/// An indicator's `target = { … }` with the keys as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TargetDocument {
    /// `value`.
    pub value: Option<f64>,
    /// `unit`.
    pub unit: Option<String>,
    /// `comparator`.
    pub comparator: Option<Comparator>,
    /// `per_year`.
    pub per_year: Option<f64>,
    /// `factor`.
    pub factor: Option<f64>,
    /// `baseline_fy`.
    pub baseline_fy: Option<i64>,
    /// `deadline_fy`.
    pub deadline_fy: Option<i64>,
}

/// The plan as a plan file: `parse_plan(file, &render_plan(&plan))` gives back `plan`.
pub fn render_plan(plan: &Plan) -> String {
    PlanDocument::from_plan(plan).to_toml()
}

/// The unit an indicator takes when its file gives none (see `parse_plan`).
pub fn default_unit(measure: Measure) -> &'static str {
    match measure {
        Measure::Count | Measure::Level => "件",
        Measure::Ratio => "%",
        Measure::Milestone | Measure::Qualitative => "",
    }
}

impl PlanDocument {
    /// The document that reads back as `plan`: defaults are left out, an indicator reported by
    /// exactly the plan's default bodies has no `bodies`, and the unit goes in the target.
    pub fn from_plan(plan: &Plan) -> Self {
        let start = plan.period.start.year();
        let defaults = default_bodies(plan);
        let header = HeaderDocument {
            id: plan.id.clone(),
            name: plan.name.clone(),
            start_fy: i64::from(start),
            end_fy: i64::from(plan.period.end.year()),
            revision: (plan.revision != 1).then_some(i64::from(plan.revision)),
            effective_from: (plan.effective_from.year() != start)
                .then_some(i64::from(plan.effective_from.year())),
            decided_on: plan.decided_on.clone(),
            revision_note: plan.revision_note.clone(),
            on_track_threshold: (plan.on_track_threshold != 1.0).then_some(plan.on_track_threshold),
            committee: plan.committee.clone(),
            default_bodies: defaults.clone(),
        };
        PlanDocument {
            header,
            bodies: plan
                .bodies
                .iter()
                .map(|b| BodyDocument {
                    id: b.id.clone(),
                    name: b.name.clone(),
                    short_name: b.short_name.clone(),
                })
                .collect(),
            glossary: plan
                .glossary
                .iter()
                .map(|g| GlossaryDocument {
                    term: g.term.clone(),
                    definition: g.definition.clone(),
                })
                .collect(),
            projects: plan
                .projects
                .iter()
                .map(|p| project_document(p, &defaults))
                .collect(),
        }
    }

    /// The document as plan-format TOML text.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let h = &self.header;
        out.push_str("[plan]\n");
        key(&mut out, "id", &toml_string(&h.id));
        key(&mut out, "name", &toml_string(&h.name));
        key(&mut out, "start_fy", &h.start_fy.to_string());
        key(&mut out, "end_fy", &h.end_fy.to_string());
        if let Some(r) = h.revision {
            key(&mut out, "revision", &r.to_string());
        }
        if let Some(e) = h.effective_from {
            key(&mut out, "effective_from", &e.to_string());
        }
        optional_string(&mut out, "decided_on", h.decided_on.as_deref());
        optional_string(&mut out, "revision_note", h.revision_note.as_deref());
        if let Some(t) = h.on_track_threshold {
            key(&mut out, "on_track_threshold", &toml_number(t));
        }
        optional_string(&mut out, "committee", h.committee.as_deref());
        if !h.default_bodies.is_empty() {
            key(&mut out, "default_bodies", &assignments(&h.default_bodies));
        }
        for b in &self.bodies {
            out.push_str("\n[[bodies]]\n");
            key(&mut out, "id", &toml_string(&b.id));
            key(&mut out, "name", &toml_string(&b.name));
            optional_string(&mut out, "short_name", b.short_name.as_deref());
        }
        for g in &self.glossary {
            out.push_str("\n[[glossary]]\n");
            key(&mut out, "term", &toml_string(&g.term));
            key(&mut out, "definition", &toml_string(&g.definition));
        }
        for p in &self.projects {
            out.push_str("\n[[projects]]\n");
            key(&mut out, "id", &toml_string(&p.id));
            key(&mut out, "name", &toml_string(&p.name));
            for i in &p.indicators {
                out.push_str("\n[[projects.indicators]]\n");
                indicator(&mut out, i);
            }
        }
        out
    }
}

/// The plan's default bodies: those of `[plan] default_bodies`. A validated plan keeps only
/// each indicator's resolved bodies, so the default is taken as the bodies shared by the most
/// indicators that a file would leave without `bodies` (the first such, on a tie).
fn default_bodies(plan: &Plan) -> Vec<Assignment> {
    let mut counts: Vec<(&Vec<Assignment>, usize)> = Vec::new();
    for (_, i) in plan.indicators() {
        match counts.iter_mut().find(|(a, _)| **a == i.assignments) {
            Some((_, n)) => *n += 1,
            None => counts.push((&i.assignments, 1)),
        }
    }
    let mut best: Option<(&Vec<Assignment>, usize)> = None;
    for (a, n) in counts {
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((a, n));
        }
    }
    best.map(|(a, _)| a.clone()).unwrap_or_default()
}

fn project_document(project: &Project, defaults: &[Assignment]) -> ProjectDocument {
    ProjectDocument {
        id: project.id.clone(),
        name: project.name.clone(),
        indicators: project
            .indicators
            .iter()
            .map(|i| {
                let target = i.target.as_ref().map(|t| {
                    let mut doc = target_document(t);
                    if !i.unit.is_empty() {
                        doc.unit = Some(i.unit.clone());
                    }
                    doc
                });
                // The unit travels in the target; without one it is written when it is not
                // the measure's default (a qualitative indicator's unit is always empty).
                let unit_in_target = target.as_ref().is_some_and(|t| t.unit.is_some());
                let unit = (!unit_in_target
                    && i.measure != Measure::Qualitative
                    && i.unit != default_unit(i.measure))
                .then(|| i.unit.clone());
                IndicatorDocument {
                    id: i.id.clone(),
                    name: i.name.clone(),
                    kind: i.kind,
                    group: i.group.clone(),
                    management: i.management,
                    measure: i.measure,
                    unit,
                    target,
                    parent: i.parent.clone(),
                    bodies: (i.assignments != *defaults).then(|| i.assignments.clone()),
                    counting: i.counting,
                    expected_profile: i.expected_profile.clone(),
                    note: i.note.clone(),
                    counted_from: i.counted_from,
                    achievement_tag: i.achievement_tag.clone(),
                }
            })
            .collect(),
    }
}

/// The target's keys; a comparator is written only where it is not the form's default.
pub fn target_document(target: &Target) -> TargetDocument {
    let explicit = |c: Comparator| (c != Comparator::Reach).then_some(c);
    match *target {
        Target::Cumulative { value, comparator }
        | Target::Ratio { value, comparator }
        | Target::Level { value, comparator } => TargetDocument {
            value: Some(value),
            comparator: explicit(comparator),
            ..TargetDocument::default()
        },
        Target::PerYear { per_year, value } => TargetDocument {
            value: Some(value),
            per_year: Some(per_year),
            ..TargetDocument::default()
        },
        Target::Relative {
            factor,
            baseline,
            comparator,
        } => {
            let default = if factor < 1.0 {
                Comparator::AtMost
            } else {
                Comparator::AtLeast
            };
            TargetDocument {
                factor: Some(factor),
                baseline_fy: Some(i64::from(baseline.year())),
                comparator: (comparator != default).then_some(comparator),
                ..TargetDocument::default()
            }
        }
        Target::Milestone { deadline } => TargetDocument {
            deadline_fy: Some(i64::from(deadline.year())),
            ..TargetDocument::default()
        },
    }
}

fn indicator(out: &mut String, i: &IndicatorDocument) {
    key(out, "id", &toml_string(&i.id));
    key(out, "name", &toml_string(&i.name));
    key(out, "kind", &toml_string(kind_name(i.kind)));
    key(out, "group", &toml_string(&i.group));
    if i.management {
        key(out, "management", "true");
    }
    key(out, "measure", &toml_string(i.measure.as_str()));
    optional_string(out, "unit", i.unit.as_deref());
    if let Some(t) = &i.target {
        key(out, "target", &target_table(t));
    }
    optional_string(out, "parent", i.parent.as_deref());
    if let Some(b) = &i.bodies {
        key(out, "bodies", &assignments(b));
    }
    if i.counting == Counting::CalendarYear {
        key(out, "counting", "\"calendar_year\"");
    }
    if let Some(profile) = &i.expected_profile {
        let values: Vec<String> = profile.iter().map(|v| toml_number(*v)).collect();
        key(out, "expected_profile", &format!("[{}]", values.join(", ")));
    }
    optional_string(out, "note", i.note.as_deref());
    if i.counted_from == CountedFrom::Achievements {
        key(out, "counted_from", "\"achievements\"");
    }
    optional_string(out, "achievement_tag", i.achievement_tag.as_deref());
}

fn kind_name(kind: IndicatorKind) -> &'static str {
    match kind {
        IndicatorKind::Output => "output",
        IndicatorKind::Outcome => "outcome",
    }
}

fn target_table(t: &TargetDocument) -> String {
    let mut parts = Vec::new();
    if let Some(v) = t.per_year {
        parts.push(format!("per_year = {}", toml_number(v)));
    }
    if let Some(v) = t.value {
        parts.push(format!("value = {}", toml_number(v)));
    }
    if let Some(v) = t.factor {
        parts.push(format!("factor = {}", toml_number(v)));
    }
    if let Some(v) = t.baseline_fy {
        parts.push(format!("baseline_fy = {v}"));
    }
    if let Some(v) = t.deadline_fy {
        parts.push(format!("deadline_fy = {v}"));
    }
    if let Some(u) = &t.unit {
        parts.push(format!("unit = {}", toml_string(u)));
    }
    if let Some(c) = t.comparator {
        parts.push(format!("comparator = {}", toml_string(c.as_str())));
    }
    if parts.is_empty() {
        "{}".to_owned()
    } else {
        format!("{{ {} }}", parts.join(", "))
    }
}

fn assignments(list: &[Assignment]) -> String {
    let items: Vec<String> = list
        .iter()
        .map(|a| match a.share {
            None => toml_string(&a.body),
            Some(share) => format!(
                "{{ body = {}, share = {} }}",
                toml_string(&a.body),
                toml_number(share)
            ),
        })
        .collect();
    format!("[{}]", items.join(", "))
}

fn key(out: &mut String, name: &str, value: &str) {
    // Writing to a String cannot fail.
    let _ = writeln!(out, "{name} = {value}");
}

fn optional_string(out: &mut String, name: &str, value: Option<&str>) {
    if let Some(v) = value {
        key(out, name, &toml_string(v));
    }
}

/// `text` as a TOML string, quoted and escaped by the `toml` crate's own writer.
pub fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// `v` as a TOML number: whole numbers as integers (`25`), others as floats that read back as
/// the same `f64`.
pub fn toml_number(v: f64) -> String {
    // Below 2^53 every whole f64 is an exact i64.
    if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
        format!("{}", v as i64)
    } else {
        toml::Value::Float(v).to_string()
    }
}
