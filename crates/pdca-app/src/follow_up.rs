//! A follow-up round as the pages, the API and the CLI show it: the round's content from the
//! store, the engine's evaluation as of the result year (the proposal each rating answers), the
//! previous round's policy clauses with their statuses and how the linked indicators moved, the
//! meetings, and what still keeps the round from closing. One builder and one JSON shape, so
//! `pdca round show --format json` and `GET /api/v1/plans/{plan}/rounds/{fy}` answer alike.

use std::collections::BTreeMap;
use std::sync::Arc;

use pdca_core::achievements::{Achievement, AchievementId, Resolution};
use pdca_core::evaluation::{Evaluation, PlanEvaluation, Rating};
use pdca_core::follow_up::{
    CommitteeRating, FollowUpRound, ItemKind, LinkKind, Meeting, Missing, RatingCounts, RoundItem,
    rating_counts,
};
use pdca_core::{Actuals, FiscalYear, Plan, PlanHistory, evaluate_plan};
use pdca_store::{AchievementFilter, RoundContent, Store, StoreError, Visibility};
use serde_json::Value;

use crate::json::RatingJson;
use schema::{
    ClauseFollowUpJson, CommitteeRatingJson, CountsJson, IssueJson, LinkJson, MaterialJson,
    MatrixIndicatorJson, MatrixYearJson, MeetingJson, MissingDetailJson, MissingJson, MovementJson,
    ProjectCountsJson, RatingMatrixJson, RoundIndicatorJson, RoundItemJson, RoundJson,
};

/// Everything shown about one round.
#[derive(Debug, Clone)]
pub struct RoundView {
    /// The plan revision in force in the result year.
    pub plan: Plan,
    /// The round, its ratings and items.
    pub content: RoundContent,
    /// The engine's evaluation of approved values as of the result year.
    pub evaluation: PlanEvaluation,
    /// The previous round's policy clauses, with this round's statuses and the movement of
    /// their indicators.
    pub previous_clauses: Vec<ClauseFollowUp>,
    /// The meetings of the round.
    pub meetings: Vec<Meeting>,
    /// What keeps the round from closing.
    pub missing: Vec<Missing>,
    /// The approved actuals the evaluation used.
    pub actuals: Arc<Actuals>,
    /// The approved achievements of the result year (set-aside duplicates left out), for the
    /// report's notable achievements.
    pub achievements: Vec<Achievement>,
}

/// A clause of the previous round's policy, followed up in this round.
#[derive(Debug, Clone)]
pub struct ClauseFollowUp {
    /// The clause.
    pub clause: RoundItem,
    /// The bodies' 対応状況 recorded in this round.
    pub statuses: Vec<RoundItem>,
    /// The clause's indicators, before (previous round) and after (this round).
    pub movements: Vec<Movement>,
}

/// How an indicator moved from one round to the next.
#[derive(Debug, Clone, PartialEq)]
pub struct Movement {
    /// The indicator.
    pub indicator_id: String,
    /// The committee's rating in the previous round.
    pub rating_before: Option<Rating>,
    /// The committee's rating in this round.
    pub rating_after: Option<Rating>,
    /// The engine's pace (C/E) as of the previous year.
    pub pace_before: Option<f64>,
    /// The engine's pace as of this year.
    pub pace_after: Option<f64>,
}

/// What every round of a plan reads alike: its revisions, its approved actuals and its
/// meetings.
struct PlanRecords {
    history: PlanHistory,
    approved: Arc<Actuals>,
    meetings: Vec<Meeting>,
}

impl PlanRecords {
    async fn load(store: &Store, plan_id: &str) -> Result<PlanRecords, ViewError> {
        let Some(history) = store.plan_history(plan_id).await? else {
            return Err(StoreError::NotFound(format!("計画「{plan_id}」")).into());
        };
        Ok(PlanRecords {
            history,
            approved: Arc::new(store.actuals_as(plan_id, Visibility::Approved).await?),
            meetings: store.meetings(plan_id).await?,
        })
    }
}

impl RoundView {
    /// Builds the view of plan `plan_id`'s round for result year `fy` (not found when the
    /// round was never opened).
    pub async fn load(
        store: &Store,
        plan_id: &str,
        fy: FiscalYear,
    ) -> Result<RoundView, ViewError> {
        let content = store.round_content(plan_id, fy).await?;
        let records = PlanRecords::load(store, plan_id).await?;
        Self::build(store, &records, content).await
    }

    /// The views of the rounds of `years`, in that order, reading the plan's revisions,
    /// actuals and meetings once for all of them.
    pub async fn load_all(
        store: &Store,
        plan_id: &str,
        years: &[FiscalYear],
    ) -> Result<Vec<RoundView>, ViewError> {
        if years.is_empty() {
            return Ok(Vec::new());
        }
        let records = PlanRecords::load(store, plan_id).await?;
        let mut views = Vec::with_capacity(years.len());
        for fy in years {
            let content = store.round_content(plan_id, *fy).await?;
            views.push(Self::build(store, &records, content).await?);
        }
        Ok(views)
    }

    /// The view of the round in `content`, from the plan's `records` and the rest of the round
    /// read now.
    async fn build(
        store: &Store,
        records: &PlanRecords,
        content: RoundContent,
    ) -> Result<RoundView, ViewError> {
        let plan_id = content.round.plan_id.as_str();
        let fy = content.round.fiscal_year;
        let plan = records.history.in_force(fy).clone();
        let approved = &records.approved;
        let evaluation = evaluate_plan(&plan, approved, fy)?;
        let missing = store.round_missing(&plan, fy).await?;
        let meetings = records
            .meetings
            .iter()
            .filter(|m| m.fiscal_year == Some(fy))
            .cloned()
            .collect();
        let mut previous_clauses = Vec::new();
        let before = FiscalYear::new(fy.year() - 1).ok();
        if let Some(before) = before
            && store.round(plan_id, before).await?.is_some()
        {
            let ratings_before = store.round_ratings(plan_id, before).await?;
            let evaluation_before = if plan.period.contains(before) {
                Some(evaluate_plan(&plan, approved, before)?)
            } else {
                None
            };
            for clause in store
                .round_items(plan_id, Some(before))
                .await?
                .into_iter()
                .filter(|i| i.kind == ItemKind::PolicyClause)
            {
                let link = clause.id.to_string();
                let statuses = content
                    .items
                    .iter()
                    .filter(|i| {
                        i.kind == ItemKind::ClauseStatus
                            && i.links
                                .iter()
                                .any(|l| l.kind == LinkKind::Item && l.id == link)
                    })
                    .cloned()
                    .collect();
                let movements = clause
                    .links
                    .iter()
                    .filter(|l| l.kind == LinkKind::Indicator)
                    .map(|l| Movement {
                        indicator_id: l.id.clone(),
                        rating_before: rating_of(&ratings_before, &l.id),
                        rating_after: rating_of(&content.ratings, &l.id),
                        pace_before: evaluation_before
                            .as_ref()
                            .and_then(|e| evaluation_of(e, &l.id))
                            .and_then(|e| e.pace),
                        pace_after: evaluation_of(&evaluation, &l.id).and_then(|e| e.pace),
                    })
                    .collect();
                previous_clauses.push(ClauseFollowUp {
                    clause,
                    statuses,
                    movements,
                });
            }
        }
        let achievements = year_achievements(store, plan_id, fy).await?;
        Ok(RoundView {
            plan,
            content,
            evaluation,
            previous_clauses,
            meetings,
            missing,
            actuals: Arc::clone(approved),
            achievements,
        })
    }

    /// The committee's rating of an indicator in this round.
    pub fn rating(&self, indicator_id: &str) -> Option<&CommitteeRating> {
        self.content
            .ratings
            .iter()
            .find(|r| r.indicator_id == indicator_id)
    }

    /// The round's items of one kind.
    pub fn items(&self, kind: ItemKind) -> impl Iterator<Item = &RoundItem> {
        self.content.items.iter().filter(move |i| i.kind == kind)
    }

    /// The follow-up report of the round, with `material` (資料1) on its cover.
    pub fn report(&self, material: Option<&str>) -> pdca_report::Report {
        pdca_report::Report::build(&pdca_report::ReportInput {
            plan: &self.plan,
            round: &self.content.round,
            evaluation: &self.evaluation,
            actuals: &self.actuals,
            ratings: &self.content.ratings,
            items: &self.content.items,
            meetings: &self.meetings,
            material,
            achievements: &self.achievements,
        })
    }

    /// Rating counts per project and in all.
    pub fn counts(&self) -> (Vec<(String, RatingCounts)>, RatingCounts) {
        rating_counts(&self.plan, &self.content.ratings)
    }
}

/// Why a round view could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// The store failed or found nothing.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The plan cannot be evaluated as of the round's year.
    #[error(transparent)]
    Evaluation(#[from] pdca_core::evaluation::EvaluationError),
}

/// The approved achievements of plan `plan_id` in `fy`, each as its latest approved revision,
/// without the reports the secretariat set aside as the same as another (a pair decided
/// 「同じ成果」 is listed once, as the report that stands).
async fn year_achievements(
    store: &Store,
    plan_id: &str,
    fy: FiscalYear,
) -> Result<Vec<Achievement>, StoreError> {
    let filter = AchievementFilter {
        year: Some(fy),
        approved_only: true,
        ..AchievementFilter::default()
    };
    let mut items = store.achievements(plan_id, &filter).await?;
    let set_aside: Vec<AchievementId> = store
        .duplicate_decisions(plan_id)
        .await?
        .into_iter()
        .filter_map(|d| match d.resolution {
            Resolution::Same { kept } => Some(if kept == d.a { d.b } else { d.a }),
            Resolution::Distinct => None,
        })
        .collect();
    items.retain(|a| !set_aside.contains(&a.id));
    Ok(items)
}

fn rating_of(ratings: &[CommitteeRating], indicator_id: &str) -> Option<Rating> {
    ratings
        .iter()
        .find(|r| r.indicator_id == indicator_id)
        .map(|r| r.rating)
}

fn evaluation_of<'a>(evaluation: &'a PlanEvaluation, indicator_id: &str) -> Option<&'a Evaluation> {
    evaluation.indicators.iter().find(|e| e.id == indicator_id)
}

fn counts_json(c: RatingCounts) -> CountsJson {
    CountsJson {
        a: c.a,
        b: c.b,
        n: c.n,
        unrated: c.unrated,
        total: c.total(),
        sentence: c.sentence(),
    }
}

fn rating_json(r: &CommitteeRating) -> CommitteeRatingJson {
    CommitteeRatingJson {
        rating: r.rating.into(),
        label: r.rating.label().to_owned(),
        reason: r.reason.clone(),
        issue: r.issue.clone(),
        solution: r.solution.clone(),
        recorded_by: r.recorded_by.clone(),
        recorded_at: r.recorded_at.clone(),
    }
}

/// An item in its documented shape.
pub fn item_document(item: &RoundItem) -> RoundItemJson {
    RoundItemJson {
        id: item.id,
        fiscal_year: item.fiscal_year.year(),
        kind: item.kind.into(),
        title: item.title.clone(),
        text: item.text.clone(),
        points: item.points.clone(),
        body_id: item.body_id.clone(),
        links: item
            .links
            .iter()
            .map(|l| LinkJson {
                kind: l.kind.into(),
                id: l.id.clone(),
            })
            .collect(),
        budget: item.budget.clone(),
        meeting_id: item.meeting_id,
        plan_revision: item.plan_revision,
        reflected: item.reflected,
        author: item.author.clone(),
        created_at: item.created_at.clone(),
    }
}

/// The item as JSON: `{id, fiscal_year, kind, title, text, points, body_id, links:[{kind,id}],
/// budget, meeting_id, plan_revision, reflected, author, created_at}`.
pub fn item_json(item: &RoundItem) -> Value {
    serde_json::to_value(item_document(item)).unwrap_or(Value::Null)
}

/// A meeting in its documented shape, with its title and date in 和暦.
pub fn meeting_document(m: &Meeting) -> MeetingJson {
    MeetingJson {
        id: m.id,
        plan: m.plan_id.clone(),
        fiscal_year: m.fiscal_year.map(FiscalYear::year),
        committee: m.committee.clone(),
        number: m.number,
        title: m.title(),
        kind: m.kind.number(),
        date: m.date.to_string(),
        date_ja: pdca_core::follow_up::date_wareki(m.date),
        agenda: m.agenda.clone(),
        materials: m
            .materials
            .iter()
            .map(|material| MaterialJson {
                label: material.label.clone(),
                title: material.title.clone(),
                file_name: material.file_name.clone(),
            })
            .collect(),
        minutes: m.minutes.clone(),
    }
}

/// A meeting as JSON, with its title and date in 和暦.
pub fn meeting_json(m: &Meeting) -> Value {
    serde_json::to_value(meeting_document(m)).unwrap_or(Value::Null)
}

fn missing_document(m: &Missing) -> MissingJson {
    MissingJson {
        detail: match m {
            Missing::Rating { indicator_id } => MissingDetailJson::Rating {
                indicator_id: indicator_id.clone(),
            },
            Missing::IssueOrSolution {
                indicator_id,
                issue,
                solution,
            } => MissingDetailJson::IssueOrSolution {
                indicator_id: indicator_id.clone(),
                issue: *issue,
                solution: *solution,
            },
            Missing::PendingValue {
                indicator_id,
                body_id,
                state,
            } => MissingDetailJson::PendingValue {
                indicator_id: indicator_id.clone(),
                body_id: body_id.clone(),
                state: state.clone(),
            },
        },
        message: m.to_string(),
    }
}

/// A round in its documented shape (`docs/follow-up.md`): its state, every indicator's engine
/// status and committee rating, the issues and solutions, notable results, priority items,
/// opinions, priority measures, policy clauses with their links, clause statuses, revision
/// proposals, the previous round's clauses with their movement, the meetings and what is
/// missing for closing.
pub fn round_document(view: &RoundView) -> RoundJson {
    let round = &view.content.round;
    let (projects, total) = view.counts();
    let names: BTreeMap<&str, &str> = view
        .plan
        .projects
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    let indicators = view
        .plan
        .indicators()
        .zip(&view.evaluation.indicators)
        .map(|((project, indicator), e)| RoundIndicatorJson {
            id: indicator.id.clone(),
            name: indicator.name.clone(),
            project: project.id.clone(),
            kind: indicator.kind.into(),
            management: indicator.management,
            parent: indicator.parent.clone(),
            status: e.status.into(),
            proposal: e.rating.map(Into::into),
            pace: e.pace,
            p_attain: e.p_attain,
            rating: view.rating(&indicator.id).map(rating_json),
        })
        .collect();
    let issues = view
        .content
        .ratings
        .iter()
        .filter(|r| r.issue.is_some() || r.solution.is_some())
        .map(|r| IssueJson {
            indicator_id: r.indicator_id.clone(),
            rating: r.rating.into(),
            issue: r.issue.clone(),
            solution: r.solution.clone(),
        })
        .collect();
    let items = |kind| view.items(kind).map(item_document).collect::<Vec<_>>();
    RoundJson {
        plan: view.plan.id.clone(),
        fiscal_year: round.fiscal_year.year(),
        fiscal_year_ja: round.fiscal_year.wareki(),
        state: round.state.into(),
        state_ja: round.state.label_ja().to_owned(),
        deadline: round.deadline.to_string(),
        opened_by: round.opened_by.clone(),
        opened_at: round.opened_at.clone(),
        counts: counts_json(total),
        projects: projects
            .iter()
            .map(|(id, c)| ProjectCountsJson {
                id: id.clone(),
                name: names.get(id.as_str()).map(|n| (*n).to_owned()),
                counts: counts_json(*c),
            })
            .collect(),
        indicators,
        issues,
        notable_results: items(ItemKind::NotableResult),
        priority_items: items(ItemKind::PriorityItem),
        opinions: items(ItemKind::Opinion),
        priority_measures: items(ItemKind::PriorityMeasure),
        policy_clauses: items(ItemKind::PolicyClause),
        clause_statuses: items(ItemKind::ClauseStatus),
        revision_proposals: items(ItemKind::RevisionProposal),
        previous_clauses: view
            .previous_clauses
            .iter()
            .map(|c| ClauseFollowUpJson {
                clause: item_document(&c.clause),
                statuses: c.statuses.iter().map(item_document).collect(),
                movements: c
                    .movements
                    .iter()
                    .map(|m| MovementJson {
                        indicator_id: m.indicator_id.clone(),
                        rating_before: m.rating_before.map(Into::into),
                        rating_after: m.rating_after.map(Into::into),
                        pace_before: m.pace_before,
                        pace_after: m.pace_after,
                    })
                    .collect(),
            })
            .collect(),
        meetings: view.meetings.iter().map(meeting_document).collect(),
        missing_for_close: view.missing.iter().map(missing_document).collect(),
    }
}

/// The documented JSON shape of a round: [`round_document`] as JSON.
pub fn round_json(view: &RoundView) -> Value {
    serde_json::to_value(round_document(view)).unwrap_or(Value::Null)
}

/// The committee's ratings per indicator per year over the plan period, in the documented
/// shape: `{years:[{fiscal_year, fiscal_year_ja, counts}], indicators:[{id, name, project,
/// ratings:["A"|"B"|"N"|null, …]}]}`, one rating per year in `years`; only indicators rated in
/// some year or numeric ones.
pub fn rating_matrix_document(
    plan: &Plan,
    history: &[(FiscalYear, Vec<CommitteeRating>)],
) -> RatingMatrixJson {
    let years = history
        .iter()
        .map(|(fy, ratings)| MatrixYearJson {
            fiscal_year: fy.year(),
            fiscal_year_ja: fy.wareki(),
            counts: counts_json(rating_counts(plan, ratings).1),
        })
        .collect();
    let indicators = plan
        .indicators()
        .filter_map(|(project, indicator)| {
            let ratings: Vec<Option<RatingJson>> = history
                .iter()
                .map(|(_, ratings)| rating_of(ratings, &indicator.id).map(Into::into))
                .collect();
            (!indicator.management || ratings.iter().any(Option::is_some)).then(|| {
                MatrixIndicatorJson {
                    id: indicator.id.clone(),
                    name: indicator.name.clone(),
                    project: project.id.clone(),
                    ratings,
                }
            })
        })
        .collect();
    RatingMatrixJson {
        plan: plan.id.clone(),
        years,
        indicators,
    }
}

/// [`rating_matrix_document`] as JSON.
pub fn rating_matrix(plan: &Plan, history: &[(FiscalYear, Vec<CommitteeRating>)]) -> Value {
    serde_json::to_value(rating_matrix_document(plan, history)).unwrap_or(Value::Null)
}

/// The rounds' collection deadlines and the meetings as an iCalendar feed (all-day events with
/// stable UIDs, so a subscribed calendar updates them in place).
pub fn calendar_ics(plan: &Plan, rounds: &[FollowUpRound], meetings: &[Meeting]) -> String {
    use icalendar::{Calendar, Component, Event, EventLike};
    let day = |date: time::Date| {
        chrono::NaiveDate::from_ymd_opt(
            date.year(),
            u32::from(u8::from(date.month())),
            u32::from(date.day()),
        )
    };
    let mut calendar = Calendar::new();
    calendar.name(&format!("{} フォローアップ", plan.name));
    for round in rounds {
        let Some(date) = day(round.deadline) else {
            continue;
        };
        calendar.push(
            Event::new()
                .uid(&format!(
                    "deadline-{}-{}@pdca",
                    plan.id,
                    round.fiscal_year.year()
                ))
                .all_day(date)
                .summary(&format!(
                    "{}実績の報告期限（{}）",
                    round.fiscal_year.wareki(),
                    plan.name
                ))
                .description(&format!("フォローアップの状態: {}", round.state.label_ja()))
                .done(),
        );
    }
    for meeting in meetings {
        let Some(date) = day(meeting.date) else {
            continue;
        };
        calendar.push(
            Event::new()
                .uid(&format!("meeting-{}@pdca", meeting.id))
                .all_day(date)
                .summary(&format!("{}（{}）", meeting.title(), meeting.kind.mark()))
                .description(&meeting.agenda.join("\n"))
                .done(),
        );
    }
    calendar.done().to_string()
}

/// The JSON above as types: what `round_json`, `item_json`, `meeting_json` and `rating_matrix`
/// serialise, and what the API's OpenAPI document describes (`utoipa::ToSchema`). They mirror
/// `pdca_core::follow_up`'s types field by field on purpose: the core stays free of the API's
/// schema library, and the wire format may differ from the domain's (years as integers, kinds
/// as their JSON names).
pub mod schema {
    use pdca_core::follow_up::{ItemKind, LinkKind, RoundState};
    use serde::Serialize;
    use utoipa::ToSchema;

    use crate::json::{KindJson, RatingJson, StatusJson};

    /// Where a round stands.
    #[derive(Debug, Clone, Copy, Serialize, ToSchema)]
    pub enum RoundStateJson {
        /// 実績収集中.
        #[serde(rename = "collecting")]
        Collecting,
        /// 第1回会合.
        #[serde(rename = "meeting_1")]
        Meeting1,
        /// 第2回会合.
        #[serde(rename = "meeting_2")]
        Meeting2,
        /// 終了.
        #[serde(rename = "closed")]
        Closed,
    }

    impl From<RoundState> for RoundStateJson {
        fn from(state: RoundState) -> Self {
            match state {
                RoundState::Collecting => RoundStateJson::Collecting,
                RoundState::Meeting1 => RoundStateJson::Meeting1,
                RoundState::Meeting2 => RoundStateJson::Meeting2,
                RoundState::Closed => RoundStateJson::Closed,
            }
        }
    }

    impl From<ItemKind> for ItemKindJson {
        fn from(kind: ItemKind) -> Self {
            match kind {
                ItemKind::NotableResult => ItemKindJson::NotableResult,
                ItemKind::PriorityItem => ItemKindJson::PriorityItem,
                ItemKind::Opinion => ItemKindJson::Opinion,
                ItemKind::PriorityMeasure => ItemKindJson::PriorityMeasure,
                ItemKind::PolicyClause => ItemKindJson::PolicyClause,
                ItemKind::ClauseStatus => ItemKindJson::ClauseStatus,
                ItemKind::RevisionProposal => ItemKindJson::RevisionProposal,
            }
        }
    }

    impl From<LinkKind> for LinkKindJson {
        fn from(kind: LinkKind) -> Self {
            match kind {
                LinkKind::Project => LinkKindJson::Project,
                LinkKind::Indicator => LinkKindJson::Indicator,
                LinkKind::Item => LinkKindJson::Item,
            }
        }
    }

    /// What a round holds besides ratings.
    #[derive(Debug, Clone, Copy, Serialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ItemKindJson {
        /// 顕著な成果.
        NotableResult,
        /// 重点的に議論・提案すべき項目.
        PriorityItem,
        /// 意見.
        Opinion,
        /// 次年度の取組の重点的事項.
        PriorityMeasure,
        /// A clause of next year's resource allocation policy.
        PolicyClause,
        /// 対応状況.
        ClauseStatus,
        /// A proposal to revise the plan.
        RevisionProposal,
    }

    /// What a link names.
    #[derive(Debug, Clone, Copy, Serialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum LinkKindJson {
        /// A project.
        Project,
        /// An indicator.
        Indicator,
        /// Another item, by its number.
        Item,
    }

    /// A link from an item.
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct LinkJson {
        /// What is linked.
        pub kind: LinkKindJson,
        /// Its id (an item's number as text).
        pub id: String,
    }

    /// An item of a round as stored (`item_json`).
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct RoundItemJson {
        /// Its number.
        pub id: i64,
        /// The round's result fiscal year.
        pub fiscal_year: i32,
        /// What it is.
        pub kind: ItemKindJson,
        /// A short title.
        pub title: Option<String>,
        /// The text.
        pub text: String,
        /// 留意点.
        pub points: Option<String>,
        /// The reporting body.
        pub body_id: Option<String>,
        /// What it is about and what it reflects or answers.
        pub links: Vec<LinkJson>,
        /// 予算への反映.
        pub budget: Option<String>,
        /// The meeting it was raised at.
        pub meeting_id: Option<i64>,
        /// The plan revision a revision proposal led to.
        pub plan_revision: Option<u32>,
        /// Whether an opinion has been reflected.
        pub reflected: bool,
        /// Who wrote it.
        pub author: String,
        /// When, RFC 3339 in UTC.
        pub created_at: String,
    }

    /// A material of a meeting.
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct MaterialJson {
        /// 資料1, 資料2-1, 参考資料4.
        pub label: String,
        /// Its title.
        pub title: String,
        /// The attached file's name.
        pub file_name: Option<String>,
    }

    /// A meeting of the committee (`meeting_json`).
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct MeetingJson {
        /// Its id.
        pub id: i64,
        /// The plan.
        pub plan: String,
        /// The round's result fiscal year, when it belongs to one.
        pub fiscal_year: Option<i32>,
        /// The committee.
        pub committee: String,
        /// 第35回 is 35.
        pub number: u32,
        /// Its title.
        pub title: String,
        /// ① (1, spring) or ② (2, summer).
        #[schema(minimum = 1, maximum = 2)]
        pub kind: u8,
        /// The day, YYYY-MM-DD.
        #[schema(format = Date)]
        pub date: String,
        /// The day in 和暦.
        pub date_ja: String,
        /// The agenda.
        pub agenda: Vec<String>,
        /// The materials.
        pub materials: Vec<MaterialJson>,
        /// The minutes.
        pub minutes: Option<String>,
    }

    /// Ratings counted (46項目中42項目がA).
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct CountsJson {
        /// A.
        pub a: u32,
        /// B.
        pub b: u32,
        /// N.
        pub n: u32,
        /// Numeric indicators without a rating.
        pub unrated: u32,
        /// All counted.
        pub total: u32,
        /// The counts as a sentence.
        pub sentence: String,
    }

    /// The committee's rating of an indicator.
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct CommitteeRatingJson {
        /// A, B or N.
        pub rating: RatingJson,
        /// Its label.
        pub label: String,
        /// Why it differs from the automatic judgement.
        pub reason: Option<String>,
        /// 課題.
        pub issue: Option<String>,
        /// 解決策.
        pub solution: Option<String>,
        /// Who recorded it.
        pub recorded_by: String,
        /// When, RFC 3339 in UTC (the `version` of a rating).
        pub recorded_at: String,
    }

    /// An indicator in a round.
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct RoundIndicatorJson {
        /// Its id.
        pub id: String,
        /// Its name.
        pub name: String,
        /// Its project.
        pub project: String,
        /// Output or outcome.
        pub kind: KindJson,
        /// A management indicator.
        pub management: bool,
        /// The parent of a sub-target.
        pub parent: Option<String>,
        /// 自動判定.
        pub status: StatusJson,
        /// The rating the automatic judgement proposes.
        pub proposal: Option<RatingJson>,
        /// ペース.
        pub pace: Option<f64>,
        /// 達成見込み.
        pub p_attain: Option<f64>,
        /// The committee's rating.
        pub rating: Option<CommitteeRatingJson>,
    }

    /// A project's counts.
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct ProjectCountsJson {
        /// The project.
        pub id: String,
        /// Its name.
        pub name: Option<String>,
        /// Its counts.
        pub counts: CountsJson,
    }

    /// An issue and solution (viewpoint ②).
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct IssueJson {
        /// The indicator.
        pub indicator_id: String,
        /// Its rating.
        pub rating: RatingJson,
        /// 課題.
        pub issue: Option<String>,
        /// 解決策.
        pub solution: Option<String>,
    }

    /// How an indicator moved from one round to the next.
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct MovementJson {
        /// The indicator.
        pub indicator_id: String,
        /// The previous round's rating.
        pub rating_before: Option<RatingJson>,
        /// This round's rating.
        pub rating_after: Option<RatingJson>,
        /// The pace as of the previous year.
        pub pace_before: Option<f64>,
        /// The pace as of this year.
        pub pace_after: Option<f64>,
    }

    /// A clause of the previous policy, followed up.
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct ClauseFollowUpJson {
        /// The clause.
        pub clause: RoundItemJson,
        /// The bodies' 対応状況.
        pub statuses: Vec<RoundItemJson>,
        /// The movement of its indicators.
        pub movements: Vec<MovementJson>,
    }

    /// What keeps a round from closing, as data.
    #[derive(Debug, Clone, Serialize, ToSchema)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    pub enum MissingDetailJson {
        /// A numeric indicator without a committee rating.
        Rating {
            /// The indicator.
            indicator_id: String,
        },
        /// A B without an issue or a solution.
        IssueOrSolution {
            /// The indicator.
            indicator_id: String,
            /// Whether the issue is missing.
            issue: bool,
            /// Whether the solution is missing.
            solution: bool,
        },
        /// A value of the year still in the approval flow.
        PendingValue {
            /// The indicator.
            indicator_id: String,
            /// The body.
            body_id: String,
            /// Its state.
            state: String,
        },
    }

    /// What keeps a round from closing.
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct MissingJson {
        /// As data.
        pub detail: MissingDetailJson,
        /// For a person.
        pub message: String,
    }

    /// A round (`round_json`; `pdca round show --format json`).
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct RoundJson {
        /// The plan.
        pub plan: String,
        /// The result fiscal year.
        pub fiscal_year: i32,
        /// It in 和暦.
        pub fiscal_year_ja: String,
        /// Where it stands.
        pub state: RoundStateJson,
        /// The state in Japanese.
        pub state_ja: String,
        /// The reporting deadline, YYYY-MM-DD.
        #[schema(format = Date)]
        pub deadline: String,
        /// Who opened it.
        pub opened_by: String,
        /// When.
        pub opened_at: String,
        /// The ratings counted.
        pub counts: CountsJson,
        /// The ratings counted per project.
        pub projects: Vec<ProjectCountsJson>,
        /// Every indicator with its judgement and rating.
        pub indicators: Vec<RoundIndicatorJson>,
        /// The issues and solutions.
        pub issues: Vec<IssueJson>,
        /// 顕著な成果.
        pub notable_results: Vec<RoundItemJson>,
        /// 重点的に議論・提案すべき項目.
        pub priority_items: Vec<RoundItemJson>,
        /// 意見.
        pub opinions: Vec<RoundItemJson>,
        /// 次年度の取組の重点的事項.
        pub priority_measures: Vec<RoundItemJson>,
        /// The policy clauses.
        pub policy_clauses: Vec<RoundItemJson>,
        /// 対応状況.
        pub clause_statuses: Vec<RoundItemJson>,
        /// Revision proposals.
        pub revision_proposals: Vec<RoundItemJson>,
        /// The previous policy's clauses followed up.
        pub previous_clauses: Vec<ClauseFollowUpJson>,
        /// The meetings.
        pub meetings: Vec<MeetingJson>,
        /// What keeps it from closing.
        pub missing_for_close: Vec<MissingJson>,
    }

    /// A year of the rating matrix.
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct MatrixYearJson {
        /// The round's result fiscal year.
        pub fiscal_year: i32,
        /// It in 和暦.
        pub fiscal_year_ja: String,
        /// Its counts.
        pub counts: CountsJson,
    }

    /// An indicator's ratings over the years.
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct MatrixIndicatorJson {
        /// Its id.
        pub id: String,
        /// Its name.
        pub name: String,
        /// Its project.
        pub project: String,
        /// One per year of `years`; null where not rated.
        pub ratings: Vec<Option<RatingJson>>,
    }

    /// The committee's ratings per indicator per year (`rating_matrix`).
    #[derive(Debug, Clone, Serialize, ToSchema)]
    pub struct RatingMatrixJson {
        /// The plan.
        pub plan: String,
        /// The rounds' years.
        pub years: Vec<MatrixYearJson>,
        /// The indicators rated in some year, or numeric.
        pub indicators: Vec<MatrixIndicatorJson>,
    }
}
