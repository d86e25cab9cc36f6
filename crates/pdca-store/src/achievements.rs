//! Achievements (成果) and the secretariat's decisions on possible duplicates: both append-only.
//! Every change to an achievement (an edit, a step of the approval flow) is a new revision with
//! the next version, holding every field with who, when and the state; the current revision is
//! the highest version. A decision on a pair is a new row; the latest row of a pair stands.

use std::collections::{HashMap, HashSet};

use futures::TryStreamExt;
use pdca_core::Plan;
use pdca_core::access::ActualState;
use pdca_core::achievements::{
    Achievement, AchievementFields, AchievementId, DuplicateDecision, Resolution,
};
use pdca_core::normalize::{TextKind, check_controls};
use pdca_core::plan::Measure;
use pdca_core::{Actuals, FiscalYear};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::audit::{self, Change};
use crate::plans::fiscal_year;
use crate::{Backend, Store, StoreError, WriteScope, now, rollback};

/// One achievement to record: a new one (`id: None`) or a new revision of an existing one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AchievementChange {
    /// The achievement revised; `None` records a new achievement.
    pub id: Option<AchievementId>,
    /// The version the caller read (required with `id`): the change is refused unless it is
    /// still the current one.
    pub expected_version: Option<i64>,
    /// What is reported.
    pub fields: AchievementFields,
}

/// Which achievements [`Store::achievements`] returns; the default is all of them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AchievementFilter {
    /// Only those of this indicator.
    pub indicator: Option<String>,
    /// Only those of this year.
    pub year: Option<FiscalYear>,
    /// Only those reported by this body.
    pub body: Option<String>,
    /// Only approved (or locked) achievements, each as its latest approved revision (as
    /// evaluations see it); otherwise each as its current revision, whatever its state.
    pub approved_only: bool,
}

/// One revision of an achievement: what it said, where it stood, who made it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AchievementRevision {
    /// 1 for the first revision, then 2, 3, ….
    pub version: i64,
    /// What was reported.
    pub fields: AchievementFields,
    /// Where it stood in the approval flow.
    pub state: ActualState,
    /// Who made this revision.
    pub recorded_by: String,
    /// When, RFC 3339 in UTC.
    pub recorded_at: String,
    /// The reviewer's comment given with this step (as when it was returned).
    pub comment: Option<String>,
}

/// A decision on a pair as recorded, with who made it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedDecision {
    /// The decision.
    pub decision: DuplicateDecision,
    /// Who decided.
    pub decided_by: String,
    /// When, RFC 3339 in UTC.
    pub decided_at: String,
}

/// The columns of a revision, for [`revision_row`] (a macro so that `concat!` can use it).
macro_rules! revision_columns {
    () => {
        "r.achievement_id, r.version, r.indicator_id, r.fiscal_year, r.body_id, r.project_code, \
         r.title, r.institution, r.achieved_on, r.tags, r.public, r.notable, r.url, r.note, \
         r.state, r.recorded_by, r.recorded_at, r.comment"
    };
}

/// The columns of a decision, for [`decision_row`].
macro_rules! decision_columns {
    () => {
        "a, b, decision, kept, reason, decided_by, decided_at"
    };
}

/// Inserts a revision; its thirteen fields come from [`bind_fields`].
const INSERT_REVISION: &str = "INSERT INTO achievement_revisions
         (plan_id, achievement_id, version, state, recorded_by, recorded_at, comment,
          indicator_id, fiscal_year, body_id, project_code, title, institution, achieved_on,
          tags, public, notable, url, note)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)";

/// The current revision of one achievement of plan `$1`, read inside a write transaction.
const CURRENT_REVISION: &str = concat!(
    "SELECT ",
    revision_columns!(),
    " FROM achievement_revisions r
     WHERE r.plan_id = $1 AND r.achievement_id = $2
     ORDER BY r.version DESC LIMIT 1"
);

impl Store {
    /// Records `changes` for plan `plan_id` in state `state`, all in one transaction: if any
    /// change is refused, nothing is written. A change without an id makes a new achievement
    /// (version 1); one with an id adds the next revision of it, and is refused with
    /// [`StoreError::AchievementChanged`] unless `expected_version` is still its current version. Returns
    /// the id of each change, in order. The store checks what its rules need: the indicator and
    /// the body belong to the plan, the title is not blank, an id appears once, and a locked
    /// achievement is not changed; everything else is the caller's validation.
    pub async fn record_achievements(
        &self,
        plan_id: &str,
        changes: &[AchievementChange],
        state: ActualState,
        actor: &str,
    ) -> Result<Vec<AchievementId>, StoreError> {
        let plan = self
            .plan(plan_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("計画「{plan_id}」")))?;
        check_changes(&plan, changes)?;
        if state == ActualState::Locked {
            return Err(StoreError::Invalid(
                "成果は「確定」の状態では記録できません（確定は承認済みの成果を年度ごとに確定するときだけです）"
                    .to_owned(),
            ));
        }
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Actuals).await?;
        self.lock_achievements(&mut tx).await?;
        let mut ids = Vec::with_capacity(changes.len());
        let (mut created, mut revised) = (0_u64, 0_u64);
        let mut years = std::collections::BTreeSet::new();
        for (i, change) in changes.iter().enumerate() {
            let (id, version) = match change.id {
                None => {
                    let id: i64 = sqlx::query(
                        "INSERT INTO achievements (plan_id, created_at) VALUES ($1, $2)
                         RETURNING id",
                    )
                    .bind(plan_id)
                    .bind(&at)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get(0)?;
                    created += 1;
                    (AchievementId(id), 1)
                }
                Some(id) => {
                    let current = current_revision(&mut tx, plan_id, id).await?;
                    let Some((_, current)) = current else {
                        rollback(tx).await?;
                        return Err(StoreError::NotFound(format!(
                            "{}件目の成果: 計画「{plan_id}」の成果 {}",
                            i + 1,
                            id.0
                        )));
                    };
                    if Some(current.version) != change.expected_version {
                        rollback(tx).await?;
                        return Err(StoreError::AchievementChanged {
                            id: id.0,
                            expected: change.expected_version,
                            current: current.version,
                        });
                    }
                    if current.state == ActualState::Locked {
                        rollback(tx).await?;
                        return Err(StoreError::Invalid(format!(
                            "{}件目の成果: 成果 {}「{}」は確定しているため変更できません",
                            i + 1,
                            id.0,
                            current.fields.title
                        )));
                    }
                    revised += 1;
                    (id, current.version + 1)
                }
            };
            insert_revision(
                &mut tx,
                plan_id,
                id,
                version,
                &change.fields,
                state,
                actor,
                &at,
                None,
            )
            .await?;
            years.insert(change.fields.year.year());
            ids.push(id);
        }
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "achievements.record",
                subject: plan_id,
                old_value: None,
                new_value: Some(
                    serde_json::json!({
                        "created": created,
                        "revised": revised,
                        "state": state,
                        "fiscal_years": years,
                        "ids": ids.iter().map(|id| id.0).collect::<Vec<_>>(),
                    })
                    .to_string(),
                ),
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// The achievements of plan `plan_id` that `filter` selects, ordered by id: each as its
    /// current revision (or, with `approved_only`, its latest approved one).
    pub async fn achievements(
        &self,
        plan_id: &str,
        filter: &AchievementFilter,
    ) -> Result<Vec<Achievement>, StoreError> {
        self.require_plan(plan_id).await?;
        self.achievements_of(plan_id, filter).await
    }

    /// [`Store::achievements`] of a plan known to exist.
    async fn achievements_of(
        &self,
        plan_id: &str,
        filter: &AchievementFilter,
    ) -> Result<Vec<Achievement>, StoreError> {
        let query = if filter.approved_only {
            sqlx::query(concat!(
                "SELECT ",
                revision_columns!(),
                " FROM achievement_revisions r
                 JOIN (SELECT achievement_id, MAX(version) AS version
                       FROM achievement_revisions
                       WHERE plan_id = $1 AND state IN ('approved', 'locked')
                       GROUP BY achievement_id) c
                   ON c.achievement_id = r.achievement_id AND c.version = r.version
                 ORDER BY r.achievement_id"
            ))
        } else {
            sqlx::query(concat!(
                "SELECT ",
                revision_columns!(),
                " FROM achievement_revisions r
                 JOIN (SELECT achievement_id, MAX(version) AS version
                       FROM achievement_revisions WHERE plan_id = $1
                       GROUP BY achievement_id) c
                   ON c.achievement_id = r.achievement_id AND c.version = r.version
                 ORDER BY r.achievement_id"
            ))
        };
        let mut rows = query.bind(plan_id).fetch(&self.pool);
        let mut out = Vec::new();
        while let Some(row) = rows.try_next().await? {
            let (id, revision) = revision_row(&row)?;
            let f = &revision.fields;
            let selected = filter.indicator.as_ref().is_none_or(|i| *i == f.indicator)
                && filter.year.is_none_or(|y| y == f.year)
                && filter.body.as_ref().is_none_or(|b| *b == f.body);
            if selected {
                out.push(Achievement {
                    id,
                    version: revision.version,
                    fields: revision.fields,
                    state: revision.state,
                });
            }
        }
        Ok(out)
    }

    /// Every revision of achievement `id` of plan `plan_id`, oldest first.
    pub async fn achievement_history(
        &self,
        plan_id: &str,
        id: AchievementId,
    ) -> Result<Vec<AchievementRevision>, StoreError> {
        self.require_plan(plan_id).await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            revision_columns!(),
            " FROM achievement_revisions r
             WHERE r.plan_id = $1 AND r.achievement_id = $2 ORDER BY r.version"
        ))
        .bind(plan_id)
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Err(StoreError::NotFound(format!(
                "計画「{plan_id}」の成果 {}",
                id.0
            )));
        }
        rows.iter()
            .map(|row| revision_row(row).map(|(_, revision)| revision))
            .collect()
    }

    /// Takes each of `items` (an achievement with the version the caller showed) to state `to`:
    /// a new revision with the same fields, the new state, `comment`, `actor` and the time. All
    /// or nothing, in one transaction with one audit entry. The steps allowed are those of
    /// [`ActualState::may_become`] (any other is [`StoreError::Invalid`]); a version that is no
    /// longer current is [`StoreError::AchievementChanged`], an unknown achievement
    /// [`StoreError::NotFound`].
    pub async fn set_achievement_state(
        &self,
        plan_id: &str,
        items: &[(AchievementId, i64)],
        to: ActualState,
        comment: Option<&str>,
        actor: &str,
    ) -> Result<(), StoreError> {
        check_text("コメント（comment）", comment.unwrap_or_default(), true)?;
        self.require_plan(plan_id).await?;
        let mut seen = HashSet::new();
        for (id, _) in items {
            if !seen.insert(*id) {
                return Err(StoreError::Invalid(format!(
                    "成果 {} が二度指定されています",
                    id.0
                )));
            }
        }
        if items.is_empty() {
            return Ok(());
        }
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Actuals).await?;
        self.lock_achievements(&mut tx).await?;
        let mut steps = Vec::with_capacity(items.len());
        for &(id, expected) in items {
            let Some((_, current)) = current_revision(&mut tx, plan_id, id).await? else {
                rollback(tx).await?;
                return Err(StoreError::NotFound(format!(
                    "計画「{plan_id}」の成果 {}",
                    id.0
                )));
            };
            if current.version != expected {
                rollback(tx).await?;
                return Err(StoreError::AchievementChanged {
                    id: id.0,
                    expected: Some(expected),
                    current: current.version,
                });
            }
            let from = current.state;
            if !from.may_become(to) {
                rollback(tx).await?;
                return Err(StoreError::Invalid(format!(
                    "成果 {}「{}」は「{}」から「{}」にできません（{from} → {to}）",
                    id.0,
                    current.fields.title,
                    from.label_ja(),
                    to.label_ja()
                )));
            }
            insert_revision(
                &mut tx,
                plan_id,
                id,
                current.version + 1,
                &current.fields,
                to,
                actor,
                &at,
                comment,
            )
            .await?;
            steps.push(serde_json::json!({
                "id": id.0,
                "state": from,
                "version": current.version,
            }));
        }
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "achievements.state",
                subject: plan_id,
                old_value: Some(serde_json::Value::Array(steps).to_string()),
                new_value: Some(serde_json::json!({ "state": to }).to_string()),
                note: comment,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the secretariat's decision on a possible duplicate pair of plan `plan_id`. Both
    /// achievements must belong to the plan, `a < b`, a kept report must be one of the pair and
    /// the reason must not be blank. A later decision on the same pair supersedes this one;
    /// both stay in the history ([`Store::duplicate_decision_history`]) and the audit log.
    pub async fn decide_duplicate(
        &self,
        plan_id: &str,
        decision: &DuplicateDecision,
        actor: &str,
    ) -> Result<(), StoreError> {
        let (a, b) = (decision.a, decision.b);
        if a >= b {
            return Err(StoreError::Invalid(format!(
                "重複の判断は、番号の小さい成果を先に指定してください（成果 {} と {}）",
                a.0, b.0
            )));
        }
        let kept = match decision.resolution {
            Resolution::Same { kept } if kept != a && kept != b => {
                return Err(StoreError::Invalid(format!(
                    "残す成果 {} は、成果 {} と {} のどちらでもありません",
                    kept.0, a.0, b.0
                )));
            }
            Resolution::Same { kept } => Some(kept.0),
            Resolution::Distinct => None,
        };
        let reason = decision.reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid(
                "重複の判断には理由を記入してください".to_owned(),
            ));
        }
        check_text("理由（reason）", reason, true)?;
        self.require_plan(plan_id).await?;
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Actuals).await?;
        self.lock_achievements(&mut tx).await?;
        for id in [a, b] {
            let found = sqlx::query("SELECT 1 FROM achievements WHERE id = $1 AND plan_id = $2")
                .bind(id.0)
                .bind(plan_id)
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                rollback(tx).await?;
                return Err(StoreError::NotFound(format!(
                    "計画「{plan_id}」の成果 {}",
                    id.0
                )));
            }
        }
        let previous = sqlx::query(concat!(
            "SELECT ",
            decision_columns!(),
            " FROM duplicate_decisions WHERE plan_id = $1 AND a = $2 AND b = $3
             ORDER BY id DESC LIMIT 1"
        ))
        .bind(plan_id)
        .bind(a.0)
        .bind(b.0)
        .fetch_optional(&mut *tx)
        .await?
        .as_ref()
        .map(decision_row)
        .transpose()?;
        let stored = DuplicateDecision {
            a,
            b,
            resolution: decision.resolution.clone(),
            reason: reason.to_owned(),
        };
        sqlx::query(
            "INSERT INTO duplicate_decisions
                 (plan_id, a, b, decision, kept, reason, decided_by, decided_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(plan_id)
        .bind(a.0)
        .bind(b.0)
        .bind(if kept.is_some() { "same" } else { "distinct" })
        .bind(kept)
        .bind(reason)
        .bind(actor)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let subject = format!("{plan_id}/{}/{}", a.0, b.0);
        let describe = |d: &RecordedDecision| {
            serde_json::json!({
                "resolution": d.decision.resolution,
                "reason": d.decision.reason,
                "decided_by": d.decided_by,
                "decided_at": d.decided_at,
            })
            .to_string()
        };
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "duplicate.decide",
                subject: &subject,
                old_value: previous.as_ref().map(describe),
                new_value: Some(
                    serde_json::json!({ "resolution": stored.resolution, "reason": reason })
                        .to_string(),
                ),
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The current decision on each decided pair of plan `plan_id`, ordered by pair.
    pub async fn duplicate_decisions(
        &self,
        plan_id: &str,
    ) -> Result<Vec<DuplicateDecision>, StoreError> {
        self.require_plan(plan_id).await?;
        self.decisions_of(plan_id).await
    }

    /// [`Store::duplicate_decisions`] of a plan known to exist.
    async fn decisions_of(&self, plan_id: &str) -> Result<Vec<DuplicateDecision>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            decision_columns!(),
            " FROM duplicate_decisions
             WHERE id IN (SELECT MAX(id) FROM duplicate_decisions WHERE plan_id = $1
                          GROUP BY a, b)
             ORDER BY a, b"
        ))
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| decision_row(row).map(|d| d.decision))
            .collect()
    }

    /// Every decision on the pair (`a`, `b`) of plan `plan_id`, oldest first; the last one
    /// stands.
    pub async fn duplicate_decision_history(
        &self,
        plan_id: &str,
        a: AchievementId,
        b: AchievementId,
    ) -> Result<Vec<RecordedDecision>, StoreError> {
        self.require_plan(plan_id).await?;
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let rows = sqlx::query(concat!(
            "SELECT ",
            decision_columns!(),
            " FROM duplicate_decisions WHERE plan_id = $1 AND a = $2 AND b = $3 ORDER BY id"
        ))
        .bind(plan_id)
        .bind(a.0)
        .bind(b.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decision_row).collect()
    }

    /// Whether plan `plan_id` exists (else [`StoreError::NotFound`]) and has any achievement or
    /// an indicator counted from them:
    /// one query, in place of the plain existence check of a plan.
    pub(crate) async fn plan_has_achievements(&self, plan_id: &str) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT
                 CAST(CASE WHEN EXISTS (SELECT 1 FROM plan_versions WHERE plan_id = $1)
                      THEN 1 ELSE 0 END AS BIGINT),
                 CAST(CASE WHEN EXISTS (SELECT 1 FROM achievements WHERE plan_id = $1)
                      -- A plan with an indicator counted from achievements is folded even
                      -- before its first achievement: its typed values never count (the
                      -- document is the serde_json of the plan, written without spaces).
                      OR EXISTS (SELECT 1 FROM plan_versions WHERE plan_id = $1
                                 AND document LIKE '%\"counted_from\":\"achievements\"%')
                      THEN 1 ELSE 0 END AS BIGINT)",
        )
        .bind(plan_id)
        .fetch_one(&self.pool)
        .await?;
        let (plan, achievements): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
        if plan == 0 {
            return Err(StoreError::NotFound(format!("計画「{plan_id}」")));
        }
        Ok(achievements != 0)
    }

    /// Folds the counts derived from the achievements of plan `plan_id` into `actuals`, with
    /// their warnings: approved achievements only when `approved` (as evaluations see them),
    /// otherwise every achievement as it currently stands (as [`crate::Visibility::All`] sees
    /// typed values, drafts included).
    pub(crate) async fn fold_achievements(
        &self,
        plan_id: &str,
        approved: bool,
        actuals: &mut Actuals,
    ) -> Result<(), StoreError> {
        let Some(plan) = self.plan(plan_id).await? else {
            return Err(StoreError::NotFound(format!("計画「{plan_id}」")));
        };
        let filter = AchievementFilter {
            approved_only: approved,
            ..AchievementFilter::default()
        };
        let items = self.achievements_of(plan_id, &filter).await?;
        let decisions = self.decisions_of(plan_id).await?;
        let counts: fn(ActualState) -> bool = if approved {
            ActualState::is_approved
        } else {
            |_| true
        };
        pdca_core::achievements::apply(&plan, actuals, &items, &decisions, counts);
        Ok(())
    }

    /// On PostgreSQL, makes achievement writers wait for each other (after the table lock of
    /// [`WriteScope::Actuals`]), so that versions and ids follow commit order. SQLite writers
    /// are serialised by `BEGIN IMMEDIATE` already.
    async fn lock_achievements(
        &self,
        tx: &mut Transaction<'static, Any>,
    ) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::query(
                "LOCK TABLE achievements, achievement_revisions, duplicate_decisions
                 IN SHARE ROW EXCLUSIVE MODE",
            )
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

/// Refuses what breaks the store's rules, naming the change (counting from 1).
fn check_changes(plan: &Plan, changes: &[AchievementChange]) -> Result<(), StoreError> {
    let bodies: HashSet<&str> = plan.bodies.iter().map(|b| b.id.as_str()).collect();
    let mut ids: HashMap<AchievementId, usize> = HashMap::new();
    for (i, change) in changes.iter().enumerate() {
        let refuse =
            |problem: String| StoreError::Invalid(format!("{}件目の成果: {problem}", i + 1));
        let f = &change.fields;
        let Some(indicator) = plan.indicator(&f.indicator) else {
            return Err(refuse(format!(
                "指標「{}」は計画「{}」にありません",
                f.indicator, plan.id
            )));
        };
        // What the counting rules would leave out (`pdca_core::achievements::derive`).
        if let Some(parent) = &indicator.parent {
            return Err(refuse(format!(
                "指標「{}」は内数（うち…）です。成果は親指標「{parent}」に記録し、区分に「{}」と書いてください",
                indicator.id,
                indicator.achievement_tag().unwrap_or_default()
            )));
        }
        if indicator.measure != Measure::Count {
            return Err(refuse(format!(
                "指標「{}」は件数の指標ではないため、成果を記録できません",
                indicator.id
            )));
        }
        if !bodies.contains(f.body.as_str()) {
            return Err(refuse(format!(
                "報告機関「{}」は計画「{}」にありません",
                f.body, plan.id
            )));
        }
        if f.title.trim().is_empty() {
            return Err(refuse("成果名がありません".to_owned()));
        }
        let single = [
            ("成果名", Some(&f.title)),
            ("課題番号", f.project_code.as_ref()),
            ("実施機関", f.institution.as_ref()),
            ("日付", f.date.as_ref()),
            ("URL", f.url.as_ref()),
        ];
        for (field, text) in single {
            check_text(field, text.map_or("", String::as_str), false)
                .map_err(|e| refuse(e.to_string()))?;
        }
        for tag in &f.tags {
            check_text("区分", tag, false).map_err(|e| refuse(e.to_string()))?;
        }
        check_text("備考", f.note.as_deref().unwrap_or_default(), true)
            .map_err(|e| refuse(e.to_string()))?;
        match (change.id, change.expected_version) {
            (Some(id), Some(_)) => {
                if let Some(first) = ids.insert(id, i) {
                    return Err(refuse(format!(
                        "成果 {} は{}件目でも変更されています（一度に一つの変更にしてください）",
                        id.0,
                        first + 1
                    )));
                }
            }
            (Some(id), None) => {
                return Err(refuse(format!(
                    "成果 {} を変更するには、読み込んだ版を指定してください",
                    id.0
                )));
            }
            (None, Some(_)) => {
                return Err(refuse(
                    "新しい成果に版が指定されています（版は既存の成果の変更にだけ指定します）"
                        .to_owned(),
                ));
            }
            (None, None) => {}
        }
    }
    Ok(())
}

/// Refuses control characters in `text` (line breaks allowed when `multi_line`).
fn check_text(field: &str, text: &str, multi_line: bool) -> Result<(), StoreError> {
    let kind = if multi_line {
        TextKind::MultiLine
    } else {
        TextKind::SingleLine
    };
    check_controls(field, text, kind)
        .map_err(pdca_core::follow_up::RoundError::from)
        .map_err(StoreError::from)
}

/// The current revision of achievement `id` of plan `plan_id`, inside a write transaction.
async fn current_revision(
    tx: &mut Transaction<'static, Any>,
    plan_id: &str,
    id: AchievementId,
) -> Result<Option<(AchievementId, AchievementRevision)>, StoreError> {
    sqlx::query(CURRENT_REVISION)
        .bind(plan_id)
        .bind(id.0)
        .fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(revision_row)
        .transpose()
}

/// Writes one revision.
#[allow(clippy::too_many_arguments)] // one row's columns
async fn insert_revision(
    tx: &mut Transaction<'static, Any>,
    plan_id: &str,
    id: AchievementId,
    version: i64,
    fields: &AchievementFields,
    state: ActualState,
    actor: &str,
    at: &str,
    comment: Option<&str>,
) -> Result<(), StoreError> {
    let tags = serde_json::to_string(&fields.tags)?;
    sqlx::query(INSERT_REVISION)
        .bind(plan_id)
        .bind(id.0)
        .bind(version)
        .bind(state.as_str())
        .bind(actor)
        .bind(at)
        .bind(comment)
        .bind(fields.indicator.as_str())
        .bind(fields.year.year())
        .bind(fields.body.as_str())
        .bind(fields.project_code.as_deref())
        .bind(fields.title.as_str())
        .bind(fields.institution.as_deref())
        .bind(fields.date.as_deref())
        .bind(tags)
        .bind(i32::from(fields.public))
        .bind(i32::from(fields.notable))
        .bind(fields.url.as_deref())
        .bind(fields.note.as_deref())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A row of [`revision_columns!`].
fn revision_row(row: &AnyRow) -> Result<(AchievementId, AchievementRevision), StoreError> {
    let id = AchievementId(row.try_get(0)?);
    let tags: String = row.try_get(9)?;
    let tags: Vec<String> = serde_json::from_str(&tags)
        .map_err(|e| StoreError::Corrupt(format!("成果 {} の区分「{tags}」: {e}", id.0)))?;
    let flag = |at: usize| -> Result<bool, StoreError> { Ok(row.try_get::<i64, _>(at)? != 0) };
    let fields = AchievementFields {
        indicator: row.try_get(2)?,
        year: fiscal_year(row.try_get(3)?)?,
        body: row.try_get(4)?,
        project_code: row.try_get(5)?,
        title: row.try_get(6)?,
        institution: row.try_get(7)?,
        date: row.try_get(8)?,
        tags,
        public: flag(10)?,
        notable: flag(11)?,
        url: row.try_get(12)?,
        note: row.try_get(13)?,
    };
    Ok((
        id,
        AchievementRevision {
            version: row.try_get(1)?,
            fields,
            state: row
                .try_get::<String, _>(14)?
                .parse()
                .map_err(StoreError::Corrupt)?,
            recorded_by: row.try_get(15)?,
            recorded_at: row.try_get(16)?,
            comment: row.try_get(17)?,
        },
    ))
}

/// A row of [`decision_columns!`].
fn decision_row(row: &AnyRow) -> Result<RecordedDecision, StoreError> {
    let (a, b) = (
        AchievementId(row.try_get(0)?),
        AchievementId(row.try_get(1)?),
    );
    let decision: String = row.try_get(2)?;
    let kept: Option<i64> = row.try_get(3)?;
    let resolution = match (decision.as_str(), kept) {
        ("same", Some(kept)) => Resolution::Same {
            kept: AchievementId(kept),
        },
        ("distinct", None) => Resolution::Distinct,
        _ => {
            return Err(StoreError::Corrupt(format!(
                "成果 {} と {} の重複の判断「{decision}」",
                a.0, b.0
            )));
        }
    };
    Ok(RecordedDecision {
        decision: DuplicateDecision {
            a,
            b,
            resolution,
            reason: row.try_get(4)?,
        },
        decided_by: row.try_get(5)?,
        decided_at: row.try_get(6)?,
    })
}
