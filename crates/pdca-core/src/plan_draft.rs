//! Drafting a plan file from a plan's KPI annex (別表・成果目標の一覧) copied as plain text from
//! its PDF or Word file: projects, ＜アウトプット＞／＜アウトカム＞, ○ groups, ・ indicators with
//! their targets and （うち…） sub-targets, その他管理指標, footnotes (the glossary).
//!
//! Pure: [`draft_plan`] takes the text and returns the plan-format TOML, every line it did not use
//! and why, and the lines that need a person (要確認). Layouts are read line by line
//! (`lines`), targets from the end of an indicator's text (`targets`), names tidied to the plan
//! format's conventions (`names`), and the TOML written last (`writer`); a new layout adds a line
//! kind or a target form without touching the rest.

mod lines;
mod names;
mod targets;
mod writer;

use std::collections::BTreeSet;

use crate::fiscal_year::FiscalYear;
use crate::plan::{IndicatorKind, Measure};

use lines::{Line, classify};
use names::{Marker, line_joint, strip_markers, tidy_name};
use targets::{
    ReadTarget, bracketed_target, brackets_closed, trailing_sub_targets, trailing_target,
};

/// What the annex does not say and the plan file needs: the plan's header and who reports.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftMeta {
    /// `plan.id`, e.g. `medical-rd-3`.
    pub id: String,
    /// `plan.name`, e.g. `第3期医療分野研究開発推進計画`.
    pub name: String,
    /// First fiscal year of the period.
    pub start_fy: FiscalYear,
    /// Last fiscal year of the period.
    pub end_fy: FiscalYear,
    /// The body every indicator is reported by (`plan.default_bodies`); AMED unless told.
    pub default_body: DraftBody,
}

impl DraftMeta {
    /// A header with AMED as the reporting body, as the built-in plan has.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        start_fy: FiscalYear,
        end_fy: FiscalYear,
    ) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            start_fy,
            end_fy,
            default_body: DraftBody::default(),
        }
    }
}

/// A reporting body declared in the draft (`[[bodies]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftBody {
    /// Its id, e.g. `amed`.
    pub id: String,
    /// Its official name.
    pub name: String,
    /// Its short name, e.g. `AMED`.
    pub short_name: Option<String>,
}

impl Default for DraftBody {
    fn default() -> Self {
        Self {
            id: "amed".to_owned(),
            name: "日本医療研究開発機構".to_owned(),
            short_name: Some("AMED".to_owned()),
        }
    }
}

/// The drafted plan and what a person should know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The plan file, with `# 元の行 N: …` above each indicator and `# 要確認: …` above those
    /// that need a person.
    pub toml: String,
    /// Every line of the source that no indicator or heading was read from, in order.
    pub unused: Vec<UnusedLine>,
    /// What a person must check, in source order.
    pub review: Vec<NeedsReview>,
}

impl Draft {
    /// Whether every indicator line was read with its target and nothing needs a person
    /// (`pdca plan draft` exits 0, otherwise 2).
    pub fn is_complete(&self) -> bool {
        self.review.is_empty()
    }
}

/// A source line that was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnusedLine {
    /// 1-based line number.
    pub line: usize,
    /// The line as written (without its line break).
    pub text: String,
    /// Why it was not used.
    pub reason: UnusedReason,
}

/// Why a line was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnusedReason {
    /// Empty, or white space only (a footnote rule).
    Blank,
    /// Text before the first project heading: the annex's title.
    Preamble,
    /// A page header or footer (meeting, material number, date).
    PageHeader,
    /// A page number.
    PageNumber,
    /// A footnote; its definition goes to the glossary when its marker was found in a name.
    Footnote,
    /// A remark on an indicator (※, （注）).
    IndicatorNote,
    /// Nothing this reader knows; listed in [`Draft::review`] as well.
    NotUnderstood,
}

impl UnusedReason {
    /// The reason in the words of the annex's reader.
    pub fn label(self) -> &'static str {
        match self {
            UnusedReason::Blank => "空行",
            UnusedReason::Preamble => "表題（最初のプロジェクトより前）",
            UnusedReason::PageHeader => "ページの見出し・欄外",
            UnusedReason::PageNumber => "ページ番号",
            UnusedReason::Footnote => "脚注",
            UnusedReason::IndicatorNote => "指標への注記",
            UnusedReason::NotUnderstood => "読めない行",
        }
    }
}

/// Something a person must check in the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedsReview {
    /// The first source line concerned (1-based); `None` for the text as a whole.
    pub line: Option<usize>,
    /// The drafted indicator concerned, if any.
    pub indicator: Option<String>,
    /// What was not understood, in Japanese.
    pub problem: String,
}

/// Drafts a plan from the text of its KPI annex.
pub fn draft_plan(source: &str, meta: DraftMeta) -> Draft {
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
    let mut b = Builder {
        footnote_numbers,
        ..Builder::default()
    };
    for (n, raw, line) in lines {
        b.line(n, raw, line);
    }
    b.close();
    if b.projects.is_empty() {
        b.review.push(NeedsReview {
            line: None,
            indicator: None,
            problem: "プロジェクトの見出し（① …）が1つもありません".to_owned(),
        });
    }
    let glossary = b.glossary();
    let toml = writer::write(&meta, &glossary, &b.unread_before, &b.projects);
    Draft {
        toml,
        unused: b.unused,
        review: b.review,
    }
}

/// A project as drafted.
#[derive(Debug, Default)]
struct DraftProject {
    id: String,
    name: String,
    heading: (usize, String),
    items: Vec<Item>,
    /// Numbers given so far: numeric and management, for outputs and outcomes.
    counters: [u32; 4],
}

/// What is written in a project, in source order.
#[derive(Debug)]
enum Item {
    Indicator(Box<DraftIndicator>),
    /// A line not understood, written as a 要確認 comment where it stood.
    Unread(usize, String),
}

/// An indicator as drafted.
#[derive(Debug)]
struct DraftIndicator {
    id: String,
    name: String,
    kind: IndicatorKind,
    group: String,
    management: bool,
    measure: Measure,
    target: Option<ReadTarget>,
    parent: Option<String>,
    note: Option<String>,
    source: Vec<(usize, String)>,
    /// Remarks (※) written after it, quoted in the draft.
    remarks: Vec<(usize, String)>,
    review: Vec<String>,
}

/// A glossary entry read from a footnote.
struct Term {
    line: (usize, String),
    term: String,
    definition: String,
}

/// A bullet being read, possibly over several lines.
struct Open<'a> {
    lines: Vec<(usize, &'a str, &'a str)>,
    remarks: Vec<(usize, String)>,
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
    /// sub-targets on the next line.
    fn accepts(&self, text: &str) -> bool {
        if self.lines.len() >= MAX_LINES_PER_INDICATOR {
            return false;
        }
        if self.management {
            return true;
        }
        let (joined, _) = self.joined();
        let (end, _) = trailing_sub_targets(&joined);
        let read = trailing_target(&joined[..end]).or_else(|| bracketed_target(&joined[..end]));
        let complete = read.is_some() && brackets_closed(&joined);
        !complete || text.starts_with("（うち") || text.starts_with("(うち")
    }
}

#[derive(Default)]
struct Builder<'a> {
    footnote_numbers: BTreeSet<u32>,
    projects: Vec<DraftProject>,
    kind: Option<IndicatorKind>,
    management: bool,
    group: Option<String>,
    open: Option<Open<'a>>,
    /// The last ・ management indicator (name, id), the one `-` sub-bullets belong to.
    last_bullet: Option<(String, String)>,
    markers: Vec<Marker>,
    footnotes: Vec<(usize, &'a str, u32, &'a str)>,
    unread_before: Vec<(usize, String)>,
    unused: Vec<UnusedLine>,
    review: Vec<NeedsReview>,
}

/// Lines one indicator may span; a PDF breaks a name over two or three. Beyond this, text is
/// more likely a paragraph the reader does not know than a name, and it needs a person.
const MAX_LINES_PER_INDICATOR: usize = 6;

const NO_GROUP: &str = "（指標グループなし）";
const NO_NAME: &str = "（名称なし）";

impl<'a> Builder<'a> {
    fn line(&mut self, n: usize, raw: &'a str, line: Line<'a>) {
        match line {
            Line::Blank => self.unused(n, raw, UnusedReason::Blank),
            Line::PageNumber => self.unused(n, raw, UnusedReason::PageNumber),
            Line::PageHeader => self.unused(n, raw, UnusedReason::PageHeader),
            Line::Note => {
                self.remark(n, raw);
                self.unused(n, raw, UnusedReason::IndicatorNote);
            }
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
                self.projects.push(DraftProject {
                    id: format!("p{}", self.projects.len() + 1),
                    name,
                    heading: (n, raw.to_owned()),
                    ..DraftProject::default()
                });
                self.kind = None;
                self.management = false;
                self.group = None;
            }
            _ if self.projects.is_empty() => match line {
                Line::Text(_) => self.unused(n, raw, UnusedReason::Preamble),
                _ => {
                    self.not_understood(n, raw, "最初のプロジェクトの見出し（① …）より前にあります")
                }
            },
            Line::Kind(kind) => {
                self.close();
                self.kind = Some(kind);
                self.management = false;
                self.group = None;
            }
            Line::Management => {
                self.close();
                self.management = true;
                self.group = None;
            }
            Line::Group(name) => {
                self.close();
                self.group = Some(tidy_name(name)).filter(|g| !g.is_empty());
            }
            Line::Bullet(text) | Line::SubBullet(text) => {
                self.close();
                self.open = Some(Open {
                    lines: vec![(n, raw, text)],
                    remarks: Vec::new(),
                    sub_bullet: matches!(line, Line::SubBullet(_)),
                    kind: self.kind,
                    group: self.group.clone(),
                    management: self.management,
                });
            }
            Line::Text(text) => match &mut self.open {
                Some(open) if open.accepts(text) => open.lines.push((n, raw, text)),
                _ => self.not_understood(n, raw, "指標・見出し・目標のどれとしても読めません"),
            },
        }
    }

    fn unused(&mut self, n: usize, raw: &str, reason: UnusedReason) {
        self.unused.push(UnusedLine {
            line: n,
            text: raw.to_owned(),
            reason,
        });
    }

    /// Quotes a remark (※) above the indicator it follows.
    fn remark(&mut self, n: usize, raw: &str) {
        let remark = (n, raw.to_owned());
        if let Some(open) = &mut self.open {
            open.remarks.push(remark);
        } else if let Some(Item::Indicator(last)) =
            self.projects.last_mut().and_then(|p| p.items.last_mut())
        {
            last.remarks.push(remark);
        }
    }

    fn not_understood(&mut self, n: usize, raw: &str, why: &str) {
        self.close();
        self.unused(n, raw, UnusedReason::NotUnderstood);
        self.review.push(NeedsReview {
            line: Some(n),
            indicator: None,
            problem: format!("{why}: {}", raw.trim()),
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
        let Some(project) = self.projects.last_mut() else {
            return;
        };
        let (text, starts) = open.joined();
        let source_of = |range: std::ops::Range<usize>| -> Vec<(usize, String)> {
            open.lines
                .iter()
                .zip(&starts)
                .filter(|((_, _, part), (start, _))| {
                    *start < range.end && range.start < start + part.len()
                })
                .map(|((n, raw, _), _)| (*n, (*raw).to_owned()))
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
        let side = match kind {
            IndicatorKind::Output => "out",
            IndicatorKind::Outcome => "oc",
        };
        let slot = usize::from(kind == IndicatorKind::Outcome) * 2 + usize::from(open.management);
        project.counters[slot] += 1;
        let number = project.counters[slot];
        let source = source_of(0..text.len());
        let first_line = open.lines.first().map(|(n, _, _)| *n);
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
        let mut drafted = Vec::new();
        if open.management {
            let id = format!("{}-{side}-m{number}", project.id);
            if trailing_target(&text).is_some() {
                review.push("その他管理指標に目標値らしいものがあります（名称に含めたまま、目標値なしで下書きしました）".to_owned());
            }
            let name = name_of(&text);
            let note = if open.sub_bullet {
                self.last_bullet.as_ref().map(|(bullet, bullet_id)| {
                    format!("その他管理指標「{bullet}」（{bullet_id}）の下位項目")
                })
            } else {
                self.last_bullet = Some((name.clone(), id.clone()));
                None
            };
            drafted.push(DraftIndicator {
                id,
                name,
                kind,
                group,
                management: true,
                measure: Measure::Qualitative,
                target: None,
                parent: None,
                note,
                source,
                remarks: open.remarks.clone(),
                review,
            });
        } else {
            let id = format!("{}-{side}-{number:02}", project.id);
            let (end, subs) = trailing_sub_targets(&text);
            let main = trailing_target(&text[..end]).or_else(|| bracketed_target(&text[..end]));
            let name_end = main.as_ref().map_or(end, |(start, _)| *start);
            let name = name_of(&text[..name_end]);
            if open.sub_bullet {
                review.push(
                    "数値の指標の下の「-」の項目です（独立した指標として下書きしました）"
                        .to_owned(),
                );
            }
            let target = match main {
                Some((_, t)) => checked(t, &mut review),
                None => {
                    review.push("目標値が読めません（目標値なしで下書きしました）".to_owned());
                    None
                }
            };
            let measure = match &target {
                Some(t) if t.is_ratio() => Measure::Ratio,
                _ => Measure::Count,
            };
            let parent_value = target.as_ref().filter(|t| !t.is_ratio()).map(|t| t.value);
            let mut children = Vec::new();
            for (j, sub) in subs.into_iter().enumerate() {
                let mut child_review = Vec::new();
                let child_target = checked(sub.target, &mut child_review);
                let child_ratio = child_target.as_ref().is_some_and(ReadTarget::is_ratio);
                let parent = match (parent_value, &child_target) {
                    (Some(p), Some(c)) if !child_ratio && c.value <= p => Some(id.clone()),
                    _ => {
                        child_review.push("内数（うち…）として親の指標に結べません（親がない指標として下書きしました）".to_owned());
                        None
                    }
                };
                children.push(DraftIndicator {
                    id: format!("{id}-{}", j + 1),
                    name: name_of(&sub.name),
                    kind,
                    group: group.clone(),
                    management: false,
                    measure: if child_ratio {
                        Measure::Ratio
                    } else {
                        Measure::Count
                    },
                    target: child_target,
                    parent,
                    note: None,
                    source: source_of(sub.range),
                    remarks: Vec::new(),
                    review: child_review,
                });
            }
            drafted.push(DraftIndicator {
                id,
                name,
                kind,
                group,
                management: false,
                measure,
                target,
                parent: None,
                note: None,
                source,
                remarks: open.remarks.clone(),
                review,
            });
            drafted.extend(children);
        }
        self.markers.extend(found_markers);
        for indicator in drafted {
            for problem in &indicator.review {
                self.review.push(NeedsReview {
                    line: indicator.source.first().map(|(n, _)| *n).or(first_line),
                    indicator: Some(indicator.id.clone()),
                    problem: problem.clone(),
                });
            }
            project.items.push(Item::Indicator(Box::new(indicator)));
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
}

/// The target if the plan format accepts it: a count above 0, a percentage from 0 to 100.
fn checked(target: ReadTarget, review: &mut Vec<String>) -> Option<ReadTarget> {
    let fits = if target.is_ratio() {
        (0.0..=100.0).contains(&target.value)
    } else {
        target.value > 0.0
    };
    if fits {
        Some(target)
    } else {
        review.push(format!(
            "目標値 {}{} は使えません（目標値なしで下書きしました）",
            target.value, target.unit
        ));
        None
    }
}
