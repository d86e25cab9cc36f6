//! The follow-up cycle (フォローアップ): the Check and Action of the PDCA cycle.
//!
//! A [`FollowUpRound`] follows up one plan for one result fiscal year y, during y+1. The
//! secretariat opens it with a collection deadline; it then moves collecting → meeting ①
//! (report and evaluation) → meeting ② (priorities and the resource allocation policy) →
//! closed. The committee's [`CommitteeRating`]s, the notable results, issues and solutions,
//! priority items, opinions, the bodies' priority measures and the policy clauses are the
//! round's content; [`missing_for_close`] is the closing rule.
//!
//! Everything here is pure: the store keeps rounds and the web application and the CLI call
//! these rules, so every layer refuses the same things with the same words.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::evaluation::{PlanEvaluation, Rating};
use crate::fiscal_year::{FiscalYear, wareki_date};
use crate::normalize::{ControlCharacter, TextKind, check_controls, normalize_text};
use crate::plan::Plan;

/// The committee of the built-in plan; other plans name theirs when they add meetings.
pub const DEFAULT_COMMITTEE: &str = "健康・医療戦略推進専門調査会";

/// Where a round stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundState {
    /// 実績収集中: the bodies report year y's actuals until the deadline.
    Collecting,
    /// 第1回会合: the report on year y and the evaluation of progress.
    #[serde(rename = "meeting_1")]
    Meeting1,
    /// 第2回会合: next year's priorities and the resource allocation policy.
    #[serde(rename = "meeting_2")]
    Meeting2,
    /// 終了: ratings complete, year y's actuals locked.
    Closed,
}

impl RoundState {
    /// Every state, in order.
    pub const ALL: [RoundState; 4] = [
        RoundState::Collecting,
        RoundState::Meeting1,
        RoundState::Meeting2,
        RoundState::Closed,
    ];

    /// The name used in JSON, URLs and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            RoundState::Collecting => "collecting",
            RoundState::Meeting1 => "meeting_1",
            RoundState::Meeting2 => "meeting_2",
            RoundState::Closed => "closed",
        }
    }

    /// The state in Japanese.
    pub fn label_ja(self) -> &'static str {
        match self {
            RoundState::Collecting => "実績収集中",
            RoundState::Meeting1 => "第1回会合（実施状況の報告・進捗の評価）",
            RoundState::Meeting2 => "第2回会合（次年度の重点事項・資源配分方針）",
            RoundState::Closed => "終了",
        }
    }

    /// The state `round advance` moves to: collecting → meeting ① → meeting ②.
    pub fn advance(self) -> Result<RoundState, RoundError> {
        match self {
            RoundState::Collecting => Ok(RoundState::Meeting1),
            RoundState::Meeting1 => Ok(RoundState::Meeting2),
            RoundState::Meeting2 => Err(RoundError::AdvanceFromMeeting2),
            RoundState::Closed => Err(RoundError::Closed),
        }
    }

    /// Whether the round still takes ratings, findings and opinions.
    pub fn is_open(self) -> bool {
        self != RoundState::Closed
    }
}

impl fmt::Display for RoundState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RoundState {
    type Err = RoundError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RoundState::ALL
            .into_iter()
            .find(|state| state.as_str() == s.trim())
            .ok_or_else(|| RoundError::Invalid(format!("フォローアップの状態「{s}」はありません")))
    }
}

/// One plan's follow-up of one result fiscal year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpRound {
    /// The plan followed up.
    pub plan_id: String,
    /// The result fiscal year y (the round is held during y+1).
    pub fiscal_year: FiscalYear,
    /// Where the round stands.
    pub state: RoundState,
    /// The bodies' reports of year y are due on this day.
    pub deadline: Date,
    /// Who opened the round.
    pub opened_by: String,
    /// When, RFC 3339 in UTC.
    pub opened_at: String,
}

/// The committee's rating of one indicator in a round, with viewpoint ②'s issue and solution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitteeRating {
    /// The indicator rated.
    pub indicator_id: String,
    /// A, B or N.
    pub rating: Rating,
    /// Why the rating differs from the engine's proposal (required when it does).
    pub reason: Option<String>,
    /// 課題: why progress is poor.
    pub issue: Option<String>,
    /// 解決策: what to do about it.
    pub solution: Option<String>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When, RFC 3339 in UTC.
    pub recorded_at: String,
}

/// A rating about to be recorded: texts normalised, empty ones gone.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRating {
    /// The indicator rated.
    pub indicator_id: String,
    /// A, B or N.
    pub rating: Rating,
    /// Why the rating differs from the proposal.
    pub reason: Option<String>,
    /// 課題.
    pub issue: Option<String>,
    /// 解決策.
    pub solution: Option<String>,
}

impl NewRating {
    /// Checks the rating against the plan and the engine's proposal for the indicator: the
    /// indicator exists, and a rating that differs from the proposal carries a reason.
    pub fn validate(
        mut self,
        plan: &Plan,
        evaluation: &PlanEvaluation,
    ) -> Result<NewRating, RoundError> {
        check_controls(
            "指標ID（indicator_id）",
            self.indicator_id.trim(),
            TextKind::SingleLine,
        )?;
        for (field, text) in [
            ("理由（reason）", &self.reason),
            ("課題（issue）", &self.issue),
            ("解決策（solution）", &self.solution),
        ] {
            check_controls(
                field,
                text.as_deref().unwrap_or_default(),
                TextKind::MultiLine,
            )?;
        }
        self.indicator_id = normalize_text(&self.indicator_id);
        if plan.indicator(&self.indicator_id).is_none() {
            return Err(RoundError::UnknownIndicator(self.indicator_id));
        }
        self.reason = clean(self.reason);
        self.issue = clean(self.issue);
        self.solution = clean(self.solution);
        let proposal = evaluation
            .indicators
            .iter()
            .find(|e| e.id == self.indicator_id)
            .and_then(|e| e.rating);
        if let Some(proposal) = proposal
            && proposal != self.rating
            && self.reason.is_none()
        {
            return Err(RoundError::ReasonRequired {
                indicator_id: self.indicator_id,
                proposal,
                rating: self.rating,
            });
        }
        Ok(self)
    }
}

/// Parses A, B or N (full-width and lower case accepted).
pub fn parse_rating(text: &str) -> Result<Rating, RoundError> {
    match normalize_text(text).to_ascii_uppercase().as_str() {
        "A" => Ok(Rating::A),
        "B" => Ok(Rating::B),
        "N" => Ok(Rating::N),
        _ => Err(RoundError::Invalid(format!(
            "評価「{text}」は A（順調に進捗している）、B（進捗が不十分）、N（現時点で評価が困難）のいずれかにしてください"
        ))),
    }
}

/// A normalised text, or none when it is empty.
pub fn clean(text: Option<String>) -> Option<String> {
    text.map(|t| normalize_text(&t)).filter(|t| !t.is_empty())
}

/// Something that keeps a round from closing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Missing {
    /// A numeric indicator without a committee rating.
    Rating {
        /// The indicator.
        indicator_id: String,
    },
    /// An indicator rated B without an issue or without a solution.
    IssueOrSolution {
        /// The indicator.
        indicator_id: String,
        /// Whether the issue (課題) is missing.
        issue: bool,
        /// Whether the solution (解決策) is missing.
        solution: bool,
    },
    /// A value of year y still in the approval flow (closing locks the year).
    PendingValue {
        /// The indicator.
        indicator_id: String,
        /// The reporting body.
        body_id: String,
        /// Its state (draft, submitted, returned).
        state: String,
    },
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Missing::Rating { indicator_id } => {
                write!(f, "{indicator_id}: 委員会の評価がありません")
            }
            Missing::IssueOrSolution {
                indicator_id,
                issue,
                solution,
            } => {
                let what = match (issue, solution) {
                    (true, true) => "課題と解決策",
                    (true, false) => "課題",
                    _ => "解決策",
                };
                write!(
                    f,
                    "{indicator_id}: B と評価されていますが{what}がありません"
                )
            }
            Missing::PendingValue {
                indicator_id,
                body_id,
                state,
            } => write!(
                f,
                "{indicator_id}（{body_id}）: 実績が承認されていません（{state}）"
            ),
        }
    }
}

/// The closing rule: every numeric indicator of the plan has a committee rating, and every
/// indicator rated B has both an issue and a solution. (The store adds year y's values still
/// awaiting approval, since closing locks the year.) In plan order.
pub fn missing_for_close(plan: &Plan, ratings: &[CommitteeRating]) -> Vec<Missing> {
    let by_indicator: BTreeMap<&str, &CommitteeRating> = ratings
        .iter()
        .map(|r| (r.indicator_id.as_str(), r))
        .collect();
    let mut missing = Vec::new();
    for (_, indicator) in plan.indicators() {
        match by_indicator.get(indicator.id.as_str()) {
            None if !indicator.management => missing.push(Missing::Rating {
                indicator_id: indicator.id.clone(),
            }),
            Some(r) if r.rating == Rating::B && (r.issue.is_none() || r.solution.is_none()) => {
                missing.push(Missing::IssueOrSolution {
                    indicator_id: indicator.id.clone(),
                    issue: r.issue.is_none(),
                    solution: r.solution.is_none(),
                });
            }
            _ => {}
        }
    }
    missing
}

/// What a round holds besides ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// 顕著な成果 (viewpoint ①), on a project or an indicator.
    NotableResult,
    /// 重点的に議論・提案すべき項目 (viewpoint ③), with points to note (留意点).
    PriorityItem,
    /// 意見: a committee member's opinion on an indicator, project or priority item.
    Opinion,
    /// 次年度の取組の重点的事項: a body's priority measure answering priority items.
    PriorityMeasure,
    /// A clause of next year's resource allocation policy (資源配分方針).
    PolicyClause,
    /// 対応状況: a body's report on a clause of the previous round's policy.
    ClauseStatus,
    /// A proposal to revise the plan (施策の見直し, 計画の一部変更).
    RevisionProposal,
}

impl ItemKind {
    /// Every kind.
    pub const ALL: [ItemKind; 7] = [
        ItemKind::NotableResult,
        ItemKind::PriorityItem,
        ItemKind::Opinion,
        ItemKind::PriorityMeasure,
        ItemKind::PolicyClause,
        ItemKind::ClauseStatus,
        ItemKind::RevisionProposal,
    ];

    /// The name used in JSON, URLs and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::NotableResult => "notable_result",
            ItemKind::PriorityItem => "priority_item",
            ItemKind::Opinion => "opinion",
            ItemKind::PriorityMeasure => "priority_measure",
            ItemKind::PolicyClause => "policy_clause",
            ItemKind::ClauseStatus => "clause_status",
            ItemKind::RevisionProposal => "revision_proposal",
        }
    }

    /// The kind in Japanese.
    pub fn label_ja(self) -> &'static str {
        match self {
            ItemKind::NotableResult => "顕著な成果",
            ItemKind::PriorityItem => "重点的に議論・提案すべき項目",
            ItemKind::Opinion => "意見",
            ItemKind::PriorityMeasure => "次年度の取組の重点的事項",
            ItemKind::PolicyClause => "資源配分方針",
            ItemKind::ClauseStatus => "対応状況",
            ItemKind::RevisionProposal => "計画の見直しの提案",
        }
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ItemKind {
    type Err = RoundError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ItemKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| RoundError::Invalid(format!("項目の種類「{s}」はありません")))
    }
}

/// What an item can name or link to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// An integrated project of the plan.
    Project,
    /// An indicator of the plan.
    Indicator,
    /// Another item of a round (priority item, opinion, policy clause …), by its number.
    Item,
}

impl LinkKind {
    /// The name used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Project => "project",
            LinkKind::Indicator => "indicator",
            LinkKind::Item => "item",
        }
    }
}

impl FromStr for LinkKind {
    type Err = RoundError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "project" => Ok(LinkKind::Project),
            "indicator" => Ok(LinkKind::Indicator),
            "item" => Ok(LinkKind::Item),
            _ => Err(RoundError::Invalid(format!(
                "リンクの種類「{s}」はありません"
            ))),
        }
    }
}

/// A link from an item to a project, an indicator or another item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Link {
    /// What is linked.
    pub kind: LinkKind,
    /// Its id (an item's number as text).
    pub id: String,
}

impl Link {
    /// Parses `p1`, `p1-out-01` or `#12` against the plan: a project id, an indicator id, or
    /// `#` and an item number.
    pub fn parse(text: &str, plan: &Plan) -> Result<Link, RoundError> {
        check_controls("対象（link）", text.trim(), TextKind::SingleLine)?;
        let text = normalize_text(text);
        if let Some(number) = text.strip_prefix('#') {
            return match number.parse::<i64>() {
                Ok(n) if n > 0 => Ok(Link {
                    kind: LinkKind::Item,
                    id: n.to_string(),
                }),
                _ => Err(RoundError::Invalid(format!(
                    "「{text}」は項目の番号として読めません（#12 のように書いてください）"
                ))),
            };
        }
        if plan.projects.iter().any(|p| p.id == text) {
            return Ok(Link {
                kind: LinkKind::Project,
                id: text,
            });
        }
        if plan.indicator(&text).is_some() {
            return Ok(Link {
                kind: LinkKind::Indicator,
                id: text,
            });
        }
        Err(RoundError::UnknownLink(text))
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            LinkKind::Item => write!(f, "#{}", self.id),
            _ => f.write_str(&self.id),
        }
    }
}

/// An item of a round as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundItem {
    /// Its number, unique in the database.
    pub id: i64,
    /// The result fiscal year of the round it belongs to.
    pub fiscal_year: FiscalYear,
    /// What it is.
    pub kind: ItemKind,
    /// A short title (priority items, policy clauses).
    pub title: Option<String>,
    /// The text.
    pub text: String,
    /// 留意点 (priority items).
    pub points: Option<String>,
    /// The reporting body (priority measures, clause statuses).
    pub body_id: Option<String>,
    /// What it is about and what it reflects or answers.
    pub links: Vec<Link>,
    /// Programmes and budget lines affected (予算への反映; policy clauses).
    pub budget: Option<String>,
    /// The meeting it was raised at (opinions).
    pub meeting_id: Option<i64>,
    /// The plan revision a revision proposal led to.
    pub plan_revision: Option<u32>,
    /// Whether an opinion has been reflected (in the policy or the report).
    pub reflected: bool,
    /// Who wrote it.
    pub author: String,
    /// When, RFC 3339 in UTC.
    pub created_at: String,
}

/// An item about to be added to a round.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewItem {
    /// What it is (required).
    pub kind: Option<ItemKind>,
    /// A short title.
    pub title: Option<String>,
    /// The text.
    pub text: String,
    /// 留意点.
    pub points: Option<String>,
    /// The reporting body.
    pub body_id: Option<String>,
    /// Links.
    pub links: Vec<Link>,
    /// 予算への反映.
    pub budget: Option<String>,
    /// The meeting.
    pub meeting_id: Option<i64>,
    /// The plan revision a proposal led to.
    pub plan_revision: Option<u32>,
}

impl NewItem {
    /// Normalises the texts and checks what the kind needs: a text; a title for priority items
    /// and policy clauses; a project or indicator for notable results; something to be about
    /// for opinions; a body for priority measures and clause statuses, and a clause (`#n`)
    /// for a clause status. Item links are checked by the store, which knows the items.
    pub fn validate(mut self, plan: &Plan) -> Result<(ItemKind, NewItem), RoundError> {
        let kind = self
            .kind
            .ok_or_else(|| RoundError::Invalid("項目の種類を指定してください".to_owned()))?;
        check_controls("本文（text）", &self.text, TextKind::MultiLine)?;
        for (field, text, kind) in [
            ("表題（title）", &self.title, TextKind::SingleLine),
            ("留意点（points）", &self.points, TextKind::MultiLine),
            ("予算への反映（budget）", &self.budget, TextKind::MultiLine),
            ("報告機関（body）", &self.body_id, TextKind::SingleLine),
        ] {
            // One-line texts are trimmed below: only what is kept is checked.
            let text = text.as_deref().unwrap_or_default();
            let text = match kind {
                TextKind::SingleLine => text.trim(),
                TextKind::MultiLine => text,
            };
            check_controls(field, text, kind)?;
        }
        self.text = normalize_text(&self.text);
        self.title = clean(self.title);
        self.points = clean(self.points);
        self.budget = clean(self.budget);
        self.body_id = clean(self.body_id);
        if self.text.is_empty() {
            return Err(RoundError::Invalid(format!(
                "{}の本文を入力してください",
                kind.label_ja()
            )));
        }
        if let Some(body) = &self.body_id
            && plan.body(body).is_none()
        {
            return Err(RoundError::UnknownBody(body.clone()));
        }
        let names_plan = self
            .links
            .iter()
            .any(|l| matches!(l.kind, LinkKind::Project | LinkKind::Indicator));
        let names_item = self.links.iter().any(|l| l.kind == LinkKind::Item);
        let needs = |what: &str| {
            Err(RoundError::Invalid(format!(
                "{}には{what}が必要です",
                kind.label_ja()
            )))
        };
        match kind {
            ItemKind::PriorityItem | ItemKind::PolicyClause if self.title.is_none() => {
                return needs("表題");
            }
            ItemKind::NotableResult if !names_plan => return needs("統合プロジェクトか指標"),
            ItemKind::Opinion if self.links.is_empty() => {
                return needs("対象（指標、統合プロジェクト、項目のいずれか）");
            }
            ItemKind::PriorityMeasure | ItemKind::ClauseStatus if self.body_id.is_none() => {
                return needs("報告機関");
            }
            ItemKind::ClauseStatus if !names_item => return needs("対象の資源配分方針（#番号）"),
            _ => {}
        }
        self.links.sort();
        self.links.dedup();
        Ok((kind, self))
    }
}

/// A meeting's kind: ① or ②.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MeetingKind {
    /// ①: report on year y, evaluation, opinions on next year's priorities.
    #[serde(rename = "1")]
    First,
    /// ②: the ministries' priorities and the resource allocation policy.
    #[serde(rename = "2")]
    Second,
}

impl MeetingKind {
    /// 1 or 2.
    pub fn number(self) -> u8 {
        match self {
            MeetingKind::First => 1,
            MeetingKind::Second => 2,
        }
    }

    /// ① or ②.
    pub fn mark(self) -> &'static str {
        match self {
            MeetingKind::First => "①",
            MeetingKind::Second => "②",
        }
    }

    /// Parses 1, 2, ①, ②.
    pub fn parse(text: &str) -> Result<MeetingKind, RoundError> {
        match normalize_text(text).as_str() {
            "1" | "①" => Ok(MeetingKind::First),
            "2" | "②" => Ok(MeetingKind::Second),
            _ => Err(RoundError::Invalid(format!(
                "会合の種類「{text}」は 1（①）か 2（②）にしてください"
            ))),
        }
    }
}

/// A material of a meeting (資料1, 資料2-1, 参考資料4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    /// Its numbering as printed: 資料1, 資料2-1, 参考資料4.
    pub label: String,
    /// Its title.
    pub title: String,
    /// The file's name, if a file is attached.
    pub file_name: Option<String>,
}

impl Material {
    /// Parses `資料2-1:title` or `資料2-1=title` (the numbering checked and normalised).
    pub fn parse(text: &str) -> Result<Material, RoundError> {
        check_controls("資料（material）", text.trim(), TextKind::SingleLine)?;
        let text = normalize_text(text);
        let (label, title) = text
            .split_once([':', '='])
            .map(|(l, t)| (l.trim().to_owned(), t.trim().to_owned()))
            .unwrap_or_else(|| (text.clone(), String::new()));
        check_material_label(&label)?;
        Ok(Material {
            label,
            title,
            file_name: None,
        })
    }
}

/// Checks a material's numbering: 資料 or 参考資料, a number, optionally `-` and a number.
pub fn check_material_label(label: &str) -> Result<(), RoundError> {
    check_controls("資料番号（label）", label, TextKind::SingleLine)?;
    let rest = label
        .strip_prefix("参考資料")
        .or_else(|| label.strip_prefix("資料"));
    let ok = rest.is_some_and(|rest| {
        let mut parts = rest.split('-');
        let first = parts.next().unwrap_or_default();
        let second = parts.next();
        let number = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        number(first) && second.is_none_or(number) && parts.next().is_none()
    });
    if ok {
        Ok(())
    } else {
        Err(RoundError::Invalid(format!(
            "資料番号「{label}」は 資料1、資料2-1、参考資料4 のように書いてください"
        )))
    }
}

/// Refuses control characters in what a meeting is registered with: the committee's name, the
/// agenda's lines, the materials' numbering, titles and file names are all single lines.
pub fn check_meeting_texts<'a>(
    committee: &str,
    agenda: &[String],
    materials: impl IntoIterator<Item = &'a Material>,
) -> Result<(), RoundError> {
    check_controls(
        "会議の名称（committee）",
        committee.trim(),
        TextKind::SingleLine,
    )?;
    for (i, line) in agenda.iter().enumerate() {
        check_controls(
            &format!("議事 {}（agenda）", i + 1),
            line.trim(),
            TextKind::SingleLine,
        )?;
    }
    for m in materials {
        check_material_label(&m.label)?;
        check_controls(
            &format!("{}の表題（title）", m.label),
            m.title.trim(),
            TextKind::SingleLine,
        )?;
        check_controls(
            &format!("{}のファイル名", m.label),
            m.file_name.as_deref().unwrap_or_default(),
            TextKind::SingleLine,
        )?;
    }
    Ok(())
}

/// A meeting of the committee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    /// Its id in the database.
    pub id: i64,
    /// The plan.
    pub plan_id: String,
    /// The round's result fiscal year, when it belongs to a round.
    pub fiscal_year: Option<FiscalYear>,
    /// The committee's name.
    pub committee: String,
    /// The meeting's number (第35回 is 35).
    pub number: u32,
    /// ① or ②.
    pub kind: MeetingKind,
    /// The day.
    pub date: Date,
    /// The agenda, one line per item.
    pub agenda: Vec<String>,
    /// The materials in order.
    pub materials: Vec<Material>,
    /// The minutes (議事録), once written.
    pub minutes: Option<String>,
}

impl Meeting {
    /// 第35回健康・医療戦略推進専門調査会.
    pub fn title(&self) -> String {
        format!("第{}回{}", self.number, self.committee)
    }
}

/// Parses a date written `2025-05-20` (full-width digits accepted).
pub fn parse_date(text: &str) -> Result<Date, RoundError> {
    let text = normalize_text(text);
    let bad = || {
        RoundError::Invalid(format!(
            "日付「{text}」は 2025-05-20 のように書いてください"
        ))
    };
    let mut parts = text.split(['-', '/']);
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month: u8 = m.parse().map_err(|_| bad())?;
    let day: u8 = d.parse().map_err(|_| bad())?;
    let month = Month::try_from(month).map_err(|_| bad())?;
    Date::from_calendar_date(year, month, day).map_err(|_| bad())
}

/// A date in 和暦: 令和7年5月20日.
pub fn date_wareki(date: Date) -> String {
    wareki_date(
        date.year(),
        u32::from(u8::from(date.month())),
        u32::from(date.day()),
    )
}

/// The default dates of the round for result year y, following the seed: reports due at the
/// end of April of y+1, meeting ① in spring–early summer (late May), meeting ② in June–summer
/// (mid-July).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// The collection deadline.
    pub deadline: Date,
    /// Meeting ①.
    pub meeting_1: Date,
    /// Meeting ②.
    pub meeting_2: Date,
}

/// The default schedule of the round for result year `fy`.
pub fn default_schedule(fy: FiscalYear) -> Schedule {
    let year = fy.year() + 1;
    let date = |month, day| Date::from_calendar_date(year, month, day).unwrap_or(Date::MIN);
    Schedule {
        deadline: date(Month::April, 30),
        meeting_1: date(Month::May, 20),
        meeting_2: date(Month::July, 15),
    }
}

/// The agenda of a meeting drafted from the round: meeting ① hears the report on year y,
/// evaluates progress toward the targets and hears opinions on next year's priorities; meeting
/// ② hears the ministries' priorities for next year and examines the resource allocation
/// policy with the opinions reflected. Priority items already recorded are listed under ②.
pub fn draft_agenda(
    kind: MeetingKind,
    plan: &Plan,
    fy: FiscalYear,
    items: &[RoundItem],
) -> Vec<String> {
    let next = fy.next().next();
    match kind {
        MeetingKind::First => vec![
            format!("{}の実施状況の報告（{}）", fy.wareki(), plan.name),
            "目標（KPI）に対する進捗状況の評価".to_owned(),
            format!("{}の取組の重点的事項に関する意見聴取", next.wareki()),
        ],
        MeetingKind::Second => {
            let mut agenda = vec![
                format!("関係府省からの{}の取組の重点的事項の説明", next.wareki()),
                format!("{}の資源配分方針の検討（意見の反映）", next.wareki()),
            ];
            agenda.extend(
                items
                    .iter()
                    .filter(|i| i.kind == ItemKind::PriorityItem)
                    .filter_map(|i| i.title.as_ref())
                    .map(|t| format!("　重点的に議論・提案すべき項目: {t}")),
            );
            agenda
        }
    }
}

/// Counts of committee ratings: A, B, N and numeric indicators not rated yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingCounts {
    /// 順調に進捗している.
    pub a: u32,
    /// 進捗が不十分.
    pub b: u32,
    /// 現時点で評価が困難.
    pub n: u32,
    /// Numeric indicators without a rating.
    pub unrated: u32,
}

impl RatingCounts {
    /// Every item counted.
    pub fn total(self) -> u32 {
        self.a + self.b + self.n + self.unrated
    }

    /// 「46項目中42項目がA」.
    pub fn sentence(self) -> String {
        format!("{}項目中{}項目がA", self.total(), self.a)
    }
}

/// The rating counts of each project (in plan order) and of the whole plan: every rated
/// indicator, and every numeric one whether rated or not.
pub fn rating_counts(
    plan: &Plan,
    ratings: &[CommitteeRating],
) -> (Vec<(String, RatingCounts)>, RatingCounts) {
    let by_indicator: BTreeMap<&str, Rating> = ratings
        .iter()
        .map(|r| (r.indicator_id.as_str(), r.rating))
        .collect();
    let mut total = RatingCounts::default();
    let mut projects = Vec::new();
    for project in &plan.projects {
        let mut counts = RatingCounts::default();
        for indicator in &project.indicators {
            match by_indicator.get(indicator.id.as_str()) {
                Some(Rating::A) => counts.a += 1,
                Some(Rating::B) => counts.b += 1,
                Some(Rating::N) => counts.n += 1,
                None if !indicator.management => counts.unrated += 1,
                None => {}
            }
        }
        total.a += counts.a;
        total.b += counts.b;
        total.n += counts.n;
        total.unrated += counts.unrated;
        projects.push((project.id.clone(), counts));
    }
    (projects, total)
}

/// Why a round operation is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoundError {
    /// The round is closed.
    #[error("このフォローアップは終了しています（再開は事務局が理由を記録して行います）")]
    Closed,
    /// `advance` at meeting ②: the next step is closing.
    #[error("第2回会合の次は終了です。round close で終了してください")]
    AdvanceFromMeeting2,
    /// Closing refused: what is missing.
    #[error("終了できません。不足している項目が{}件あります:\n{}", .0.len(), .0.iter().map(|m| format!("  - {m}")).collect::<Vec<_>>().join("\n"))]
    Incomplete(Vec<Missing>),
    /// Reopening a round that is not closed.
    #[error("再開できるのは終了したフォローアップだけです")]
    NotClosed,
    /// A rating differs from the engine's proposal without a reason.
    #[error("{indicator_id}: エンジンの提案（{}）と異なる評価（{}）には理由（--reason）が必要です", proposal_text(*.proposal), proposal_text(*.rating))]
    ReasonRequired {
        /// The indicator.
        indicator_id: String,
        /// The engine's proposal.
        proposal: Rating,
        /// The rating given.
        rating: Rating,
    },
    /// Someone recorded the indicator's rating after the caller read it.
    #[error(
        "{indicator_id}: 評価は読み込んだ後に{by}さんが更新しました（{at}）。最新の評価を確認してから記録し直してください"
    )]
    RatingChanged {
        /// The indicator.
        indicator_id: String,
        /// Who recorded the rating now current ("" when it was removed).
        by: String,
        /// When.
        at: String,
    },
    /// No such indicator in the plan.
    #[error("指標「{0}」は計画にありません")]
    UnknownIndicator(String),
    /// No such body in the plan.
    #[error("報告機関「{0}」は計画にありません")]
    UnknownBody(String),
    /// A link names nothing in the plan.
    #[error("「{0}」は計画の統合プロジェクトでも指標でもありません（項目は #番号 で指定します）")]
    UnknownLink(String),
    /// Anything else the input got wrong.
    #[error("{0}")]
    Invalid(String),
    /// A text holds a control character (NUL, ESC, …) where none may be.
    #[error(transparent)]
    Control(#[from] ControlCharacter),
}

fn proposal_text(rating: Rating) -> String {
    format!("{rating:?} {}", rating.label())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_walks_the_states_and_stops_before_closing() {
        let s = RoundState::Collecting.advance();
        assert_eq!(s, Ok(RoundState::Meeting1));
        assert_eq!(RoundState::Meeting1.advance(), Ok(RoundState::Meeting2));
        assert_eq!(
            RoundState::Meeting2.advance(),
            Err(RoundError::AdvanceFromMeeting2)
        );
        assert_eq!(RoundState::Closed.advance(), Err(RoundError::Closed));
        for state in RoundState::ALL {
            assert_eq!(state.as_str().parse::<RoundState>(), Ok(state));
            let json = serde_json::to_string(&state).unwrap_or_default();
            assert_eq!(
                json,
                format!("\"{}\"", state.as_str()),
                "JSON and text agree"
            );
        }
        for kind in ItemKind::ALL {
            let json = serde_json::to_string(&kind).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }

    #[test]
    fn ratings_parse_in_every_width() {
        assert_eq!(parse_rating("a"), Ok(Rating::A));
        assert_eq!(parse_rating("Ｂ"), Ok(Rating::B));
        assert_eq!(parse_rating(" N "), Ok(Rating::N));
        assert!(parse_rating("C").is_err());
    }

    #[test]
    fn material_labels() {
        for ok in ["資料1", "資料2-1", "参考資料4", "資料１２"] {
            assert!(Material::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["資料", "資料A", "別紙1", "資料1-", "資料1-2-3"] {
            assert!(Material::parse(bad).is_err(), "{bad}");
        }
        let m = Material::parse("資料２－１：進捗状況").ok();
        assert_eq!(
            m.map(|m| (m.label, m.title)),
            Some(("資料2-1".to_owned(), "進捗状況".to_owned()))
        );
    }

    #[test]
    fn dates_parse_and_show_in_wareki() {
        let d = parse_date("２０２５－０５－２０");
        assert_eq!(d.map(date_wareki), Ok("令和7年5月20日".to_owned()));
        assert!(parse_date("2025-02-30").is_err());
        assert!(parse_date("20250520").is_err());
        let s = default_schedule(FiscalYear::new(2022).unwrap_or_else(|_| unreachable!()));
        assert_eq!(s.deadline.to_string(), "2023-04-30");
        assert!(s.deadline < s.meeting_1 && s.meeting_1 < s.meeting_2);
    }

    #[test]
    fn counts_sentence() {
        let c = RatingCounts {
            a: 42,
            b: 3,
            n: 1,
            unrated: 0,
        };
        assert_eq!(c.sentence(), "46項目中42項目がA");
    }
}
