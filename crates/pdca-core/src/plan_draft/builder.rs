//! Reading the classified lines in order into projects, indicators, notes and glossary entries,
//! keeping for every source line what it became, and applying a person's corrections.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::plan::{Counting, IndicatorKind, Measure, Target};

use super::lines::{Line, classify};
use super::names::{Marker, line_joint, strip_markers, tidy_name};
use super::resolve::{correct, set_reading};
use super::targets::{brackets_closed, is_bracketed_targets, read_indicator};
use super::{
    Correction, Draft, DraftMeta, DraftedIndicator, LineUse, NeedsReview, SourceLine, UnusedLine,
    UnusedReason, writer,
};

/// A project as drafted.
#[derive(Debug, Default)]
pub(super) struct DraftProject {
    pub id: String,
    pub name: String,
    pub heading: (usize, String),
    pub items: Vec<Item>,
    /// Numbers given so far: numeric and management, for outputs and outcomes.
    counters: [u32; 4],
}

/// What is written in a project, in source order.
#[derive(Debug)]
pub(super) enum Item {
    Indicator(Box<DraftIndicator>),
    /// A line not understood, written as a 要確認 comment where it stood.
    Unread(usize, String),
}

/// An indicator as drafted.
#[derive(Debug)]
pub(super) struct DraftIndicator {
    pub id: String,
    pub name: String,
    pub kind: IndicatorKind,
    pub group: String,
    pub management: bool,
    pub measure: Measure,
    pub target: Option<Target>,
    pub unit: Option<String>,
    pub counting: Counting,
    pub target_text: Option<String>,
    pub parent: Option<String>,
    pub note: Option<String>,
    pub source: Vec<(usize, String)>,
    /// Remarks (※) written after it, quoted in the draft.
    pub remarks: Vec<(usize, String)>,
    pub review: Vec<String>,
    /// What the reader assumed, said above the indicator in the draft (not a review).
    pub comments: Vec<String>,
    /// A sub-target read from （うち…）, even when it could not be tied to its parent.
    is_sub: bool,
}

impl DraftIndicator {
    pub(super) fn first_line(&self) -> Option<usize> {
        self.source.first().map(|(n, _)| *n)
    }
}

/// A glossary entry read from a footnote.
pub(super) struct Term {
    pub line: (usize, String),
    pub term: String,
    pub definition: String,
}

/// A bullet being read, possibly over several lines.
struct Open<'a> {
    id: String,
    lines: Vec<(usize, &'a str, &'a str)>,
    /// Remarks (※) read while it was open: line, raw text, note text.
    notes: Vec<(usize, String, String)>,
    sub_bullet: bool,
    kind: Option<IndicatorKind>,
    group: Option<String>,
    management: bool,
}

impl Open<'_> {
    /// The bullet's text with its lines joined, and where each line starts in it.
    fn joined(&self) -> (String, Vec<(usize, usize)>) {
        let mut text = String::new();
        let mut starts = Vec::new();
        for (n, _, part) in &self.lines {
            text.push_str(line_joint(&text, part));
            starts.push((text.len(), *n));
            text.push_str(part);
        }
        (text, starts)
    }

    /// Whether `text` continues this bullet: a name broken by the layout, its target, or its
    /// sub-targets and further bracketed targets on the next lines.
    fn accepts(&self, text: &str) -> bool {
        if self.lines.len() >= MAX_LINES_PER_INDICATOR {
            return false;
        }
        if self.management {
            return true;
        }
        if text.starts_with("（うち") || text.starts_with("(うち") || is_bracketed_targets(text)
        {
            return true;
        }
        let (joined, _) = self.joined();
        let read = read_indicator(&joined);
        let complete = (read.reading.is_some() || read.conflict) && brackets_closed(&joined);
        !complete
    }
}

/// Where the last remark went, so that a line continuing it goes there too.
#[derive(Debug, Clone, Copy)]
enum NoteTo {
    Open,
    Item(usize, usize),
}

/// Lines one indicator may span; a PDF breaks a name over two or three. Beyond this, text is
/// more likely a paragraph the reader does not know than a name, and it needs a person.
const MAX_LINES_PER_INDICATOR: usize = 6;

const NO_GROUP: &str = "（指標グループなし）";
const NO_NAME: &str = "（名称なし）";

struct Builder<'a> {
    meta: &'a DraftMeta,
    /// Other plans' layout: `<…>` sections, ○ lines are indicators.
    sectioned: bool,
    footnote_numbers: BTreeSet<u32>,
    projects: Vec<DraftProject>,
    kind: Option<IndicatorKind>,
    management: bool,
    section: Option<String>,
    group: Option<String>,
    open: Option<Open<'a>>,
    /// The last ・ management indicator (name, id), the one `-` sub-bullets belong to.
    last_bullet: Option<(String, String)>,
    note_to: Option<NoteTo>,
    /// Where the last indicator that is not a sub-target is (project, item): a remark after it
    /// is its note.
    last_main: Option<(usize, usize)>,
    markers: Vec<Marker>,
    footnotes: Vec<(usize, &'a str, u32, &'a str)>,
    unread_before: Vec<(usize, String)>,
    unused: Vec<UnusedLine>,
    review: Vec<NeedsReview>,
    uses: Vec<Option<LineUse>>,
    /// The corrections, and whether each was applied to an indicator.
    corrections: Vec<(Correction, bool)>,
}

/// Drafts a plan from the text of its KPI annex (see [`super::draft_plan`]).
pub(super) fn draft(source: &str, meta: &DraftMeta) -> Draft {
    let lines: Vec<(usize, &str, Line<'_>)> = source
        .lines()
        .enumerate()
        .map(|(i, raw)| (i + 1, raw, classify(raw)))
        .collect();
    let footnote_numbers = lines
        .iter()
        .filter_map(|(_, _, l)| match l {
            Line::Footnote(n, _) => Some(*n),
            _ => None,
        })
        .collect();
    // Headings before the first project are the title's, not the layout's.
    let sectioned = lines
        .iter()
        .skip_while(|(_, _, l)| !matches!(l, Line::Project(_)))
        .any(|(_, _, l)| matches!(l, Line::Section(_) | Line::KindHeading(_)));
    let mut b = Builder {
        meta,
        sectioned,
        footnote_numbers,
        projects: Vec::new(),
        kind: None,
        management: false,
        section: None,
        group: None,
        open: None,
        last_bullet: None,
        note_to: None,
        last_main: None,
        markers: Vec::new(),
        footnotes: Vec::new(),
        unread_before: Vec::new(),
        unused: Vec::new(),
        review: Vec::new(),
        uses: vec![None; lines.len()],
        corrections: meta
            .corrections
            .iter()
            .map(|c| (c.clone(), false))
            .collect(),
    };
    for (n, raw, line) in &lines {
        b.line(*n, raw, line.clone());
    }
    b.close();
    if b.projects.is_empty() {
        b.review.push(NeedsReview {
            line: None,
            indicator: None,
            problem: "プロジェクトの見出し（① …）が1つもありません".to_owned(),
        });
    }
    b.check_meta();
    for (c, used) in &b.corrections {
        if !used {
            b.review.push(NeedsReview {
                line: Some(c.line),
                indicator: None,
                problem: format!(
                    "行 {} の修正に当たる指標がありません（指標の最初の行の番号を指定してください）",
                    c.line
                ),
            });
        }
    }
    b.review.sort_by_key(|r| r.line.unwrap_or(0));
    let glossary = b.glossary();
    for term in &glossary {
        if let Some(slot) = b.uses.get_mut(term.line.0 - 1) {
            *slot = Some(LineUse::Glossary {
                term: term.term.clone(),
            });
        }
    }
    let toml = writer::write(meta, &glossary, &b.unread_before, &b.projects);
    let indicators = b.drafted();
    let source_lines = lines
        .iter()
        .zip(b.uses)
        .map(|((n, raw, _), used)| SourceLine {
            line: *n,
            text: (*raw).to_owned(),
            became: used.unwrap_or(LineUse::Unused(UnusedReason::NotUnderstood)),
        })
        .collect();
    Draft {
        toml,
        unused: b.unused,
        review: b.review,
        lines: source_lines,
        indicators,
    }
}

impl<'a> Builder<'a> {
    fn set(&mut self, n: usize, used: LineUse) {
        if let Some(slot) = n.checked_sub(1).and_then(|i| self.uses.get_mut(i)) {
            *slot = Some(used);
        }
    }

    fn heading(&mut self, n: usize, text: String) {
        self.set(n, LineUse::Heading { text });
    }

    fn line(&mut self, n: usize, raw: &'a str, line: Line<'a>) {
        if !matches!(
            line,
            Line::Blank | Line::PageNumber | Line::PageHeader | Line::Note | Line::Text(_)
        ) {
            self.note_to = None;
        }
        match line {
            Line::Blank => self.unused(n, raw, UnusedReason::Blank),
            Line::PageNumber => self.unused(n, raw, UnusedReason::PageNumber),
            Line::PageHeader => self.unused(n, raw, UnusedReason::PageHeader),
            Line::Note => self.note(n, raw),
            Line::Footnote(number, text) => {
                self.footnotes.push((n, raw, number, text));
                self.unused(n, raw, UnusedReason::Footnote);
            }
            Line::Project(name) => {
                self.close();
                let mut name = tidy_name(name);
                if name.is_empty() {
                    name = NO_NAME.to_owned();
                }
                let id = format!("p{}", self.projects.len() + 1);
                self.set(n, LineUse::Project { id: id.clone() });
                self.projects.push(DraftProject {
                    id,
                    name,
                    heading: (n, raw.to_owned()),
                    ..DraftProject::default()
                });
                self.last_main = None;
                self.kind = None;
                self.management = false;
                self.section = None;
                self.group = None;
            }
            _ if self.projects.is_empty() => match line {
                Line::Text(_) => self.unused(n, raw, UnusedReason::Preamble),
                _ => {
                    self.not_understood(n, raw, "最初のプロジェクトの見出し（① …）より前にあります")
                }
            },
            Line::Kind(kind) | Line::KindHeading(kind) => {
                self.close();
                self.kind = Some(kind);
                self.management = false;
                self.group = None;
                let text = match line {
                    Line::KindHeading(_) => format!("{}指標", kind.label()),
                    _ => kind.label().to_owned(),
                };
                self.heading(n, text);
            }
            Line::Management => {
                self.close();
                self.management = true;
                self.group = None;
                self.heading(n, "その他管理指標".to_owned());
            }
            Line::Section(name) => {
                self.close();
                self.section = Some(tidy_name(name)).filter(|g| !g.is_empty());
                self.group = None;
                self.management = false;
                self.heading(n, format!("区分「{}」", tidy_name(name)));
            }
            Line::Group(text) if self.sectioned => self.open(n, raw, text, false),
            Line::Group(name) => {
                self.close();
                self.group = Some(tidy_name(name)).filter(|g| !g.is_empty());
                self.heading(n, format!("指標グループ「{}」", tidy_name(name)));
            }
            Line::Bullet(text) => self.open(n, raw, text, false),
            Line::SubBullet(text) => self.open(n, raw, text, true),
            Line::Text(text) => {
                let target_line = text.starts_with("（うち")
                    || text.starts_with("(うち")
                    || is_bracketed_targets(text);
                match (self.note_to, &mut self.open) {
                    (Some(to), _) if !target_line => self.continue_note(n, raw, to, text),
                    (_, Some(open)) if open.accepts(text) => {
                        open.lines.push((n, raw, text));
                    }
                    _ => self.not_understood(n, raw, "指標・見出し・目標のどれとしても読めません"),
                }
            }
        }
    }

    /// Opens a bullet; its id is given now so that remarks can name it.
    fn open(&mut self, n: usize, raw: &'a str, text: &'a str, sub_bullet: bool) {
        self.close();
        let Some(project) = self.projects.last_mut() else {
            return;
        };
        let kind = self.kind.unwrap_or(IndicatorKind::Output);
        let side = match kind {
            IndicatorKind::Output => "out",
            IndicatorKind::Outcome => "oc",
        };
        let slot = usize::from(kind == IndicatorKind::Outcome) * 2 + usize::from(self.management);
        project.counters[slot] += 1;
        let number = project.counters[slot];
        let id = if self.management {
            format!("{}-{side}-m{number}", project.id)
        } else {
            format!("{}-{side}-{number:02}", project.id)
        };
        self.open = Some(Open {
            id,
            lines: vec![(n, raw, text)],
            notes: Vec::new(),
            sub_bullet,
            kind: self.kind,
            group: self.group.clone().or_else(|| self.section.clone()),
            management: self.management,
        });
    }

    fn unused(&mut self, n: usize, raw: &str, reason: UnusedReason) {
        self.set(n, LineUse::Unused(reason));
        self.unused.push(UnusedLine {
            line: n,
            text: raw.to_owned(),
            reason,
        });
    }

    /// A remark (※) becomes the note of the indicator it follows.
    fn note(&mut self, n: usize, raw: &str) {
        let text = note_text(raw);
        if let Some(open) = &mut self.open {
            open.notes.push((n, raw.to_owned(), text));
            let id = open.id.clone();
            self.set(n, LineUse::Note { id });
            self.note_to = Some(NoteTo::Open);
            return;
        }
        let last = self.last_main.and_then(|(p, i)| {
            match self
                .projects
                .get_mut(p)
                .and_then(|project| project.items.get_mut(i))
            {
                Some(Item::Indicator(indicator)) => Some((p, i, indicator)),
                _ => None,
            }
        });
        match last {
            Some((p, i, indicator)) => {
                indicator.remarks.push((n, raw.to_owned()));
                indicator.note = Some(join_note(indicator.note.take(), &text));
                let id = indicator.id.clone();
                self.set(n, LineUse::Note { id });
                self.note_to = Some(NoteTo::Item(p, i));
            }
            None => self.unused(n, raw, UnusedReason::IndicatorNote),
        }
    }

    /// A line that continues the remark before it.
    fn continue_note(&mut self, n: usize, raw: &str, to: NoteTo, text: &str) {
        let more = tidy_name(text);
        let id = match to {
            NoteTo::Open => self.open.as_mut().and_then(|open| {
                let last = open
                    .notes
                    .iter_mut()
                    .rev()
                    .find(|(_, _, t)| !t.is_empty())?;
                last.2.push_str(&more);
                // Quoted with the remark; the note text is taken from the remark's entry.
                open.notes.push((n, raw.to_owned(), String::new()));
                Some(open.id.clone())
            }),
            NoteTo::Item(p, i) => match self.projects.get_mut(p).and_then(|p| p.items.get_mut(i)) {
                Some(Item::Indicator(indicator)) => {
                    let mut note = indicator.note.take().unwrap_or_default();
                    note.push_str(&more);
                    indicator.note = Some(note);
                    indicator.remarks.push((n, raw.to_owned()));
                    Some(indicator.id.clone())
                }
                _ => None,
            },
        };
        match id {
            Some(id) => self.set(n, LineUse::Note { id }),
            None => self.set(n, LineUse::Unused(UnusedReason::IndicatorNote)),
        }
    }

    fn not_understood(&mut self, n: usize, raw: &str, why: &str) {
        self.close();
        self.note_to = None;
        let problem = format!("{why}: {}", raw.trim());
        self.unused(n, raw, UnusedReason::NotUnderstood);
        self.set(
            n,
            LineUse::NeedsReview {
                problem: problem.clone(),
            },
        );
        self.review.push(NeedsReview {
            line: Some(n),
            indicator: None,
            problem,
        });
        let item = (n, raw.to_owned());
        match self.projects.last_mut() {
            Some(p) => p.items.push(Item::Unread(item.0, item.1)),
            None => self.unread_before.push(item),
        }
    }

    /// Finishes the bullet being read, if any, into one indicator and its sub-targets.
    fn close(&mut self) {
        let Some(open) = self.open.take() else {
            return;
        };
        if self.projects.is_empty() {
            return;
        }
        let meta = self.meta;
        let (text, starts) = open.joined();
        let spans: Vec<(usize, Range<usize>)> = open
            .lines
            .iter()
            .zip(&starts)
            .map(|((n, _, part), (start, _))| (*n, *start..start + part.len()))
            .collect();
        let raw_of = |n: usize| {
            open.lines
                .iter()
                .find(|(m, _, _)| *m == n)
                .map(|(_, raw, _)| (*raw).to_owned())
                .unwrap_or_default()
        };
        let source_of = |range: &Range<usize>| -> Vec<(usize, String)> {
            spans
                .iter()
                .filter(|(_, s)| s.start < range.end && range.start < s.end)
                .map(|(n, _)| (*n, raw_of(*n)))
                .collect()
        };
        let mut review = Vec::new();
        let kind = open.kind.unwrap_or_else(|| {
            review.push(
                "＜アウトプット＞／＜アウトカム＞の見出しの前にあります（アウトプットとしました）"
                    .to_owned(),
            );
            IndicatorKind::Output
        });
        let group = open.group.clone().unwrap_or_else(|| {
            review.push("○ の指標グループの見出しがありません".to_owned());
            NO_GROUP.to_owned()
        });
        let source = source_of(&(0..text.len()));
        let mut found_markers = Vec::new();
        let mut name_of = |raw: &str| {
            let (stripped, markers) = strip_markers(raw, &self.footnote_numbers);
            found_markers.extend(markers);
            let name = tidy_name(&stripped);
            if name.is_empty() {
                NO_NAME.to_owned()
            } else {
                name
            }
        };
        let remarks: Vec<(usize, String)> = open
            .notes
            .iter()
            .map(|(n, raw, _)| (*n, raw.clone()))
            .collect();
        let remark_note = open
            .notes
            .iter()
            .filter(|(_, _, text)| !text.is_empty())
            .fold(None, |note, (_, _, text)| Some(join_note(note, text)));
        let id = open.id.clone();
        let mut drafted = Vec::new();
        let mut sub_ranges: Vec<(String, Range<usize>)> = Vec::new();
        if open.management {
            let read = read_indicator(&text);
            if read.reading.as_ref().is_some_and(|r| !r.is_monitored()) {
                review.push("その他管理指標に目標値らしいものがあります（名称に含めたまま、目標値なしで下書きしました）".to_owned());
            }
            let name = name_of(&text);
            let bullet_note = if open.sub_bullet {
                self.last_bullet.as_ref().map(|(bullet, bullet_id)| {
                    format!("その他管理指標「{bullet}」（{bullet_id}）の下位項目")
                })
            } else {
                self.last_bullet = Some((name.clone(), id.clone()));
                None
            };
            let mut indicator = DraftIndicator {
                id: id.clone(),
                name,
                kind,
                group,
                management: true,
                measure: Measure::Qualitative,
                target: None,
                unit: None,
                counting: Counting::FiscalYear,
                target_text: None,
                parent: None,
                note: match (bullet_note, remark_note) {
                    (Some(b), Some(r)) => Some(join_note(Some(b), &r)),
                    (b, r) => b.or(r),
                },
                source,
                remarks,
                review,
                comments: Vec::new(),
                is_sub: false,
            };
            correct(&mut self.corrections, meta, &mut indicator, None);
            drafted.push(indicator);
        } else {
            let read = read_indicator(&text);
            let name = name_of(&text[..read.name_end]);
            if open.sub_bullet {
                review.push(
                    "数値の指標の下の「-」の項目です（独立した指標として下書きしました）"
                        .to_owned(),
                );
            }
            if read.conflict {
                review.push(
                    "目標が複数あり、一つの目標として読めません（目標値なしで下書きしました）"
                        .to_owned(),
                );
            } else if read.reading.is_none() && (read.unread_figures || !self.sectioned) {
                review.push("目標値が読めません（目標値なしで下書きしました）".to_owned());
            }
            let mut main = DraftIndicator {
                id: id.clone(),
                name,
                kind,
                group: group.clone(),
                management: false,
                measure: Measure::Count,
                target: None,
                unit: None,
                counting: Counting::FiscalYear,
                target_text: None,
                parent: None,
                note: remark_note,
                source,
                remarks,
                review,
                comments: Vec::new(),
                is_sub: false,
            };
            set_reading(&mut main, read.reading.as_ref(), meta);
            correct(&mut self.corrections, meta, &mut main, None);
            let main_line = main.first_line();
            let mut children = Vec::new();
            for (j, sub) in read.subs.into_iter().enumerate() {
                let child_id = format!("{id}-{}", j + 1);
                let mut child = DraftIndicator {
                    id: child_id.clone(),
                    name: name_of(&sub.name),
                    kind,
                    group: group.clone(),
                    management: false,
                    measure: Measure::Count,
                    target: None,
                    unit: None,
                    counting: Counting::FiscalYear,
                    target_text: None,
                    parent: None,
                    note: None,
                    source: source_of(&sub.range),
                    remarks: Vec::new(),
                    review: Vec::new(),
                    comments: Vec::new(),
                    is_sub: true,
                };
                set_reading(&mut child, Some(&sub.reading), meta);
                correct(&mut self.corrections, meta, &mut child, main_line);
                sub_ranges.push((child_id, sub.range));
                children.push(child);
            }
            let parent_total = match (&main.measure, &main.target) {
                (Measure::Count, Some(t)) => t.value(),
                _ => None,
            };
            for child in &mut children {
                let child_total = match (&child.measure, &child.target) {
                    (Measure::Count, Some(t)) => t.value(),
                    _ => None,
                };
                match (parent_total, child_total) {
                    (Some(p), Some(c)) if c <= p => child.parent = Some(id.clone()),
                    _ => child.review.push("内数（うち…）として親の指標に結べません（親がない指標として下書きしました）".to_owned()),
                }
            }
            drafted.push(main);
            drafted.extend(children);
        }
        // What each line of the bullet became.
        for (k, (n, span)) in spans.iter().enumerate() {
            let used = match sub_ranges
                .iter()
                .find(|(_, r)| r.start <= span.start && span.end <= r.end)
            {
                Some((child, _)) if k > 0 => LineUse::SubTarget { id: child.clone() },
                _ if k == 0 => LineUse::Indicator { id: id.clone() },
                _ => LineUse::Continuation { id: id.clone() },
            };
            self.set(*n, used);
        }
        self.markers.extend(found_markers);
        let p = self.projects.len().saturating_sub(1);
        let Some(project) = self.projects.last_mut() else {
            return;
        };
        for indicator in drafted {
            if !indicator.is_sub {
                self.last_main = Some((p, project.items.len()));
            }
            for problem in &indicator.review {
                self.review.push(NeedsReview {
                    line: indicator.first_line(),
                    indicator: Some(indicator.id.clone()),
                    problem: problem.clone(),
                });
            }
            project.items.push(Item::Indicator(Box::new(indicator)));
        }
    }

    /// Checks what the header says about the revision, so that the draft validates.
    fn check_meta(&mut self) {
        let meta = self.meta;
        let mut problems = Vec::new();
        if meta.revision == 0 {
            problems.push("版番号（revision）は1以上です".to_owned());
        }
        if let Some(fy) = meta.effective_from
            && !(meta.start_fy <= fy && fy <= meta.end_fy)
        {
            problems.push(format!(
                "適用年度 {fy} が計画期間 {}〜{} の外です",
                meta.start_fy, meta.end_fy
            ));
        }
        if let Some(date) = &meta.decided_on
            && !is_date(date)
        {
            problems.push(format!("決定日「{date}」は YYYY-MM-DD で書いてください"));
        }
        for problem in problems {
            self.review.push(NeedsReview {
                line: None,
                indicator: None,
                problem,
            });
        }
    }

    /// The footnotes whose marker was found in a name, as glossary entries.
    fn glossary(&self) -> Vec<Term> {
        let mut terms: Vec<Term> = Vec::new();
        for (n, raw, number, text) in &self.footnotes {
            let Some(marker) = self.markers.iter().find(|m| m.number == *number) else {
                continue;
            };
            if marker.term.is_empty() || terms.iter().any(|t| t.term == marker.term) {
                continue;
            }
            terms.push(Term {
                line: (*n, (*raw).to_owned()),
                term: tidy_name(&marker.term),
                definition: (*text).to_owned(),
            });
        }
        terms
    }

    /// The indicators for a preview, in plan order.
    fn drafted(&self) -> Vec<DraftedIndicator> {
        self.projects
            .iter()
            .flat_map(|p| {
                p.items.iter().filter_map(move |item| match item {
                    Item::Indicator(i) => Some(DraftedIndicator {
                        id: i.id.clone(),
                        line: i.first_line().unwrap_or(0),
                        project_id: p.id.clone(),
                        kind: i.kind,
                        group: i.group.clone(),
                        name: i.name.clone(),
                        management: i.management,
                        measure: i.measure,
                        target: i.target.clone(),
                        target_text: i.target_text.clone(),
                        unit: i.unit.clone(),
                        counting: i.counting,
                        parent: i.parent.clone(),
                        note: i.note.clone(),
                        needs_review: !i.review.is_empty(),
                    }),
                    Item::Unread(..) => None,
                })
            })
            .collect()
    }
}

/// `YYYY-MM-DD` with a plausible month and day.
fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) => {
            let m: u32 = m.parse().unwrap_or(0);
            let d: u32 = d.parse().unwrap_or(0);
            (1..=12).contains(&m) && (1..=31).contains(&d)
        }
        _ => false,
    }
}

/// The text of a remark without its mark (`※`, `※1`, `（注）`).
fn note_text(raw: &str) -> String {
    let mut s = raw.trim();
    if let Some(rest) = s.strip_prefix('※') {
        s = rest.trim_start_matches(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c));
    } else {
        for mark in ["（注）", "(注)", "注）", "注)", "（注", "(注"] {
            if let Some(rest) = s.strip_prefix(mark) {
                s = rest;
                break;
            }
        }
    }
    tidy_name(s.trim_start_matches([':', '：', ' ', '　']))
}

fn join_note(note: Option<String>, more: &str) -> String {
    match note {
        Some(n) if !n.is_empty() => format!("{n} {more}"),
        _ => more.to_owned(),
    }
}
