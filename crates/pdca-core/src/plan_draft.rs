//! Drafting a plan file from a plan's KPI annex (別表・成果目標の一覧) copied as plain text from
//! its PDF or Word file: projects, ＜アウトプット＞／＜アウトカム＞, ○ groups, ・ indicators with
//! their targets and （うち…） sub-targets, その他管理指標, footnotes (the glossary).
//!
//! Two layouts are read without configuration: the 2nd plan's (`① project`, `＜アウトプット＞`,
//! `○group`, `・indicator 25件`) and other plans' (`<研究開発一般>` sections, `アウトプット指標`
//! headings, `○indicator` with bracketed targets, possibly on the next lines, `※` notes).
//!
//! Pure: [`draft_plan`] takes the text and returns the plan-format TOML, every line it did not use
//! and why, what each source line became ([`Draft::lines`], for a preview), the indicators read
//! ([`Draft::indicators`]), and the lines that need a person (要確認). A person's corrections
//! ([`Correction`]) are applied by source line. Layouts are read line by line
//! (`lines`), targets from the end of an indicator's text (`targets`), names tidied to the plan
//! format's conventions (`names`), and the TOML written last (`writer`); a new layout adds a line
//! kind or a target form without touching the rest.

mod builder;
mod lines;
mod names;
mod render;
mod resolve;
mod targets;
mod writer;

use crate::fiscal_year::FiscalYear;
use crate::plan::{Counting, IndicatorKind, Measure, Target};

pub use render::render_annex;

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
    /// `plan.revision`: 1 for the plan as first decided.
    pub revision: u32,
    /// `plan.effective_from`: the first fiscal year a revision governs.
    pub effective_from: Option<FiscalYear>,
    /// `plan.decided_on`, `YYYY-MM-DD`.
    pub decided_on: Option<String>,
    /// `plan.revision_note`: what the revision changed, or who decided the plan.
    pub revision_note: Option<String>,
    /// A person's corrections of the indicators read, by source line (from the web preview).
    pub corrections: Vec<Correction>,
}

/// A person's correction of one drafted indicator: the indicator whose first source line is
/// `line` gets this name and/or the target read from this phrase.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Correction {
    /// The indicator's first source line (1-based), as in [`DraftedIndicator::line`].
    pub line: usize,
    /// The indicator's drafted id, as in [`DraftedIndicator::id`]: needed for a sub-target
    /// written on its parent's line (which shares the parent's `line`); `None` names the
    /// indicator that starts on `line`.
    pub id: Option<String>,
    /// Its name, tidied like any drafted name; `None` keeps the name read.
    pub name: Option<String>,
    /// Its target as a phrase: `25件`, `75%`, `2件以上`, `130件/年、累計650件`, `2023年度比で2倍`,
    /// `半減`, `2026年度までに着手`; `なし` or empty for monitored only; `None` keeps the target read.
    pub target: Option<String>,
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
            revision: 1,
            effective_from: None,
            decided_on: None,
            revision_note: None,
            corrections: Vec::new(),
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
    /// Every line of the source that no indicator, heading or note was read from, in order
    /// (footnotes included, even those that became glossary entries).
    pub unused: Vec<UnusedLine>,
    /// What a person must check, in source order.
    pub review: Vec<NeedsReview>,
    /// Every source line, in order, with what it became.
    pub lines: Vec<SourceLine>,
    /// The indicators drafted, in plan order.
    pub indicators: Vec<DraftedIndicator>,
}

/// One line of the source and what it became in the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLine {
    /// 1-based line number.
    pub line: usize,
    /// The line as written (without its line break).
    pub text: String,
    /// What it became.
    pub became: LineUse,
}

/// What a source line became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineUse {
    /// A project heading.
    Project {
        /// The project's id.
        id: String,
    },
    /// A kind, section or group heading.
    Heading {
        /// What it heads, in Japanese (`アウトプット`, `指標グループ「…」`).
        text: String,
    },
    /// The first line of an indicator.
    Indicator {
        /// The indicator's id.
        id: String,
    },
    /// A further line of an indicator: its name broken by the layout, or its target.
    Continuation {
        /// The indicator's id.
        id: String,
    },
    /// A line holding only a sub-target (うち…).
    SubTarget {
        /// The sub-target's id.
        id: String,
    },
    /// A remark (※) that became the indicator's `note`.
    Note {
        /// The indicator's id.
        id: String,
    },
    /// A footnote that became a glossary entry.
    Glossary {
        /// The term.
        term: String,
    },
    /// Not used, and why.
    Unused(UnusedReason),
    /// Not understood: a person must look.
    NeedsReview {
        /// What was not understood, in Japanese.
        problem: String,
    },
}

impl LineUse {
    /// A short description in Japanese, e.g. 「指標 p1-out-01」「使わなかった行（脚注）」.
    pub fn label_ja(&self) -> String {
        match self {
            LineUse::Project { id } => format!("プロジェクト {id}"),
            LineUse::Heading { text } => format!("見出し（{text}）"),
            LineUse::Indicator { id } => format!("指標 {id}"),
            LineUse::Continuation { id } => format!("指標 {id} の続き"),
            LineUse::SubTarget { id } => format!("内数 {id}"),
            LineUse::Note { id } => format!("注記（{id}）"),
            LineUse::Glossary { term } => format!("用語（{term}）"),
            LineUse::Unused(reason) => format!("使わなかった行（{}）", reason.label()),
            LineUse::NeedsReview { .. } => "要確認".to_owned(),
        }
    }
}

/// An indicator as drafted, for a preview.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftedIndicator {
    /// Its id, e.g. `p1-out-01`.
    pub id: String,
    /// Its first source line (1-based); a [`Correction`] names it.
    pub line: usize,
    /// The project's id.
    pub project_id: String,
    /// Output or outcome.
    pub kind: IndicatorKind,
    /// The group (○ heading or `<…>` section).
    pub group: String,
    /// The name, tidied.
    pub name: String,
    /// Whether it is an その他管理指標.
    pub management: bool,
    /// What a yearly actual is.
    pub measure: Measure,
    /// The target, or none (monitored only, or not read).
    pub target: Option<Target>,
    /// The target as plain Japanese: `25件`, `130件/年（5年累計650件）`, `2023年度比で2倍`.
    pub target_text: Option<String>,
    /// The unit written with the target, if any.
    pub unit: Option<String>,
    /// Fiscal or calendar years.
    pub counting: Counting,
    /// The parent's id for a sub-target.
    pub parent: Option<String>,
    /// The note (※, or the bullet a sub-bullet belongs to).
    pub note: Option<String>,
    /// Whether a person must look at it.
    pub needs_review: bool,
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
    /// A remark (※, （注）) with no indicator before it; a remark after an indicator becomes
    /// its `note`.
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
    builder::draft(source, &meta)
}
