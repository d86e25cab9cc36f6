//! The follow-up cycle: rounds, the committee's ratings, the rounds' items (notable results,
//! priority items, opinions, bodies' priority measures, policy clauses, clause statuses,
//! revision proposals) with their links, and the committee's meetings with their materials.
//!
//! The rules themselves are in `pdca_core::follow_up`; the store applies them inside its
//! transactions and writes every change to the audit log with the old and new values:
//! `round.open`, `round.state` (advance, close, reopen; the note holds a reopening's reason),
//! `round.rate`, `round.item`, `round.item.reflected`, `meeting.add`, `meeting.minutes`.

use std::collections::{BTreeMap, HashSet};

use pdca_core::access::ActualState;
use pdca_core::evaluation::Rating;
use pdca_core::follow_up::{
    CommitteeRating, FollowUpRound, ItemKind, Link, LinkKind, Material, Meeting, MeetingKind,
    Missing, NewItem, NewRating, RoundError, RoundItem, RoundState, missing_for_close, parse_date,
};
use pdca_core::{FiscalYear, Plan};
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::Date;

use crate::audit::{self, Change};
use crate::plans::fiscal_year;
use crate::{Store, StoreError, Visibility, WriteScope, now, rollback};

/// A round with everything recorded in it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundContent {
    /// The round.
    pub round: FollowUpRound,
    /// The committee's ratings, by indicator id.
    pub ratings: Vec<CommitteeRating>,
    /// The items in the order they were added.
    pub items: Vec<RoundItem>,
}

/// A meeting about to be added.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMeeting {
    /// The plan.
    pub plan_id: String,
    /// The round's result fiscal year, when the meeting belongs to a round.
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
    /// The materials, with the bytes of any attached file.
    pub materials: Vec<(Material, Option<Vec<u8>>)>,
}

/// The columns [`round_at`] reads, in its order.
macro_rules! round_columns {
    () => {
        "plan_id, fiscal_year, state, deadline, opened_by, opened_at"
    };
}

fn round_at(row: &AnyRow) -> Result<FollowUpRound, StoreError> {
    let state: String = row.try_get(2)?;
    let deadline: String = row.try_get(3)?;
    Ok(FollowUpRound {
        plan_id: row.try_get(0)?,
        fiscal_year: fiscal_year(row.try_get(1)?)?,
        state: state
            .parse()
            .map_err(|e: RoundError| StoreError::Corrupt(e.to_string()))?,
        deadline: parse_date(&deadline).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        opened_by: row.try_get(4)?,
        opened_at: row.try_get(5)?,
    })
}

fn rating_text(rating: Rating) -> &'static str {
    match rating {
        Rating::A => "A",
        Rating::B => "B",
        Rating::N => "N",
    }
}

fn rating_json(r: &CommitteeRating) -> String {
    json!({
        "rating": rating_text(r.rating),
        "reason": r.reason,
        "issue": r.issue,
        "solution": r.solution,
    })
    .to_string()
}

impl Store {
    /// Opens the follow-up of plan `plan_id` for result fiscal year `fy` with the bodies'
    /// reports due on `deadline`. The year must lie in the plan period, and a plan has one
    /// round per year.
    pub async fn open_round(
        &self,
        plan: &Plan,
        fy: FiscalYear,
        deadline: Date,
        actor: &str,
    ) -> Result<FollowUpRound, StoreError> {
        if !plan.period.contains(fy) {
            return Err(StoreError::Invalid(format!(
                "{fy}（{}）は計画「{}」の期間 {}〜{} の外です",
                fy.wareki(),
                plan.id,
                plan.period.start,
                plan.period.end
            )));
        }
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Rounds).await?;
        let exists = sqlx::query(
            "SELECT state FROM follow_up_rounds WHERE plan_id = $1 AND fiscal_year = $2",
        )
        .bind(plan.id.as_str())
        .bind(fy.year())
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_some() {
            rollback(tx).await?;
            return Err(StoreError::Invalid(format!(
                "計画「{}」の{fy}（{}）のフォローアップは既に開始されています",
                plan.id,
                fy.wareki()
            )));
        }
        let round = FollowUpRound {
            plan_id: plan.id.clone(),
            fiscal_year: fy,
            state: RoundState::Collecting,
            deadline,
            opened_by: actor.to_owned(),
            opened_at: at.clone(),
        };
        sqlx::query(
            "INSERT INTO follow_up_rounds
                 (plan_id, fiscal_year, state, deadline, opened_by, opened_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(plan.id.as_str())
        .bind(fy.year())
        .bind(round.state.as_str())
        .bind(deadline.to_string())
        .bind(actor)
        .bind(at.as_str())
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "round.open",
                subject: &round_subject(&plan.id, fy),
                old_value: None,
                new_value: Some(
                    json!({"state": round.state.as_str(), "deadline": deadline.to_string()})
                        .to_string(),
                ),
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(round)
    }

    /// The round of plan `plan_id` for result year `fy`, if opened.
    pub async fn round(
        &self,
        plan_id: &str,
        fy: FiscalYear,
    ) -> Result<Option<FollowUpRound>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            round_columns!(),
            " FROM follow_up_rounds WHERE plan_id = $1 AND fiscal_year = $2"
        ))
        .bind(plan_id)
        .bind(fy.year())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(round_at).transpose()
    }

    /// Every round of plan `plan_id`, oldest result year first.
    pub async fn rounds(&self, plan_id: &str) -> Result<Vec<FollowUpRound>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            round_columns!(),
            " FROM follow_up_rounds WHERE plan_id = $1 ORDER BY fiscal_year"
        ))
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(round_at).collect()
    }

    /// The round with its ratings and items, or [`StoreError::NotFound`].
    pub async fn round_content(
        &self,
        plan_id: &str,
        fy: FiscalYear,
    ) -> Result<RoundContent, StoreError> {
        let round = self.require_round(plan_id, fy).await?;
        let ratings = self.round_ratings(plan_id, fy).await?;
        let items = self.round_items(plan_id, Some(fy)).await?;
        Ok(RoundContent {
            round,
            ratings,
            items,
        })
    }

    async fn require_round(
        &self,
        plan_id: &str,
        fy: FiscalYear,
    ) -> Result<FollowUpRound, StoreError> {
        self.round(plan_id, fy).await?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "計画「{plan_id}」の{fy}（{}）のフォローアップ",
                fy.wareki()
            ))
        })
    }

    /// The committee's ratings in the round for result year `fy`, by indicator id.
    pub async fn round_ratings(
        &self,
        plan_id: &str,
        fy: FiscalYear,
    ) -> Result<Vec<CommitteeRating>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.indicator_id, r.rating, r.reason, r.issue, r.solution, r.recorded_by,
                    r.recorded_at
             FROM round_ratings r JOIN follow_up_rounds f ON f.id = r.round_id
             WHERE f.plan_id = $1 AND f.fiscal_year = $2",
        )
        .bind(plan_id)
        .bind(fy.year())
        .fetch_all(&self.pool)
        .await?;
        let mut ratings = rows
            .iter()
            .map(|row| {
                let rating: String = row.try_get(1)?;
                Ok(CommitteeRating {
                    indicator_id: row.try_get(0)?,
                    rating: pdca_core::follow_up::parse_rating(&rating)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    reason: row.try_get(2)?,
                    issue: row.try_get(3)?,
                    solution: row.try_get(4)?,
                    recorded_by: row.try_get(5)?,
                    recorded_at: row.try_get(6)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        ratings.sort_by(|a, b| a.indicator_id.cmp(&b.indicator_id));
        Ok(ratings)
    }

    /// The ratings of every round of the plan: (result year, ratings), oldest first.
    pub async fn rating_history(
        &self,
        plan_id: &str,
    ) -> Result<Vec<(FiscalYear, Vec<CommitteeRating>)>, StoreError> {
        let mut out = Vec::new();
        for round in self.rounds(plan_id).await? {
            let ratings = self.round_ratings(plan_id, round.fiscal_year).await?;
            out.push((round.fiscal_year, ratings));
        }
        Ok(out)
    }

    /// Moves the round one step: collecting → meeting ① → meeting ②. Refused at meeting ②
    /// (closing is the next step) and when closed.
    pub async fn advance_round(
        &self,
        plan_id: &str,
        fy: FiscalYear,
        actor: &str,
    ) -> Result<RoundState, StoreError> {
        let round = self.require_round(plan_id, fy).await?;
        let next = round.state.advance()?;
        self.change_state(plan_id, fy, round.state, next, actor, None)
            .await?;
        Ok(next)
    }

    /// Closes the round when the closing rule holds: every numeric indicator rated, every B
    /// with an issue and a solution, and no value of year y awaiting approval. Otherwise refused
    /// with [`RoundError::Incomplete`] listing everything missing. Closing locks year y's
    /// approved actuals ([`Store::lock_year`]); returns how many values were locked.
    pub async fn close_round(
        &self,
        plan: &Plan,
        fy: FiscalYear,
        actor: &str,
    ) -> Result<u64, StoreError> {
        let round = self.require_round(&plan.id, fy).await?;
        if round.state == RoundState::Closed {
            return Err(RoundError::Closed.into());
        }
        let missing = self.round_missing(plan, fy).await?;
        if !missing.is_empty() {
            return Err(RoundError::Incomplete(missing).into());
        }
        // Locking again after a failed state change locks nothing new, so a retry is safe.
        let locked = self.lock_year(&plan.id, fy, actor).await?;
        self.change_state(&plan.id, fy, round.state, RoundState::Closed, actor, None)
            .await?;
        Ok(locked)
    }

    /// What keeps the round for result year `fy` from closing ([`missing_for_close`]), and
    /// year `fy`'s values still in the approval flow, since closing locks the year.
    pub async fn round_missing(
        &self,
        plan: &Plan,
        fy: FiscalYear,
    ) -> Result<Vec<Missing>, StoreError> {
        let ratings = self.round_ratings(&plan.id, fy).await?;
        let mut missing = missing_for_close(plan, &ratings);
        for actual in self.current_actuals_as(&plan.id, Visibility::All).await? {
            let pending = matches!(
                actual.state,
                ActualState::Draft | ActualState::Submitted | ActualState::Returned
            );
            if pending && actual.contribution.year == fy {
                missing.push(Missing::PendingValue {
                    indicator_id: actual.contribution.indicator.clone(),
                    body_id: actual.contribution.body.clone(),
                    state: actual.state.label_ja().to_owned(),
                });
            }
        }
        Ok(missing)
    }

    /// Reopens a closed round (back to meeting ②), recording the reason. Year y's actuals stay
    /// locked.
    pub async fn reopen_round(
        &self,
        plan_id: &str,
        fy: FiscalYear,
        reason: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        pdca_core::normalize::check_controls(
            "再開の理由（reason）",
            reason,
            pdca_core::normalize::TextKind::MultiLine,
        )
        .map_err(RoundError::from)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid(
                "再開の理由を入力してください".to_owned(),
            ));
        }
        let round = self.require_round(plan_id, fy).await?;
        if round.state != RoundState::Closed {
            return Err(RoundError::NotClosed.into());
        }
        self.change_state(
            plan_id,
            fy,
            RoundState::Closed,
            RoundState::Meeting2,
            actor,
            Some(reason),
        )
        .await
    }

    /// Sets the state from `from` to `to`, refused with a conflict message if someone else
    /// moved the round meanwhile.
    async fn change_state(
        &self,
        plan_id: &str,
        fy: FiscalYear,
        from: RoundState,
        to: RoundState,
        actor: &str,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Rounds).await?;
        let changed = sqlx::query(
            "UPDATE follow_up_rounds SET state = $1
             WHERE plan_id = $2 AND fiscal_year = $3 AND state = $4",
        )
        .bind(to.as_str())
        .bind(plan_id)
        .bind(fy.year())
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            rollback(tx).await?;
            return Err(StoreError::Invalid(format!(
                "フォローアップの状態が他の操作で変更されました（{}ではなくなっています）。画面を更新してください",
                from.label_ja()
            )));
        }
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "round.state",
                subject: &round_subject(plan_id, fy),
                old_value: Some(json!({"state": from.as_str()}).to_string()),
                new_value: Some(json!({"state": to.as_str()}).to_string()),
                note,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records (or replaces) the committee's rating of an indicator in an open round. The
    /// rating must have passed [`NewRating::validate`]. Audited with the old and new rating.
    ///
    /// `expected` is the `recorded_at` of the rating the caller read (`Some(None)`: it read no
    /// rating); when the rating now stored is another, the write is refused with
    /// [`RoundError::RatingChanged`], so two people rating at once never silently overwrite
    /// each other. `None` skips the check (the CLI, which reads nothing first).
    pub async fn rate(
        &self,
        plan_id: &str,
        fy: FiscalYear,
        rating: &NewRating,
        expected: Option<Option<&str>>,
        actor: &str,
    ) -> Result<(), StoreError> {
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Rounds).await?;
        let (round_id, state) = round_id_in(&mut tx, plan_id, fy).await?;
        if !state.is_open() {
            rollback(tx).await?;
            return Err(RoundError::Closed.into());
        }
        let old = sqlx::query(
            "SELECT rating, reason, issue, solution, recorded_by, recorded_at FROM round_ratings
             WHERE round_id = $1 AND indicator_id = $2",
        )
        .bind(round_id)
        .bind(rating.indicator_id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(expected) = expected {
            let current: Option<(String, String)> = old
                .as_ref()
                .map(|row| Ok::<_, StoreError>((row.try_get(4)?, row.try_get(5)?)))
                .transpose()?;
            if current.as_ref().map(|(_, at)| at.as_str()) != expected {
                rollback(tx).await?;
                let (by, at) = current.unwrap_or_default();
                return Err(RoundError::RatingChanged {
                    indicator_id: rating.indicator_id.clone(),
                    by,
                    at,
                }
                .into());
            }
        }
        let old = old
            .map(|row| -> Result<String, StoreError> {
                Ok(json!({
                    "rating": row.try_get::<String, _>(0)?,
                    "reason": row.try_get::<Option<String>, _>(1)?,
                    "issue": row.try_get::<Option<String>, _>(2)?,
                    "solution": row.try_get::<Option<String>, _>(3)?,
                })
                .to_string())
            })
            .transpose()?;
        sqlx::query(
            "INSERT INTO round_ratings
                 (round_id, indicator_id, rating, reason, issue, solution, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (round_id, indicator_id) DO UPDATE SET
                 rating = excluded.rating, reason = excluded.reason, issue = excluded.issue,
                 solution = excluded.solution, recorded_by = excluded.recorded_by,
                 recorded_at = excluded.recorded_at",
        )
        .bind(round_id)
        .bind(rating.indicator_id.as_str())
        .bind(rating_text(rating.rating))
        .bind(rating.reason.as_deref())
        .bind(rating.issue.as_deref())
        .bind(rating.solution.as_deref())
        .bind(actor)
        .bind(at.as_str())
        .execute(&mut *tx)
        .await?;
        let new = CommitteeRating {
            indicator_id: rating.indicator_id.clone(),
            rating: rating.rating,
            reason: rating.reason.clone(),
            issue: rating.issue.clone(),
            solution: rating.solution.clone(),
            recorded_by: actor.to_owned(),
            recorded_at: at.clone(),
        };
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "round.rate",
                subject: &format!("{}/{}", round_subject(plan_id, fy), rating.indicator_id),
                old_value: old,
                new_value: Some(rating_json(&new)),
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds an item to the open round for result year `fy`. The item must have passed
    /// [`NewItem::validate`]; here its links to items (`#n`) are checked: they must name items
    /// of the plan's rounds, and a clause status must answer a policy clause of an earlier
    /// round. Returns the item as stored.
    pub async fn add_item(
        &self,
        plan_id: &str,
        fy: FiscalYear,
        kind: ItemKind,
        item: &NewItem,
        actor: &str,
    ) -> Result<RoundItem, StoreError> {
        let known: BTreeMap<i64, RoundItem> = self
            .round_items(plan_id, None)
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
        for link in item.links.iter().filter(|l| l.kind == LinkKind::Item) {
            let target = link
                .id
                .parse::<i64>()
                .ok()
                .and_then(|id| known.get(&id))
                .ok_or_else(|| {
                    StoreError::NotFound(format!("計画「{plan_id}」のフォローアップの項目 {link}"))
                })?;
            if kind == ItemKind::ClauseStatus
                && !(target.kind == ItemKind::PolicyClause && target.fiscal_year < fy)
            {
                return Err(StoreError::Invalid(format!(
                    "対応状況は前年度までのフォローアップの資源配分方針に対して報告します（{link} は{}の{}）",
                    target.fiscal_year.wareki(),
                    target.kind.label_ja()
                )));
            }
        }
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Rounds).await?;
        let (round_id, state) = round_id_in(&mut tx, plan_id, fy).await?;
        if !state.is_open() {
            rollback(tx).await?;
            return Err(RoundError::Closed.into());
        }
        let row = sqlx::query(
            "INSERT INTO round_items
                 (round_id, kind, title, body_text, points, body_id, budget, meeting_id,
                  plan_revision, reflected, author, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11)
             RETURNING id",
        )
        .bind(round_id)
        .bind(kind.as_str())
        .bind(item.title.as_deref())
        .bind(item.text.as_str())
        .bind(item.points.as_deref())
        .bind(item.body_id.as_deref())
        .bind(item.budget.as_deref())
        .bind(item.meeting_id)
        .bind(item.plan_revision.map(i64::from))
        .bind(actor)
        .bind(at.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        for link in &item.links {
            sqlx::query(
                "INSERT INTO round_item_links (item_id, link_kind, target_id) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(link.kind.as_str())
            .bind(link.id.as_str())
            .execute(&mut *tx)
            .await?;
        }
        let stored = RoundItem {
            id,
            fiscal_year: fy,
            kind,
            title: item.title.clone(),
            text: item.text.clone(),
            points: item.points.clone(),
            body_id: item.body_id.clone(),
            links: item.links.clone(),
            budget: item.budget.clone(),
            meeting_id: item.meeting_id,
            plan_revision: item.plan_revision,
            reflected: false,
            author: actor.to_owned(),
            created_at: at.clone(),
        };
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "round.item",
                subject: &format!("{}/#{id}", round_subject(plan_id, fy)),
                old_value: None,
                new_value: Some(serde_json::to_string(&stored)?),
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Marks an item (an opinion, usually) as reflected or not. Audited.
    pub async fn set_item_reflected(
        &self,
        plan_id: &str,
        item_id: i64,
        reflected: bool,
        actor: &str,
    ) -> Result<(), StoreError> {
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Rounds).await?;
        let row = sqlx::query(
            "SELECT i.reflected, f.fiscal_year FROM round_items i
             JOIN follow_up_rounds f ON f.id = i.round_id
             WHERE i.id = $1 AND f.plan_id = $2",
        )
        .bind(item_id)
        .bind(plan_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("項目 #{item_id}")))?;
        let old: i64 = row.try_get(0)?;
        let fy = fiscal_year(row.try_get(1)?)?;
        sqlx::query("UPDATE round_items SET reflected = $1 WHERE id = $2")
            .bind(i64::from(reflected))
            .bind(item_id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "round.item.reflected",
                subject: &format!("{}/#{item_id}", round_subject(plan_id, fy)),
                old_value: Some(json!({"reflected": old != 0}).to_string()),
                new_value: Some(json!({"reflected": reflected}).to_string()),
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The items of the round for result year `fy` (every round of the plan when `None`), in
    /// the order they were added.
    pub async fn round_items(
        &self,
        plan_id: &str,
        fy: Option<FiscalYear>,
    ) -> Result<Vec<RoundItem>, StoreError> {
        let year = fy.map_or(0, |fy| i64::from(fy.year()));
        let rows = sqlx::query(
            "SELECT i.id, f.fiscal_year, i.kind, i.title, i.body_text, i.points, i.body_id,
                    i.budget, i.meeting_id, i.plan_revision, i.reflected, i.author, i.created_at
             FROM round_items i JOIN follow_up_rounds f ON f.id = i.round_id
             WHERE f.plan_id = $1 AND ($2 = 0 OR f.fiscal_year = $2)
             ORDER BY i.id",
        )
        .bind(plan_id)
        .bind(year)
        .fetch_all(&self.pool)
        .await?;
        let links = sqlx::query(
            "SELECT l.item_id, l.link_kind, l.target_id FROM round_item_links l
             JOIN round_items i ON i.id = l.item_id
             JOIN follow_up_rounds f ON f.id = i.round_id
             WHERE f.plan_id = $1 AND ($2 = 0 OR f.fiscal_year = $2)",
        )
        .bind(plan_id)
        .bind(year)
        .fetch_all(&self.pool)
        .await?;
        let mut by_item: BTreeMap<i64, Vec<Link>> = BTreeMap::new();
        for row in &links {
            let kind: String = row.try_get(1)?;
            by_item.entry(row.try_get(0)?).or_default().push(Link {
                kind: kind
                    .parse()
                    .map_err(|e: RoundError| StoreError::Corrupt(e.to_string()))?,
                id: row.try_get(2)?,
            });
        }
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get(0)?;
                let kind: String = row.try_get(2)?;
                let revision: Option<i64> = row.try_get(9)?;
                let reflected: i64 = row.try_get(10)?;
                let mut links = by_item.remove(&id).unwrap_or_default();
                links.sort();
                Ok(RoundItem {
                    id,
                    fiscal_year: fiscal_year(row.try_get(1)?)?,
                    kind: kind
                        .parse()
                        .map_err(|e: RoundError| StoreError::Corrupt(e.to_string()))?,
                    title: row.try_get(3)?,
                    text: row.try_get(4)?,
                    points: row.try_get(5)?,
                    body_id: row.try_get(6)?,
                    links,
                    budget: row.try_get(7)?,
                    meeting_id: row.try_get(8)?,
                    plan_revision: revision.and_then(|r| u32::try_from(r).ok()),
                    reflected: reflected != 0,
                    author: row.try_get(11)?,
                    created_at: row.try_get(12)?,
                })
            })
            .collect()
    }

    /// Adds a meeting of the committee with its materials. The number is unique per plan and
    /// committee; material numbering is unique in the meeting.
    pub async fn add_meeting(
        &self,
        meeting: &NewMeeting,
        actor: &str,
    ) -> Result<Meeting, StoreError> {
        self.require_plan(&meeting.plan_id).await?;
        pdca_core::follow_up::check_meeting_texts(
            &meeting.committee,
            &meeting.agenda,
            meeting.materials.iter().map(|(m, _)| m),
        )?;
        let committee = meeting.committee.trim();
        if committee.is_empty() {
            return Err(StoreError::Invalid(
                "会議の名称を入力してください".to_owned(),
            ));
        }
        if meeting.number == 0 {
            return Err(StoreError::Invalid(
                "会合の回数は1以上にしてください".to_owned(),
            ));
        }
        let mut labels = HashSet::new();
        for (material, _) in &meeting.materials {
            pdca_core::follow_up::check_material_label(&material.label)?;
            if !labels.insert(material.label.as_str()) {
                return Err(StoreError::Invalid(format!(
                    "資料番号「{}」が重複しています",
                    material.label
                )));
            }
        }
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Rounds).await?;
        let taken = sqlx::query(
            "SELECT id FROM meetings WHERE plan_id = $1 AND committee = $2 AND number = $3",
        )
        .bind(meeting.plan_id.as_str())
        .bind(committee)
        .bind(i64::from(meeting.number))
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            rollback(tx).await?;
            return Err(StoreError::Invalid(format!(
                "第{}回{committee}は既に登録されています",
                meeting.number
            )));
        }
        let row = sqlx::query(
            "INSERT INTO meetings (plan_id, fiscal_year, committee, number, kind, date, agenda)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(meeting.plan_id.as_str())
        .bind(meeting.fiscal_year.map(|fy| i64::from(fy.year())))
        .bind(committee)
        .bind(i64::from(meeting.number))
        .bind(i64::from(meeting.kind.number()))
        .bind(meeting.date.to_string())
        .bind(meeting.agenda.join("\n"))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get(0)?;
        for (position, (material, content)) in meeting.materials.iter().enumerate() {
            sqlx::query(
                "INSERT INTO meeting_materials
                     (meeting_id, position, label, title, file_name, content)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(material.label.as_str())
            .bind(material.title.as_str())
            .bind(material.file_name.as_deref())
            .bind(content.clone())
            .execute(&mut *tx)
            .await?;
        }
        let stored = Meeting {
            id,
            plan_id: meeting.plan_id.clone(),
            fiscal_year: meeting.fiscal_year,
            committee: committee.to_owned(),
            number: meeting.number,
            kind: meeting.kind,
            date: meeting.date,
            agenda: meeting.agenda.clone(),
            materials: meeting.materials.iter().map(|(m, _)| m.clone()).collect(),
            minutes: None,
        };
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "meeting.add",
                subject: &format!("{}/{}", meeting.plan_id, stored.title()),
                old_value: None,
                new_value: Some(serde_json::to_string(&stored)?),
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Records a meeting's minutes (議事録). Audited with the old and new text.
    pub async fn set_minutes(
        &self,
        plan_id: &str,
        meeting_id: i64,
        minutes: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        pdca_core::normalize::check_controls(
            "議事録（minutes）",
            minutes,
            pdca_core::normalize::TextKind::MultiLine,
        )
        .map_err(RoundError::from)?;
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Rounds).await?;
        let row = sqlx::query("SELECT minutes FROM meetings WHERE id = $1 AND plan_id = $2")
            .bind(meeting_id)
            .bind(plan_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("会合 {meeting_id}")))?;
        let old: Option<String> = row.try_get(0)?;
        sqlx::query("UPDATE meetings SET minutes = $1 WHERE id = $2")
            .bind(minutes)
            .bind(meeting_id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "meeting.minutes",
                subject: &format!("{plan_id}/meeting/{meeting_id}"),
                old_value: old.map(|m| json!({ "minutes": m }).to_string()),
                new_value: Some(json!({ "minutes": minutes }).to_string()),
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Attaches a file to the material `label` (資料1, 資料2-1, 参考資料4) of a meeting: replacing
    /// the file of a material already listed (and its title, when `title` is given), or adding
    /// the material after the others (a new one needs a title). Audited with the old and new
    /// file's name and size.
    #[allow(clippy::too_many_arguments)]
    pub async fn attach_material(
        &self,
        plan_id: &str,
        meeting_id: i64,
        label: &str,
        title: Option<&str>,
        file_name: &str,
        content: &[u8],
        actor: &str,
    ) -> Result<(), StoreError> {
        for (field, text) in [
            ("表題（title）", title.unwrap_or_default()),
            ("ファイル名", file_name),
        ] {
            pdca_core::normalize::check_controls(
                field,
                text,
                pdca_core::normalize::TextKind::SingleLine,
            )
            .map_err(RoundError::from)?;
        }
        let label = pdca_core::normalize::normalize_text(label);
        pdca_core::follow_up::check_material_label(&label)?;
        let title = title
            .map(pdca_core::normalize::normalize_text)
            .filter(|t| !t.is_empty());
        let file_name = file_name.trim();
        if file_name.is_empty() || content.is_empty() {
            return Err(StoreError::Invalid(format!(
                "{label}: 添付するファイルを選んでください（空のファイルは添付できません）"
            )));
        }
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Rounds).await?;
        sqlx::query("SELECT id FROM meetings WHERE id = $1 AND plan_id = $2")
            .bind(meeting_id)
            .bind(plan_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("会合 {meeting_id}")))?;
        let old = sqlx::query(
            "SELECT title, file_name, CAST(LENGTH(content) AS BIGINT) FROM meeting_materials
             WHERE meeting_id = $1 AND label = $2",
        )
        .bind(meeting_id)
        .bind(label.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let (old_value, stored_title) = match &old {
            Some(row) => {
                let old_title: String = row.try_get(0)?;
                let old_file: Option<String> = row.try_get(1)?;
                let old_bytes: Option<i64> = row.try_get(2)?;
                sqlx::query(
                    "UPDATE meeting_materials SET title = $3, file_name = $4, content = $5
                     WHERE meeting_id = $1 AND label = $2",
                )
                .bind(meeting_id)
                .bind(label.as_str())
                .bind(title.as_deref().unwrap_or(old_title.as_str()))
                .bind(file_name)
                .bind(content.to_vec())
                .execute(&mut *tx)
                .await?;
                let stored_title = title.clone().unwrap_or_else(|| old_title.clone());
                let old_value = json!({
                    "title": old_title,
                    "file_name": old_file,
                    "bytes": old_bytes.unwrap_or(0),
                });
                (Some(old_value.to_string()), stored_title)
            }
            None => {
                let Some(title) = title.as_deref() else {
                    rollback(tx).await?;
                    return Err(StoreError::Invalid(format!(
                        "{label}: 新しい資料には題名を入力してください"
                    )));
                };
                let position: i64 = sqlx::query(
                    "SELECT CAST(COALESCE(MAX(position) + 1, 0) AS BIGINT) FROM meeting_materials
                     WHERE meeting_id = $1",
                )
                .bind(meeting_id)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
                sqlx::query(
                    "INSERT INTO meeting_materials
                         (meeting_id, position, label, title, file_name, content)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(meeting_id)
                .bind(position)
                .bind(label.as_str())
                .bind(title)
                .bind(file_name)
                .bind(content.to_vec())
                .execute(&mut *tx)
                .await?;
                (None, title.to_owned())
            }
        };
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "meeting.material",
                subject: &format!("{plan_id}/meeting/{meeting_id}/{label}"),
                old_value,
                new_value: Some(
                    json!({
                        "title": stored_title,
                        "file_name": file_name,
                        "bytes": content.len(),
                    })
                    .to_string(),
                ),
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The meetings of plan `plan_id`, by date.
    pub async fn meetings(&self, plan_id: &str) -> Result<Vec<Meeting>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, plan_id, fiscal_year, committee, number, kind, date, agenda, minutes
             FROM meetings WHERE plan_id = $1 ORDER BY date, number",
        )
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await?;
        let materials = sqlx::query(
            "SELECT m.meeting_id, m.label, m.title, m.file_name FROM meeting_materials m
             JOIN meetings g ON g.id = m.meeting_id
             WHERE g.plan_id = $1 ORDER BY m.meeting_id, m.position",
        )
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await?;
        let mut by_meeting: BTreeMap<i64, Vec<Material>> = BTreeMap::new();
        for row in &materials {
            by_meeting
                .entry(row.try_get(0)?)
                .or_default()
                .push(Material {
                    label: row.try_get(1)?,
                    title: row.try_get(2)?,
                    file_name: row.try_get(3)?,
                });
        }
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get(0)?;
                let year: Option<i64> = row.try_get(2)?;
                let number: i64 = row.try_get(4)?;
                let kind: i64 = row.try_get(5)?;
                let date: String = row.try_get(6)?;
                let agenda: String = row.try_get(7)?;
                Ok(Meeting {
                    id,
                    plan_id: row.try_get(1)?,
                    fiscal_year: year.map(fiscal_year).transpose()?,
                    committee: row.try_get(3)?,
                    number: u32::try_from(number)
                        .map_err(|_| StoreError::Corrupt(format!("会合の回数 {number}")))?,
                    kind: MeetingKind::parse(&kind.to_string())
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    date: parse_date(&date).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    agenda: agenda
                        .lines()
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    materials: by_meeting.remove(&id).unwrap_or_default(),
                    minutes: row.try_get(8)?,
                })
            })
            .collect()
    }

    /// The file attached to a meeting's material: (file name, bytes).
    pub async fn material_file(
        &self,
        plan_id: &str,
        meeting_id: i64,
        label: &str,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT m.file_name, m.content FROM meeting_materials m
             JOIN meetings g ON g.id = m.meeting_id
             WHERE g.plan_id = $1 AND m.meeting_id = $2 AND m.label = $3",
        )
        .bind(plan_id)
        .bind(meeting_id)
        .bind(label)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let name: Option<String> = row.try_get(0)?;
        let content: Option<Vec<u8>> = row.try_get(1)?;
        Ok(name.zip(content))
    }
}

/// `plan/2022`, the audit log's subject of a round.
fn round_subject(plan_id: &str, fy: FiscalYear) -> String {
    format!("{plan_id}/{}", fy.year())
}

/// The round's id and state inside a write transaction.
async fn round_id_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    plan_id: &str,
    fy: FiscalYear,
) -> Result<(i64, RoundState), StoreError> {
    let row = sqlx::query(
        "SELECT id, state FROM follow_up_rounds WHERE plan_id = $1 AND fiscal_year = $2",
    )
    .bind(plan_id)
    .bind(fy.year())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| {
        StoreError::NotFound(format!(
            "計画「{plan_id}」の{fy}（{}）のフォローアップ",
            fy.wareki()
        ))
    })?;
    let state: String = row.try_get(1)?;
    Ok((
        row.try_get(0)?,
        state
            .parse()
            .map_err(|e: RoundError| StoreError::Corrupt(e.to_string()))?,
    ))
}
