//! Achievements (成果): the itemised evidence behind a count — each POC, licence or approval as a
//! research project (課題) at an institution that reached a milestone — with the rules that turn
//! them into counts, catch the same achievement reported twice, and compare a reported number
//! with its list.
//!
//! - An indicator with `counted_from = "achievements"` in the plan is counted from its list: its
//!   yearly actual for a body is the number of distinct approved achievements that body reported
//!   for that year, and it cannot be typed. A sub-target's achievements are its parent's
//!   achievements carrying the sub-target's tag ([`crate::plan::Indicator::achievement_tag`]),
//!   so a うち can never exceed its parent.
//! - For any other count indicator, achievements are optional evidence: a reported number that
//!   differs from the number of its approved achievements is a warning on the indicator.
//! - Two achievements of one indicator with the same 課題番号 and normalised title, or the same
//!   evidence link, are a possible duplicate (two bodies, one body twice, or two years). The
//!   secretariat decides each pair: the same (counted once; which report stands is recorded) or
//!   distinct (with a reason). An open pair is a warning on the indicator. Nothing is deleted.

mod access;
mod cells;
mod derive;
mod duplicates;
mod rows;

pub use access::{AchievementDetails, AchievementView, sees_details, visible};
pub use derive::{Derived, apply, derive, is_approved};
pub use duplicates::{
    DuplicatePair, MAX_FULL_GROUP, find_duplicates, project_code_key, title_key, url_key,
};
pub use rows::{
    AchievementColumn, ImportedAchievement, MAX_NOTE_CHARS, MAX_SHORT_CHARS, MAX_TITLE_CHARS,
    MAX_URL_CHARS, validate_achievement_rows,
};

use serde::{Deserialize, Serialize};

use crate::access::ActualState;
use crate::fiscal_year::FiscalYear;

/// An achievement's identity, given by the store when it is first recorded; every later change
/// is a revision of the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AchievementId(pub i64);

/// What a body reports about one achievement (a row of an import, or the entry form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AchievementFields {
    /// The indicator it counts towards (the parent's id for a sub-target: tags say which うち).
    pub indicator: String,
    /// The fiscal year (or calendar year, for an indicator counted by calendar year).
    pub year: FiscalYear,
    /// The reporting body's id.
    pub body: String,
    /// 課題番号: the research project's code, as the body writes it (normalised: NFKC, trimmed).
    pub project_code: Option<String>,
    /// 成果名・品目名.
    pub title: String,
    /// 実施機関.
    pub institution: Option<String>,
    /// The date it was reached, `YYYY-MM-DD`, inside `year`.
    pub date: Option<String>,
    /// 区分: tags such as 遺伝子治療, each the tag of one of the indicator's sub-targets.
    pub tags: Vec<String>,
    /// 公開可否: whether viewers and the open data may see it (licensing partners are often
    /// confidential).
    pub public: bool,
    /// 顕著な成果の候補.
    pub notable: bool,
    /// The evidence link (http or https).
    pub url: Option<String>,
    /// 備考.
    pub note: Option<String>,
}

/// An achievement as recorded: its latest revision and where it stands in the approval flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Achievement {
    /// Its identity.
    pub id: AchievementId,
    /// Its latest revision's number (1 when first recorded): what an edit must name.
    pub version: i64,
    /// What was reported.
    pub fields: AchievementFields,
    /// Draft, submitted, approved, returned (or locked with its year).
    pub state: ActualState,
}

/// The secretariat's decision on a possible duplicate pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Resolution {
    /// One achievement reported twice: counted once, as the report `kept` (one of the pair).
    Same {
        /// The report that stands.
        kept: AchievementId,
    },
    /// Two achievements that only look alike.
    Distinct,
}

/// A recorded decision on the pair `(a, b)` (`a < b`), with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateDecision {
    /// The lower id of the pair.
    pub a: AchievementId,
    /// The higher id of the pair.
    pub b: AchievementId,
    /// Same or distinct.
    pub resolution: Resolution,
    /// Why, in the secretariat's words (required).
    pub reason: String,
}

/// Why two achievements look like one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// The same 課題番号 and the same title once normalised.
    SameProjectAndTitle,
    /// The same evidence link.
    SameUrl,
}
