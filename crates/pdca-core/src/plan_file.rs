//! The plan file format (TOML, documented in `docs/plan-format.md`): parsing and validation with
//! errors that name the file, line, column and key, and say what was expected.

mod render;

pub use render::{
    BodyDocument, GlossaryDocument, HeaderDocument, IndicatorDocument, PlanDocument,
    ProjectDocument, TargetDocument, default_unit, render_plan, target_document, toml_number,
    toml_string,
};

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::fiscal_year::FiscalYear;
use crate::normalize::{TextKind, check_controls, normalize_text};
use crate::plan::{
    Assignment, Body, Comparator, CountedFrom, Counting, GlossaryEntry, Indicator, IndicatorKind,
    Measure, Period, Plan, Project, Target, effective_tag,
};

/// The keys whose strings are running text, where tabs and line breaks are allowed.
const MULTI_LINE_KEYS: [&str; 3] = ["revision_note", "definition", "note"];

/// Longest plan period accepted, in years.
const MAX_PERIOD_YEARS: u32 = 50;

/// One problem in a plan file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFileError {
    /// The file's name as given by the caller.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The key path, e.g. `projects[2].indicators[4].target.value`.
    pub key: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for PlanFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// All the problems found in a plan file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PlanFileErrors(pub Vec<PlanFileError>);

impl fmt::Display for PlanFileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    plan: Spanned<RawPlan>,
    #[serde(default)]
    bodies: Vec<Spanned<RawBody>>,
    #[serde(default)]
    glossary: Vec<RawGlossary>,
    #[serde(default)]
    projects: Vec<Spanned<RawProject>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    id: Spanned<String>,
    name: String,
    start_fy: Spanned<i64>,
    end_fy: Spanned<i64>,
    #[serde(default = "one")]
    revision: Spanned<i64>,
    effective_from: Option<Spanned<i64>>,
    decided_on: Option<Spanned<String>>,
    revision_note: Option<String>,
    on_track_threshold: Option<Spanned<f64>>,
    committee: Option<String>,
    #[serde(default)]
    default_bodies: Vec<Spanned<RawAssignment>>,
}

fn one() -> Spanned<i64> {
    Spanned::new(0..0, 1)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBody {
    id: Spanned<String>,
    name: String,
    short_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGlossary {
    term: String,
    definition: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    indicators: Vec<Spanned<RawIndicator>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: Spanned<String>,
    name: String,
    kind: IndicatorKind,
    group: String,
    #[serde(default)]
    management: bool,
    measure: Measure,
    unit: Option<String>,
    target: Option<Spanned<RawTarget>>,
    parent: Option<Spanned<String>>,
    bodies: Option<Vec<Spanned<RawAssignment>>>,
    #[serde(default)]
    counting: Counting,
    expected_profile: Option<Spanned<Vec<f64>>>,
    note: Option<String>,
    counted_from: Option<Spanned<CountedFrom>>,
    achievement_tag: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "目標の表（例: { value = 25, unit = \"件\" }）"
)]
struct RawTarget {
    value: Option<f64>,
    unit: Option<String>,
    comparator: Option<Comparator>,
    per_year: Option<f64>,
    factor: Option<f64>,
    baseline_fy: Option<i64>,
    deadline_fy: Option<i64>,
}

#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "報告機関は \"amed\" のようなIDか { body = \"mext\", share = 2 } の表で書きます（表のキーは body と share）"
)]
enum RawAssignment {
    Body(String),
    Share(RawShare),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShare {
    body: String,
    share: Option<f64>,
}

impl RawAssignment {
    fn to_assignment(&self) -> Assignment {
        match self {
            RawAssignment::Body(body) => Assignment {
                body: body.clone(),
                share: None,
            },
            RawAssignment::Share(RawShare { body, share }) => Assignment {
                body: body.clone(),
                share: *share,
            },
        }
    }
}

/// Parses and validates a plan file. `file` names it in error messages.
pub fn parse_plan(file: &str, text: &str) -> Result<Plan, PlanFileErrors> {
    let mut v = Validator {
        file,
        text,
        errors: Vec::new(),
    };
    let raw: RawFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let key = e.span().and_then(|span| key_at(text, span.start));
            v.error_at(e.span(), key, reader_message(e.message().trim()));
            return Err(PlanFileErrors(v.errors));
        }
    };
    v.controls();
    let plan = v.plan(raw);
    if v.errors.is_empty() {
        Ok(plan)
    } else {
        Err(PlanFileErrors(v.errors))
    }
}

struct Validator<'a> {
    file: &'a str,
    text: &'a str,
    errors: Vec<PlanFileError>,
}

impl Validator<'_> {
    fn error_at(&mut self, span: Option<Range<usize>>, key: Option<String>, message: String) {
        let (line, column) = match span {
            Some(span) if span.end > 0 => {
                let (l, c) = line_column(self.text, span.start);
                (Some(l), Some(c))
            }
            _ => (None, None),
        };
        self.errors.push(PlanFileError {
            file: self.file.to_owned(),
            line,
            column,
            key,
            message,
        });
    }

    fn error(&mut self, span: Range<usize>, key: &str, message: impl Into<String>) {
        self.error_at(Some(span), Some(key.to_owned()), message.into());
    }

    /// Refuses control characters in every string of the file (TOML lets `\u0000` and the like
    /// through as escapes): tabs and line breaks only in the running texts of
    /// [`MULTI_LINE_KEYS`], none at all in ids and names.
    fn controls(&mut self) {
        let Ok(doc) = DeTable::parse(self.text) else {
            return;
        };
        for (k, v) in doc.get_ref().iter() {
            self.controls_in(v, k.get_ref());
        }
    }

    fn controls_in(&mut self, value: &Spanned<DeValue<'_>>, path: &str) {
        match value.get_ref() {
            DeValue::String(text) => {
                let last = path.rsplit('.').next().unwrap_or(path);
                let kind = if MULTI_LINE_KEYS.contains(&last) {
                    TextKind::MultiLine
                } else {
                    TextKind::SingleLine
                };
                if let Err(e) = check_controls("値", text, kind) {
                    self.error(value.span(), path, e.to_string());
                }
            }
            DeValue::Table(table) => {
                for (k, v) in table.iter() {
                    self.controls_in(v, &format!("{path}.{}", k.get_ref()));
                }
            }
            DeValue::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    self.controls_in(v, &format!("{path}[{i}]"));
                }
            }
            _ => {}
        }
    }

    fn fiscal_year(&mut self, value: &Spanned<i64>, key: &str) -> Option<FiscalYear> {
        let fy = i32::try_from(*value.get_ref())
            .ok()
            .and_then(|y| FiscalYear::new(y).ok());
        if fy.is_none() {
            self.error(
                value.span(),
                key,
                format!(
                    "年度は西暦4桁で書いてください（例: 2020）。「{}」は範囲外です",
                    value.get_ref()
                ),
            );
        }
        fy
    }

    fn plan(&mut self, raw: RawFile) -> Plan {
        let header_span = raw.plan.span();
        let header = raw.plan.into_inner();
        let start = self.fiscal_year(&header.start_fy, "plan.start_fy");
        let end = self.fiscal_year(&header.end_fy, "plan.end_fy");
        let fallback = FiscalYear::new(2020).ok();
        let (start, end) = match (start, end, fallback) {
            (Some(s), Some(e), _) if s <= e => (s, e),
            (Some(s), Some(e), _) => {
                self.error(
                    header.end_fy.span(),
                    "plan.end_fy",
                    format!("終了年度 {e} が開始年度 {s} より前です"),
                );
                (s, s)
            }
            (s, e, Some(f)) => (s.unwrap_or(f), e.unwrap_or(f)),
            (_, _, None) => return empty_plan(),
        };
        let period = Period { start, end };
        if period.len() > MAX_PERIOD_YEARS {
            self.error(
                header.end_fy.span(),
                "plan.end_fy",
                format!("計画期間は{MAX_PERIOD_YEARS}年以内にしてください"),
            );
        }
        let id = self.identifier(&header.id, "plan.id");
        let revision = match u32::try_from(*header.revision.get_ref()) {
            Ok(r) if r >= 1 => r,
            _ => {
                self.error(
                    header.revision.span(),
                    "plan.revision",
                    "版番号は1以上の整数です",
                );
                1
            }
        };
        let effective_from = match &header.effective_from {
            Some(e) => match self.fiscal_year(e, "plan.effective_from") {
                Some(fy) if period.contains(fy) => fy,
                Some(fy) => {
                    self.error(
                        e.span(),
                        "plan.effective_from",
                        format!("適用年度 {fy} が計画期間 {start}〜{end} の外です"),
                    );
                    start
                }
                None => start,
            },
            None => start,
        };
        if let Some(d) = &header.decided_on
            && !is_iso_date(d.get_ref())
        {
            self.error(
                d.span(),
                "plan.decided_on",
                "日付は YYYY-MM-DD で書いてください",
            );
        }
        let on_track_threshold = match &header.on_track_threshold {
            Some(t) if *t.get_ref() > 0.0 && *t.get_ref() <= 2.0 => *t.get_ref(),
            Some(t) => {
                self.error(
                    t.span(),
                    "plan.on_track_threshold",
                    "on_track_threshold は 0 より大きく 2 以下の数です（既定 1.0）",
                );
                1.0
            }
            None => 1.0,
        };

        let mut bodies = Vec::new();
        let mut body_ids = HashSet::new();
        for (i, b) in raw.bodies.into_iter().enumerate() {
            let b = b.into_inner();
            let key = format!("bodies[{i}].id");
            let id = self.identifier(&b.id, &key);
            if !body_ids.insert(id.clone()) {
                self.error(
                    b.id.span(),
                    &key,
                    format!("報告機関ID「{id}」が重複しています"),
                );
            }
            bodies.push(Body {
                id,
                name: clean_name(&b.name),
                short_name: b.short_name.map(|s| clean_name(&s)),
            });
        }
        let default_bodies =
            self.assignments(&header.default_bodies, "plan.default_bodies", &body_ids);
        let _ = header_span;

        let mut projects = Vec::new();
        let mut project_ids = HashSet::new();
        let mut indicator_ids: HashMap<String, (usize, Range<usize>)> = HashMap::new();
        let mut parent_spans: HashMap<(usize, usize), Range<usize>> = HashMap::new();
        let mut counting_spans: HashMap<(usize, usize), CountingSpans> = HashMap::new();
        for (pi, p) in raw.projects.into_iter().enumerate() {
            let p = p.into_inner();
            let key = format!("projects[{pi}].id");
            let pid = self.identifier(&p.id, &key);
            if !project_ids.insert(pid.clone()) {
                self.error(
                    p.id.span(),
                    &key,
                    format!("プロジェクトID「{pid}」が重複しています"),
                );
            }
            let mut indicators = Vec::new();
            for (ii, ind) in p.indicators.into_iter().enumerate() {
                let span = ind.span();
                let ind = ind.into_inner();
                let base = format!("projects[{pi}].indicators[{ii}]");
                let id = self.identifier(&ind.id, &format!("{base}.id"));
                if indicator_ids
                    .insert(id.clone(), (pi, ind.id.span()))
                    .is_some()
                {
                    self.error(
                        ind.id.span(),
                        &format!("{base}.id"),
                        format!("指標ID「{id}」が重複しています"),
                    );
                }
                if let Some(parent) = &ind.parent {
                    parent_spans.insert((pi, ii), parent.span());
                }
                counting_spans.insert(
                    (pi, ii),
                    CountingSpans {
                        indicator: span.clone(),
                        counted_from: ind.counted_from.as_ref().map(|c| (*c.get_ref(), c.span())),
                        tag: ind.achievement_tag.as_ref().map(Spanned::span),
                    },
                );
                let indicator =
                    self.indicator(ind, id, &base, span, period, &body_ids, &default_bodies);
                indicators.push(indicator);
            }
            projects.push(Project {
                id: pid,
                name: clean_name(&p.name),
                indicators,
            });
        }
        if projects.is_empty() {
            self.error_at(
                None,
                Some("projects".into()),
                "プロジェクトが1つもありません（[[projects]] が必要です）".into(),
            );
        }
        self.check_parents(&projects, &indicator_ids, &parent_spans);
        self.check_achievement_counting(&mut projects, &counting_spans);

        Plan {
            id,
            name: clean_name(&header.name),
            period,
            revision,
            effective_from,
            decided_on: header.decided_on.map(Spanned::into_inner),
            revision_note: header.revision_note,
            on_track_threshold,
            committee: header.committee.map(|c| clean_name(&c)),
            bodies,
            glossary: raw
                .glossary
                .into_iter()
                .map(|g| GlossaryEntry {
                    term: clean_name(&g.term),
                    definition: g.definition.trim().to_owned(),
                })
                .collect(),
            projects,
        }
    }

    fn identifier(&mut self, id: &Spanned<String>, key: &str) -> String {
        let s = id.get_ref();
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !ok {
            self.error(
                id.span(),
                key,
                format!("IDは半角英数字と - _ . で64文字以内です。「{s}」は使えません"),
            );
        }
        s.clone()
    }

    fn assignments(
        &mut self,
        raw: &[Spanned<RawAssignment>],
        key: &str,
        body_ids: &HashSet<String>,
    ) -> Vec<Assignment> {
        let mut out: Vec<Assignment> = Vec::new();
        for (i, a) in raw.iter().enumerate() {
            let assignment = a.get_ref().to_assignment();
            let key = format!("{key}[{i}]");
            if !body_ids.contains(&assignment.body) {
                self.error(
                    a.span(),
                    &key,
                    format!("報告機関「{}」は [[bodies]] にありません", assignment.body),
                );
            }
            if assignment
                .share
                .is_some_and(|s| !(s >= 0.0 && s.is_finite()))
            {
                self.error(a.span(), &key, "share は0以上の数です");
            }
            if out.iter().any(|o| o.body == assignment.body) {
                self.error(
                    a.span(),
                    &key,
                    format!("報告機関「{}」が重複しています", assignment.body),
                );
            }
            out.push(assignment);
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn indicator(
        &mut self,
        raw: RawIndicator,
        id: String,
        base: &str,
        span: Range<usize>,
        period: Period,
        body_ids: &HashSet<String>,
        default_bodies: &[Assignment],
    ) -> Indicator {
        let assignments = match &raw.bodies {
            Some(b) => self.assignments(b, &format!("{base}.bodies"), body_ids),
            None => default_bodies.to_vec(),
        };
        if assignments.is_empty() {
            self.error(
                span.clone(),
                &format!("{base}.bodies"),
                "報告機関がありません（bodies か plan.default_bodies が必要です）",
            );
        }
        let target = raw.target.as_ref().and_then(|t| {
            self.target(
                t.get_ref(),
                t.span(),
                raw.measure,
                period,
                &format!("{base}.target"),
            )
        });
        if let Some(t) = &raw.target {
            if raw.measure == Measure::Qualitative {
                self.error(
                    t.span(),
                    &format!("{base}.target"),
                    "定性的な指標（measure = \"qualitative\"）に目標値は置けません",
                );
            } else if raw.management {
                self.error(
                    t.span(),
                    &format!("{base}.target"),
                    "その他管理指標（management = true）に目標値は置けません",
                );
            }
        }
        let unit = raw
            .unit
            .clone()
            .or_else(|| raw.target.as_ref().and_then(|t| t.get_ref().unit.clone()))
            .map(|u| normalize_text(&u))
            .unwrap_or_else(|| {
                match raw.measure {
                    Measure::Count | Measure::Level => "件",
                    Measure::Ratio => "%",
                    Measure::Milestone | Measure::Qualitative => "",
                }
                .to_owned()
            });
        if let Some(profile) = &raw.expected_profile {
            let key = format!("{base}.expected_profile");
            let values = profile.get_ref();
            let total = match &target {
                Some(Target::Cumulative { value, .. } | Target::PerYear { value, .. }) => {
                    Some(*value)
                }
                _ => None,
            };
            match total {
                None => self.error(
                    profile.span(),
                    &key,
                    "expected_profile は累計型（count の目標）にだけ置けます",
                ),
                Some(total) => {
                    if values.len() != period.len() as usize {
                        self.error(
                            profile.span(),
                            &key,
                            format!(
                                "計画期間の年数（{}）と同じ数の値が必要です（{}個あります）",
                                period.len(),
                                values.len()
                            ),
                        );
                    } else if values.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
                        self.error(profile.span(), &key, "各年の期待値は0以上の数です");
                    } else if (values.iter().sum::<f64>() - total).abs() > 1e-9 * total.max(1.0) {
                        self.error(
                            profile.span(),
                            &key,
                            format!(
                                "各年の期待値の合計（{}）が目標値（{total}）と一致しません",
                                values.iter().sum::<f64>()
                            ),
                        );
                    }
                }
            }
        }
        if raw.management && raw.measure != Measure::Qualitative {
            // Management indicators are monitored; a numeric one is allowed but has no target.
        }
        Indicator {
            id,
            name: clean_name(&raw.name),
            kind: raw.kind,
            group: clean_name(&raw.group),
            management: raw.management,
            measure: raw.measure,
            unit: if raw.measure == Measure::Qualitative {
                String::new()
            } else {
                unit
            },
            target,
            parent: raw.parent.map(Spanned::into_inner),
            assignments,
            counting: raw.counting,
            expected_profile: raw.expected_profile.map(Spanned::into_inner),
            note: raw.note,
            counted_from: raw
                .counted_from
                .map_or(CountedFrom::Reported, Spanned::into_inner),
            achievement_tag: raw.achievement_tag.map(|t| clean_name(t.get_ref())),
        }
    }

    fn target(
        &mut self,
        t: &RawTarget,
        span: Range<usize>,
        measure: Measure,
        period: Period,
        key: &str,
    ) -> Option<Target> {
        let comparator = t.comparator.unwrap_or(Comparator::Reach);
        let positive = |v: Option<f64>| v.filter(|v| v.is_finite() && *v > 0.0);
        // Errors name the target's key that is wrong (`….target.value`), or the target itself.
        let fail_at = |this: &mut Self, field: &str, msg: &str| {
            this.error(span.clone(), &format!("{key}.{field}"), msg.to_owned());
            None
        };
        let fail = |this: &mut Self, msg: &str| {
            this.error(span.clone(), key, msg.to_owned());
            None
        };
        let extra = |names: &[(&str, bool)]| -> Option<String> {
            names
                .iter()
                .find(|(_, present)| *present)
                .map(|(n, _)| (*n).to_owned())
        };
        let target = match measure {
            Measure::Qualitative => return None,
            Measure::Count => {
                if let Some(name) = extra(&[
                    ("factor", t.factor.is_some()),
                    ("baseline_fy", t.baseline_fy.is_some()),
                    ("deadline_fy", t.deadline_fy.is_some()),
                ]) {
                    return fail_at(
                        self,
                        &name,
                        &format!(
                            "count の目標に {name} は置けません（value, per_year, comparator, unit）"
                        ),
                    );
                }
                match (positive(t.per_year), t.per_year) {
                    (Some(per_year), _) => {
                        if t.comparator.is_some_and(|c| c == Comparator::AtMost) {
                            return fail_at(
                                self,
                                "comparator",
                                "per_year の目標は comparator = \"at_most\" にできません",
                            );
                        }
                        let total = match t.value {
                            None => per_year * f64::from(period.len()),
                            Some(v) if v.is_finite() && v > 0.0 => v,
                            Some(_) => {
                                return fail_at(
                                    self,
                                    "value",
                                    "value（期間累計）は0より大きい数です",
                                );
                            }
                        };
                        Target::PerYear {
                            per_year,
                            value: total,
                        }
                    }
                    (None, Some(_)) => {
                        return fail_at(self, "per_year", "per_year は0より大きい数です");
                    }
                    (None, None) => match positive(t.value) {
                        Some(value) => Target::Cumulative { value, comparator },
                        None => {
                            return fail_at(
                                self,
                                "value",
                                "count の目標には value（期間累計、0より大きい数）が必要です",
                            );
                        }
                    },
                }
            }
            Measure::Ratio => {
                if let Some(name) = extra(&[
                    ("per_year", t.per_year.is_some()),
                    ("factor", t.factor.is_some()),
                    ("baseline_fy", t.baseline_fy.is_some()),
                    ("deadline_fy", t.deadline_fy.is_some()),
                ]) {
                    return fail_at(
                        self,
                        &name,
                        &format!("ratio の目標に {name} は置けません（value, comparator, unit）"),
                    );
                }
                match t.value {
                    Some(value) if value.is_finite() && (0.0..=100.0).contains(&value) => {
                        Target::Ratio { value, comparator }
                    }
                    Some(value) => {
                        return fail_at(
                            self,
                            "value",
                            &format!(
                                "ratio の目標の value は 0〜100 の百分率です（{value} と書かれています）"
                            ),
                        );
                    }
                    None => {
                        return fail_at(
                            self,
                            "value",
                            "ratio の目標には value（0〜100 の百分率）が必要です",
                        );
                    }
                }
            }
            Measure::Level => {
                if let Some(name) = extra(&[
                    ("per_year", t.per_year.is_some()),
                    ("deadline_fy", t.deadline_fy.is_some()),
                ]) {
                    return fail_at(
                        self,
                        &name,
                        &format!(
                            "level の目標に {name} は置けません（value, または factor と baseline_fy）"
                        ),
                    );
                }
                match (t.factor, t.baseline_fy, t.value) {
                    (Some(factor), Some(b), None) => {
                        let Some(baseline) =
                            i32::try_from(b).ok().and_then(|y| FiscalYear::new(y).ok())
                        else {
                            return fail_at(self, "baseline_fy", "baseline_fy は西暦4桁の年度です");
                        };
                        if !(factor.is_finite() && factor > 0.0 && factor != 1.0) {
                            return fail_at(
                                self,
                                "factor",
                                "factor は0より大きく1以外の数です（2倍なら 2、半減なら 0.5）",
                            );
                        }
                        if baseline >= period.end {
                            return fail_at(
                                self,
                                "baseline_fy",
                                &format!(
                                    "baseline_fy（{baseline}）は計画の最終年度 {} より前でなければなりません",
                                    period.end
                                ),
                            );
                        }
                        let default = if factor < 1.0 {
                            Comparator::AtMost
                        } else {
                            Comparator::AtLeast
                        };
                        let comparator = t.comparator.unwrap_or(default);
                        if comparator.lower_is_better() != (factor < 1.0) {
                            return fail_at(
                                self,
                                "comparator",
                                "factor が1より大きいときは増加（at_least）、1より小さいときは減少（at_most）の目標です",
                            );
                        }
                        Target::Relative {
                            factor,
                            baseline,
                            comparator,
                        }
                    }
                    (None, None, Some(value)) if value.is_finite() => {
                        Target::Level { value, comparator }
                    }
                    _ => {
                        return fail(
                            self,
                            "level の目標は value か、factor と baseline_fy の組のどちらかです",
                        );
                    }
                }
            }
            Measure::Milestone => {
                if let Some(name) = extra(&[
                    ("value", t.value.is_some()),
                    ("per_year", t.per_year.is_some()),
                    ("factor", t.factor.is_some()),
                    ("baseline_fy", t.baseline_fy.is_some()),
                    ("comparator", t.comparator.is_some()),
                ]) {
                    return fail_at(
                        self,
                        &name,
                        &format!("milestone の目標に {name} は置けません（deadline_fy）"),
                    );
                }
                let Some(deadline) = t
                    .deadline_fy
                    .and_then(|y| i32::try_from(y).ok())
                    .and_then(|y| FiscalYear::new(y).ok())
                else {
                    return fail_at(
                        self,
                        "deadline_fy",
                        "milestone の目標には deadline_fy（西暦4桁の年度）が必要です",
                    );
                };
                if deadline < period.start {
                    return fail_at(
                        self,
                        "deadline_fy",
                        &format!("deadline_fy（{deadline}）が計画の開始年度より前です"),
                    );
                }
                Target::Milestone { deadline }
            }
        };
        Some(target)
    }

    /// Sub-targets (うち…): the parent must exist earlier in the same project, be a count of the
    /// same kind that is not itself a sub-target, and hold a target no smaller than the child's.
    fn check_parents(
        &mut self,
        projects: &[Project],
        ids: &HashMap<String, (usize, Range<usize>)>,
        parent_spans: &HashMap<(usize, usize), Range<usize>>,
    ) {
        let by_id: HashMap<&str, &Indicator> = projects
            .iter()
            .flat_map(|p| p.indicators.iter())
            .map(|i| (i.id.as_str(), i))
            .collect();
        for (pi, p) in projects.iter().enumerate() {
            for (ii, child) in p.indicators.iter().enumerate() {
                let Some(parent_id) = &child.parent else {
                    continue;
                };
                let span = parent_spans.get(&(pi, ii)).cloned().unwrap_or(0..0);
                let key = format!("projects[{pi}].indicators[{ii}].parent");
                let Some(parent) = by_id.get(parent_id.as_str()) else {
                    self.error(
                        span,
                        &key,
                        format!("親指標「{parent_id}」がありません（同じプロジェクトの指標IDを書いてください）"),
                    );
                    continue;
                };
                let earlier = p.indicators[..ii].iter().any(|i| i.id == *parent_id);
                if parent_id == &child.id {
                    self.error(span, &key, "指標は自分自身の内数にはなれません");
                } else if ids.get(parent_id).map(|(p, _)| *p) != Some(pi) {
                    self.error(
                        span,
                        &key,
                        format!("親指標「{parent_id}」は別のプロジェクトにあります"),
                    );
                } else if !earlier {
                    self.error(
                        span,
                        &key,
                        format!("親指標「{parent_id}」はこの内数より前に置いてください"),
                    );
                } else if parent.parent.is_some() {
                    self.error(
                        span,
                        &key,
                        format!("親指標「{parent_id}」自体が内数です（内数の内数は置けません）"),
                    );
                } else if child.measure != Measure::Count || parent.measure != Measure::Count {
                    self.error(
                        span,
                        &key,
                        "内数（うち…）は count の指標どうしでだけ置けます",
                    );
                } else if parent.kind != child.kind {
                    self.error(
                        span,
                        &key,
                        "内数はアウトプット／アウトカムの別が親と同じでなければなりません",
                    );
                } else if let (Some(c), Some(p)) = (
                    child.target.as_ref().and_then(Target::value),
                    parent.target.as_ref().and_then(Target::value),
                ) && c > p
                {
                    self.error(
                        span,
                        &key,
                        format!("内数の目標値 {c} が親の目標値 {p} を超えています"),
                    );
                }
            }
        }
    }
}

/// Where an indicator's `counted_from` and `achievement_tag` were written, for their errors.
struct CountingSpans {
    /// The indicator's table.
    indicator: Range<usize>,
    /// `counted_from` as written.
    counted_from: Option<(CountedFrom, Range<usize>)>,
    /// `achievement_tag`.
    tag: Option<Range<usize>>,
}

/// The characters that separate tags in an import's 区分 cell, so none may be in a tag.
pub const TAG_SEPARATORS: [char; 6] = ['、', ',', ';', '／', '/', '，'];

impl Validator<'_> {
    /// `counted_from = "achievements"` only on a count; a sub-target of a counted parent is
    /// counted too (it inherits: it may repeat the key, not say `"reported"`), and a sub-target
    /// of a parent counted from reports may not be counted. `achievement_tag` only on a
    /// sub-target. Where tags matter (the parent is counted, or the tag is written), the tags of
    /// one parent's sub-targets are non-empty, distinct and free of the separators of the 区分
    /// column.
    fn check_achievement_counting(
        &mut self,
        projects: &mut [Project],
        spans: &HashMap<(usize, usize), CountingSpans>,
    ) {
        let counted: HashSet<String> = projects
            .iter()
            .flat_map(|p| p.indicators.iter())
            .filter(|i| i.parent.is_none() && i.counted_from_achievements())
            .map(|i| i.id.clone())
            .collect();
        for (pi, p) in projects.iter_mut().enumerate() {
            let mut tags: HashMap<(String, String), String> = HashMap::new();
            for (ii, ind) in p.indicators.iter_mut().enumerate() {
                let Some(at) = spans.get(&(pi, ii)) else {
                    continue;
                };
                let base = format!("projects[{pi}].indicators[{ii}]");
                let key = format!("{base}.counted_from");
                let written = at.counted_from.clone();
                let span_of = |s: &Option<(CountedFrom, Range<usize>)>| {
                    s.as_ref().map_or(at.indicator.clone(), |(_, r)| r.clone())
                };
                if ind.counted_from_achievements() && ind.measure != Measure::Count {
                    self.error(
                        span_of(&written),
                        &key,
                        format!(
                            "counted_from = \"achievements\"（成果から集計）は count の指標にだけ置けます（この指標は {}）",
                            ind.measure.as_str()
                        ),
                    );
                }
                if let Some(parent) = ind.parent.clone() {
                    let parent_counted = counted.contains(&parent);
                    match (parent_counted, written.as_ref().map(|(c, _)| *c)) {
                        (true, Some(CountedFrom::Reported)) => self.error(
                            span_of(&written),
                            &key,
                            format!(
                                "親指標「{parent}」が成果から集計されるため、内数も成果から集計されます（counted_from を書かないか \"achievements\" にしてください）"
                            ),
                        ),
                        (false, Some(CountedFrom::Achievements)) => self.error(
                            span_of(&written),
                            &key,
                            format!(
                                "内数を成果から集計するには、親指標「{parent}」に counted_from = \"achievements\" を置いてください（内数の成果は親の成果のうち区分が付いたものです）"
                            ),
                        ),
                        _ => {}
                    }
                    if parent_counted {
                        ind.counted_from = CountedFrom::Achievements;
                    }
                    if !parent_counted && at.tag.is_none() {
                        // The tag only matters where achievements are counted or a tag is
                        // written: plans without achievements keep whatever names they had.
                        continue;
                    }
                    let tag = effective_tag(ind.achievement_tag.as_deref(), &ind.name);
                    let tag_key = if at.tag.is_some() {
                        format!("{base}.achievement_tag")
                    } else {
                        format!("{base}.name")
                    };
                    let tag_span = at.tag.clone().unwrap_or(at.indicator.clone());
                    if tag.is_empty() {
                        self.error(
                            tag_span.clone(),
                            &tag_key,
                            "成果の区分が空です（achievement_tag で区分名を書いてください）",
                        );
                    } else if tag.contains(TAG_SEPARATORS) {
                        self.error(
                            tag_span.clone(),
                            &tag_key,
                            format!(
                                "成果の区分「{tag}」に区切り文字（、 , ; ／ /）が含まれています（achievement_tag で区切り文字のない区分名を書いてください）"
                            ),
                        );
                    } else if let Some(first) =
                        tags.insert((parent.clone(), tag.clone()), ind.id.clone())
                    {
                        self.error(
                            tag_span,
                            &tag_key,
                            format!(
                                "成果の区分「{tag}」は同じ親指標「{parent}」の内数「{first}」と同じです（achievement_tag で別の区分名を書いてください）"
                            ),
                        );
                    }
                } else if let Some(span) = at.tag.clone() {
                    self.error(
                        span,
                        &format!("{base}.achievement_tag"),
                        "achievement_tag（成果の区分）は内数（parent のある指標）にだけ置けます",
                    );
                }
            }
        }
    }
}

fn empty_plan() -> Plan {
    // Only reached when even the fallback year is invalid, which cannot happen; errors were
    // already recorded and the caller discards this value.
    let fy = FiscalYear::new(2000).unwrap_or_else(|_| unreachable!());
    Plan {
        id: String::new(),
        name: String::new(),
        period: Period { start: fy, end: fy },
        revision: 1,
        effective_from: fy,
        decided_on: None,
        revision_note: None,
        on_track_threshold: 1.0,
        committee: None,
        bodies: vec![],
        glossary: vec![],
        projects: vec![],
    }
}

/// Names keep the plan's characters; only spacing is tidied (trimmed, runs collapsed).
fn clean_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_iso_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    matches!(parts.as_slice(), [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
        && (1..=12).contains(&m.parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&d.parse::<u32>().unwrap_or(0)))
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The key path (`projects[0].indicators[2].target.value`) of the entry at byte `pos`, found by
/// reading the document again with spans: the innermost key or value that holds `pos`.
fn key_at(text: &str, pos: usize) -> Option<String> {
    let doc = DeTable::parse(text).ok()?;
    key_in_table(doc.get_ref(), pos, "")
}

fn key_in_table(table: &DeTable<'_>, pos: usize, path: &str) -> Option<String> {
    for (k, v) in table.iter() {
        let here = if path.is_empty() {
            k.get_ref().to_string()
        } else {
            format!("{path}.{}", k.get_ref())
        };
        if holds(&k.span(), pos) {
            return Some(here);
        }
        if let Some(found) = key_in_value(v, pos, &here) {
            return Some(found);
        }
    }
    None
}

fn key_in_value(value: &Spanned<DeValue<'_>>, pos: usize, path: &str) -> Option<String> {
    let inner = match value.get_ref() {
        DeValue::Table(t) => key_in_table(t, pos, path),
        DeValue::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, el)| key_in_value(el, pos, &format!("{path}[{i}]"))),
        _ => None,
    };
    inner.or_else(|| holds(&value.span(), pos).then(|| path.to_owned()))
}

fn holds(span: &Range<usize>, pos: usize) -> bool {
    span.contains(&pos) || (span.is_empty() && span.start == pos && pos > 0)
}

/// The TOML reader's messages (serde's, in English) in Japanese, keeping what was expected.
fn reader_message(message: &str) -> String {
    let quoted = |s: &str| s.strip_prefix("one of ").unwrap_or(s).to_owned();
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return match rest.split_once(", expected ") {
            Some((name, expected)) => {
                format!("不明なキー {name} です（使えるキー: {}）", quoted(expected))
            }
            None => format!("不明なキー {rest} です"),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        return match rest.split_once(", expected ") {
            Some((name, expected)) => {
                format!("値 {name} は使えません（使える値: {}）", quoted(expected))
            }
            None => format!("値 {rest} は使えません"),
        };
    }
    if let Some(name) = message.strip_prefix("missing field ") {
        return format!("必須のキー {name} がありません");
    }
    if let Some((found, expected)) = message
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.split_once(", expected "))
    {
        return format!(
            "型が違います: {}が必要ですが、{} が書かれています",
            type_name(expected),
            type_name(found)
        );
    }
    if let Some(name) = message.strip_prefix("duplicate field ") {
        return format!("キー {name} が重複しています");
    }
    if message.starts_with("duplicate key") {
        return format!("キーが重複しています（{message}）");
    }
    if !message.is_ascii() {
        // One of this module's own messages (an `expecting` text).
        return message.to_owned();
    }
    format!("TOML として読めません: {message}")
}

/// serde's names of types and values, in words a plan's author uses.
fn type_name(serde: &str) -> String {
    let words = [
        ("f64", "数値"),
        ("f32", "数値"),
        ("i64", "整数"),
        ("i32", "整数"),
        ("u32", "整数"),
        ("u64", "整数"),
        ("a string", "文字列"),
        ("a boolean", "真偽値（true / false）"),
        ("a sequence", "配列 [...]"),
        ("a map", "表 {...}"),
        ("map", "表"),
        ("sequence", "配列"),
        ("string", "文字列"),
        ("integer", "整数"),
        ("floating point", "小数"),
        ("boolean", "真偽値"),
        ("struct RawPlan", "表 [plan]"),
        ("struct RawBody", "表 [[bodies]]"),
        ("struct RawGlossary", "表 [[glossary]]"),
        ("struct RawProject", "表 [[projects]]"),
        ("struct RawIndicator", "表 [[projects.indicators]]"),
        ("unit variant", "文字列"),
    ];
    for (from, to) in words {
        if serde == from {
            return to.to_owned();
        }
        if let Some(rest) = serde.strip_prefix(from).and_then(|r| r.strip_prefix(' ')) {
            return format!("{to} {rest}");
        }
    }
    serde.to_owned()
}
