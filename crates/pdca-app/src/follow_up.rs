//! A follow-up round as the pages, the API and the CLI show it: the round's content from the
//! store, the engine's evaluation as of the result year (the proposal each rating answers), the
//! previous round's policy clauses with their statuses and how the linked indicators moved, the
//! meetings, and what still keeps the round from closing. One builder and one JSON shape, so
//! `pdca round show --format json` and `GET /api/v1/plans/{plan}/rounds/{fy}` answer alike.

use std::collections::BTreeMap;
use std::sync::Arc;

use pdca_core::evaluation::{Evaluation, PlanEvaluation, Rating};
use pdca_core::follow_up::{
    CommitteeRating, FollowUpRound, ItemKind, LinkKind, Meeting, Missing, RatingCounts, RoundItem,
    rating_counts,
};
use pdca_core::{Actuals, FiscalYear, Plan, PlanHistory, evaluate_plan};
use pdca_store::{RoundContent, Store, StoreError, Visibility};
use serde_json::{Value, json};

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
        Ok(RoundView {
            plan,
            content,
            evaluation,
            previous_clauses,
            meetings,
            missing,
            actuals: Arc::clone(approved),
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

fn rating_of(ratings: &[CommitteeRating], indicator_id: &str) -> Option<Rating> {
    ratings
        .iter()
        .find(|r| r.indicator_id == indicator_id)
        .map(|r| r.rating)
}

fn evaluation_of<'a>(evaluation: &'a PlanEvaluation, indicator_id: &str) -> Option<&'a Evaluation> {
    evaluation.indicators.iter().find(|e| e.id == indicator_id)
}

fn counts_json(c: RatingCounts) -> Value {
    json!({"a": c.a, "b": c.b, "n": c.n, "unrated": c.unrated, "total": c.total(), "sentence": c.sentence()})
}

fn rating_json(r: &CommitteeRating) -> Value {
    json!({
        "rating": r.rating,
        "label": r.rating.label(),
        "reason": r.reason,
        "issue": r.issue,
        "solution": r.solution,
        "recorded_by": r.recorded_by,
        "recorded_at": r.recorded_at,
    })
}

/// The item as JSON: `{id, fiscal_year, kind, title, text, points, body_id, links:[{kind,id}],
/// budget, meeting_id, plan_revision, reflected, author, created_at}`.
pub fn item_json(item: &RoundItem) -> Value {
    serde_json::to_value(item).unwrap_or(Value::Null)
}

/// A meeting as JSON, with its title and date in 和暦.
pub fn meeting_json(m: &Meeting) -> Value {
    json!({
        "id": m.id,
        "plan": m.plan_id,
        "fiscal_year": m.fiscal_year,
        "committee": m.committee,
        "number": m.number,
        "title": m.title(),
        "kind": m.kind.number(),
        "date": m.date.to_string(),
        "date_ja": pdca_core::follow_up::date_wareki(m.date),
        "agenda": m.agenda,
        "materials": m.materials,
        "minutes": m.minutes,
    })
}

/// The documented JSON shape of a round (`docs/follow-up.md`): its state, every indicator's
/// engine status and committee rating, the issues and solutions, notable results, priority
/// items, opinions, priority measures, policy clauses with their links, clause statuses,
/// revision proposals, the previous round's clauses with their movement, the meetings and what
/// is missing for closing.
pub fn round_json(view: &RoundView) -> Value {
    let round = &view.content.round;
    let (projects, total) = view.counts();
    let names: BTreeMap<&str, &str> = view
        .plan
        .projects
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    let indicators: Vec<Value> = view
        .plan
        .indicators()
        .zip(&view.evaluation.indicators)
        .map(|((project, indicator), e)| {
            json!({
                "id": indicator.id,
                "name": indicator.name,
                "project": project.id,
                "kind": indicator.kind,
                "management": indicator.management,
                "parent": indicator.parent,
                "status": e.status,
                "proposal": e.rating,
                "pace": e.pace,
                "p_attain": e.p_attain,
                "rating": view.rating(&indicator.id).map(rating_json),
            })
        })
        .collect();
    let issues: Vec<Value> = view
        .content
        .ratings
        .iter()
        .filter(|r| r.issue.is_some() || r.solution.is_some())
        .map(|r| {
            json!({"indicator_id": r.indicator_id, "rating": r.rating, "issue": r.issue, "solution": r.solution})
        })
        .collect();
    let items = |kind| view.items(kind).map(item_json).collect::<Vec<_>>();
    json!({
        "plan": view.plan.id,
        "fiscal_year": round.fiscal_year,
        "fiscal_year_ja": round.fiscal_year.wareki(),
        "state": round.state,
        "state_ja": round.state.label_ja(),
        "deadline": round.deadline.to_string(),
        "opened_by": round.opened_by,
        "opened_at": round.opened_at,
        "counts": counts_json(total),
        "projects": projects.iter().map(|(id, c)| json!({
            "id": id,
            "name": names.get(id.as_str()),
            "counts": counts_json(*c),
        })).collect::<Vec<_>>(),
        "indicators": indicators,
        "issues": issues,
        "notable_results": items(ItemKind::NotableResult),
        "priority_items": items(ItemKind::PriorityItem),
        "opinions": items(ItemKind::Opinion),
        "priority_measures": items(ItemKind::PriorityMeasure),
        "policy_clauses": items(ItemKind::PolicyClause),
        "clause_statuses": items(ItemKind::ClauseStatus),
        "revision_proposals": items(ItemKind::RevisionProposal),
        "previous_clauses": view.previous_clauses.iter().map(|c| json!({
            "clause": item_json(&c.clause),
            "statuses": c.statuses.iter().map(item_json).collect::<Vec<_>>(),
            "movements": c.movements.iter().map(|m| json!({
                "indicator_id": m.indicator_id,
                "rating_before": m.rating_before,
                "rating_after": m.rating_after,
                "pace_before": m.pace_before,
                "pace_after": m.pace_after,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "meetings": view.meetings.iter().map(meeting_json).collect::<Vec<_>>(),
        "missing_for_close": view.missing.iter().map(|m| json!({
            "detail": m,
            "message": m.to_string(),
        })).collect::<Vec<_>>(),
    })
}

/// The committee's ratings per indicator per year over the plan period: `{years:[{fiscal_year,
/// fiscal_year_ja, counts}], indicators:[{id, name, project, ratings:["A"|"B"|"N"|null, …]}]}`,
/// one rating per year in `years`; only indicators rated in some year or numeric ones.
pub fn rating_matrix(plan: &Plan, history: &[(FiscalYear, Vec<CommitteeRating>)]) -> Value {
    let years: Vec<Value> = history
        .iter()
        .map(|(fy, ratings)| {
            json!({
                "fiscal_year": fy,
                "fiscal_year_ja": fy.wareki(),
                "counts": counts_json(rating_counts(plan, ratings).1),
            })
        })
        .collect();
    let indicators: Vec<Value> = plan
        .indicators()
        .filter_map(|(project, indicator)| {
            let ratings: Vec<Option<Rating>> = history
                .iter()
                .map(|(_, ratings)| rating_of(ratings, &indicator.id))
                .collect();
            (!indicator.management || ratings.iter().any(Option::is_some)).then(|| {
                json!({
                    "id": indicator.id,
                    "name": indicator.name,
                    "project": project.id,
                    "ratings": ratings,
                })
            })
        })
        .collect();
    json!({ "plan": plan.id, "years": years, "indicators": indicators })
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
