//! Plans: saving revisions, loading them with the edited reporting assignments applied, and
//! editing those assignments.

use std::collections::{HashMap, HashSet};

use pdca_core::plan::{Assignment, Plan};
use pdca_core::{FiscalYear, PlanHistory};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::audit::{self, Change};
use crate::{Backend, Store, StoreError, WriteScope, now, nullable_real, rollback};

/// A plan as a list of plans shows it: its current revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSummary {
    /// The plan's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The latest revision saved.
    pub revision: u32,
    /// First fiscal year of the period.
    pub start_fy: FiscalYear,
    /// Last fiscal year of the period.
    pub end_fy: FiscalYear,
}

/// What [`Store::save_plan`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    /// The plan was new; its assignments were taken from the plan.
    Created,
    /// A new revision was added; indicators new in it got the plan's assignments, the others
    /// kept their edited ones.
    NewRevision,
    /// The same revision was already saved with the same content; nothing was written.
    Unchanged,
}

/// The edited assignments of one plan, by indicator id.
#[derive(Debug, Default)]
struct AssignmentTable {
    /// The bodies that carry no share of their own.
    unshared: HashMap<String, Vec<String>>,
    /// The assignments with a share.
    shared: HashMap<String, Vec<Assignment>>,
}

impl Store {
    /// Every plan's current revision, ordered by id.
    pub async fn list_plans(&self) -> Result<Vec<PlanSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT plan_id, name, revision, start_fy, end_fy
             FROM plan_versions p
             WHERE revision = (SELECT MAX(revision) FROM plan_versions q WHERE q.plan_id = p.plan_id)",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut plans = rows
            .iter()
            .map(|row| {
                Ok(PlanSummary {
                    id: row.try_get(0)?,
                    name: row.try_get(1)?,
                    revision: revision_number(row.try_get(2)?)?,
                    start_fy: fiscal_year(row.try_get(3)?)?,
                    end_fy: fiscal_year(row.try_get(4)?)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        // By bytes on both databases (PostgreSQL's ORDER BY follows the database collation).
        plans.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(plans)
    }

    /// Saves `plan` as a revision, with the plan file's text when it came from one.
    ///
    /// A revision number not above the latest saved is refused
    /// ([`StoreError::PlanRevisionExists`]) unless the plan equals the saved revision of that
    /// number, which is [`SaveOutcome::Unchanged`] (so saving the same file twice is harmless).
    /// A new revision may not take effect before the previous one. One transaction.
    pub async fn save_plan(
        &self,
        plan: &Plan,
        source: Option<&str>,
        actor: &str,
    ) -> Result<SaveOutcome, StoreError> {
        let revision = i32::try_from(plan.revision)
            .map_err(|_| StoreError::Invalid(format!("版番号 {} が大きすぎます", plan.revision)))?;
        for (_, indicator) in plan.indicators() {
            for a in &indicator.assignments {
                if a.share.is_some_and(|s| !(s.is_finite() && s >= 0.0)) {
                    return Err(StoreError::Invalid(format!(
                        "指標「{}」の報告機関「{}」の分担（share）は0以上の数です",
                        indicator.id, a.body
                    )));
                }
            }
        }
        let document = serde_json::to_string(plan)?;
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Plans).await?;

        let latest = sqlx::query(
            "SELECT revision, effective_from FROM plan_versions
             WHERE plan_id = $1 ORDER BY revision DESC LIMIT 1",
        )
        .bind(&plan.id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|row| -> Result<(u32, FiscalYear), StoreError> {
            Ok((
                revision_number(row.try_get(0)?)?,
                fiscal_year(row.try_get(1)?)?,
            ))
        })
        .transpose()?;

        if let Some((latest_revision, latest_effective)) = latest {
            if plan.revision <= latest_revision {
                let saved = revision_document(&mut *tx, &plan.id, plan.revision).await?;
                rollback(tx).await?;
                return match saved {
                    Some(saved) if saved == *plan => Ok(SaveOutcome::Unchanged),
                    _ => Err(StoreError::PlanRevisionExists {
                        plan_id: plan.id.clone(),
                        revision: plan.revision,
                        latest: latest_revision,
                    }),
                };
            }
            if plan.effective_from < latest_effective {
                rollback(tx).await?;
                return Err(StoreError::Invalid(format!(
                    "計画「{}」の版 {} の適用年度 {} が、保存済みの版 {} の適用年度 {} より前です",
                    plan.id, plan.revision, plan.effective_from, latest_revision, latest_effective
                )));
            }
        }

        sqlx::query(
            "INSERT INTO plan_versions
                 (plan_id, revision, name, start_fy, end_fy, effective_from, document, source,
                  saved_at, saved_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&plan.id)
        .bind(revision)
        .bind(&plan.name)
        .bind(plan.period.start.year())
        .bind(plan.period.end.year())
        .bind(plan.effective_from.year())
        .bind(&document)
        .bind(source)
        .bind(&at)
        .bind(actor)
        .execute(&mut *tx)
        .await?;

        // Indicators that already have assignments keep them (they may have been edited);
        // the others, new in this revision, start with the plan's.
        let assigned: HashSet<String> =
            sqlx::query("SELECT DISTINCT indicator_id FROM assignments WHERE plan_id = $1")
                .bind(&plan.id)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| row.try_get(0))
                .collect::<Result<_, _>>()?;
        let mut seeded = 0_usize;
        for (_, indicator) in plan.indicators() {
            if assigned.contains(&indicator.id) {
                continue;
            }
            for assignment in &indicator.assignments {
                sqlx::query(
                    "INSERT INTO assignments (plan_id, indicator_id, body_id, share)
                     VALUES ($1, $2, $3, NULLIF($4, 'NaN'))
                     ON CONFLICT (plan_id, indicator_id, body_id) DO NOTHING",
                )
                .bind(&plan.id)
                .bind(&indicator.id)
                .bind(&assignment.body)
                .bind(nullable_real(assignment.share))
                .execute(&mut *tx)
                .await?;
                seeded += 1;
            }
        }

        let note = match (&plan.revision_note, seeded) {
            (Some(n), 0) => Some(n.clone()),
            (Some(n), s) => Some(format!("{n}（報告機関の割当て {s} 件を計画から設定）")),
            (None, 0) => None,
            (None, s) => Some(format!("報告機関の割当て {s} 件を計画から設定")),
        };
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: if latest.is_some() {
                    "plan.revise"
                } else {
                    "plan.create"
                },
                subject: &plan.id,
                old_value: latest.map(|(r, _)| r.to_string()),
                new_value: Some(plan.revision.to_string()),
                note: note.as_deref(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(if latest.is_some() {
            SaveOutcome::NewRevision
        } else {
            SaveOutcome::Created
        })
    }

    /// The current revision of plan `id`, with the edited assignments applied.
    pub async fn plan(&self, id: &str) -> Result<Option<Plan>, StoreError> {
        let row = sqlx::query(
            "SELECT document FROM plan_versions WHERE plan_id = $1
             ORDER BY revision DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut plan = document(&row)?;
        apply_assignments(&mut plan, &self.assignment_table(id).await?);
        Ok(Some(plan))
    }

    /// Revision `revision` of plan `id`, with the edited assignments applied to the indicators
    /// that have them.
    pub async fn plan_revision(&self, id: &str, revision: u32) -> Result<Option<Plan>, StoreError> {
        let Some(mut plan) = revision_document(&self.pool, id, revision).await? else {
            return Ok(None);
        };
        apply_assignments(&mut plan, &self.assignment_table(id).await?);
        Ok(Some(plan))
    }

    /// Every revision of plan `id`, oldest first, with the edited assignments applied.
    pub async fn plan_history(&self, id: &str) -> Result<Option<PlanHistory>, StoreError> {
        let mut versions = self.plan_documents(id).await?;
        if versions.is_empty() {
            return Ok(None);
        }
        let table = self.assignment_table(id).await?;
        for plan in &mut versions {
            apply_assignments(plan, &table);
        }
        PlanHistory::new(versions)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// The plan file text revision `revision` of plan `id` was saved from, if it was saved from
    /// a file.
    pub async fn plan_source(&self, id: &str, revision: u32) -> Result<Option<String>, StoreError> {
        let row =
            sqlx::query("SELECT source FROM plan_versions WHERE plan_id = $1 AND revision = $2")
                .bind(id)
                .bind(revision_param(revision)?)
                .fetch_optional(&self.pool)
                .await?;
        Ok(match row {
            Some(row) => row.try_get(0)?,
            None => None,
        })
    }

    /// Makes `body_id` a reporting body of `indicator_id` with `share` of its target (`None`
    /// when the body carries no share of its own), or changes its share. The plan's current
    /// revision must hold the indicator and the body. Audited with the old and new assignment;
    /// setting what is already there writes nothing.
    pub async fn set_assignment(
        &self,
        plan_id: &str,
        indicator_id: &str,
        body_id: &str,
        share: Option<f64>,
        actor: &str,
    ) -> Result<(), StoreError> {
        if let Some(s) = share.filter(|s| !(s.is_finite() && *s >= 0.0)) {
            return Err(StoreError::Invalid(format!(
                "分担（share）は0以上の数です（{s}）"
            )));
        }
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Plans).await?;
        let plan = current_document(&mut *tx, plan_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("計画「{plan_id}」")))?;
        if plan.indicator(indicator_id).is_none() {
            return Err(StoreError::NotFound(format!(
                "計画「{plan_id}」の指標「{indicator_id}」"
            )));
        }
        if plan.body(body_id).is_none() {
            return Err(StoreError::NotFound(format!(
                "計画「{plan_id}」の報告機関「{body_id}」"
            )));
        }
        let old = assignment_share(&mut *tx, plan_id, indicator_id, body_id).await?;
        if old == Some(share) {
            rollback(tx).await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO assignments (plan_id, indicator_id, body_id, share)
             VALUES ($1, $2, $3, NULLIF($4, 'NaN'))
             ON CONFLICT (plan_id, indicator_id, body_id) DO UPDATE SET share = excluded.share",
        )
        .bind(plan_id)
        .bind(indicator_id)
        .bind(body_id)
        .bind(nullable_real(share))
        .execute(&mut *tx)
        .await?;
        let subject = format!("{plan_id}/{indicator_id}/{body_id}");
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "assignment.set",
                subject: &subject,
                old_value: old.map(|s| assignment_json(body_id, s)).transpose()?,
                new_value: Some(assignment_json(body_id, share)?),
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stops `body_id` reporting `indicator_id`. An indicator keeps at least one reporting
    /// body: removing the last is refused. Audited.
    pub async fn remove_assignment(
        &self,
        plan_id: &str,
        indicator_id: &str,
        body_id: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        let at = now();
        let (mut tx, _changing) = self.begin_write(WriteScope::Plans).await?;
        if current_document(&mut *tx, plan_id).await?.is_none() {
            return Err(StoreError::NotFound(format!("計画「{plan_id}」")));
        }
        let Some(old) = assignment_share(&mut *tx, plan_id, indicator_id, body_id).await? else {
            return Err(StoreError::NotFound(format!(
                "計画「{plan_id}」の指標「{indicator_id}」への報告機関「{body_id}」の割当て"
            )));
        };
        let count: i64 = sqlx::query(
            "SELECT COUNT(*) FROM assignments WHERE plan_id = $1 AND indicator_id = $2",
        )
        .bind(plan_id)
        .bind(indicator_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        if count <= 1 {
            return Err(StoreError::Invalid(format!(
                "指標「{indicator_id}」の報告機関は「{body_id}」だけです。報告機関は1つ以上必要なので、別の報告機関を割り当ててから外してください"
            )));
        }
        sqlx::query(
            "DELETE FROM assignments WHERE plan_id = $1 AND indicator_id = $2 AND body_id = $3",
        )
        .bind(plan_id)
        .bind(indicator_id)
        .bind(body_id)
        .execute(&mut *tx)
        .await?;
        let subject = format!("{plan_id}/{indicator_id}/{body_id}");
        audit::record(
            &mut tx,
            &at,
            Change {
                actor,
                action: "assignment.remove",
                subject: &subject,
                old_value: Some(assignment_json(body_id, old)?),
                new_value: None,
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every saved revision of plan `id` as saved (assignments as in the plan file), oldest
    /// first.
    pub(crate) async fn plan_documents(&self, id: &str) -> Result<Vec<Plan>, StoreError> {
        sqlx::query("SELECT document FROM plan_versions WHERE plan_id = $1 ORDER BY revision")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(document)
            .collect()
    }

    /// Fails with [`StoreError::NotFound`] unless plan `id` has been saved.
    pub(crate) async fn require_plan(&self, id: &str) -> Result<(), StoreError> {
        let found = sqlx::query("SELECT 1 FROM plan_versions WHERE plan_id = $1 LIMIT 1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match found {
            Some(_) => Ok(()),
            None => Err(StoreError::NotFound(format!("計画「{id}」"))),
        }
    }

    /// The plan's edited assignments. A large plan has hundreds of thousands, and fetching them
    /// a row at a time was most of the time it took to load such a plan: the bodies that carry
    /// no share of their own, nearly all of them, come in one row as a JSON object of each
    /// indicator's bodies; the others row by row, their shares read as the numbers they are.
    async fn assignment_table(&self, plan_id: &str) -> Result<AssignmentTable, StoreError> {
        let unshared = match self.backend {
            Backend::Sqlite => {
                "SELECT json_group_object(indicator_id, json(bodies))
                 FROM (SELECT indicator_id, json_group_array(body_id) AS bodies
                       FROM assignments WHERE plan_id = $1 AND share IS NULL
                       GROUP BY indicator_id)"
            }
            Backend::Postgres => {
                "SELECT CAST(COALESCE(json_object_agg(indicator_id, bodies), '{}') AS TEXT)
                 FROM (SELECT indicator_id, json_agg(body_id) AS bodies
                       FROM assignments WHERE plan_id = $1 AND share IS NULL
                       GROUP BY indicator_id) AS unshared"
            }
        };
        let text: Option<String> = sqlx::query(unshared)
            .bind(plan_id)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        let mut table = AssignmentTable {
            unshared: match text {
                Some(text) => serde_json::from_str(&text)?,
                None => HashMap::new(),
            },
            shared: HashMap::new(),
        };
        let shared = sqlx::query(
            "SELECT indicator_id, body_id, share FROM assignments
             WHERE plan_id = $1 AND share IS NOT NULL",
        )
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await?;
        for row in &shared {
            table
                .shared
                .entry(row.try_get(0)?)
                .or_default()
                .push(Assignment {
                    body: row.try_get(1)?,
                    share: row.try_get(2)?,
                });
        }
        Ok(table)
    }
}

/// Replaces the assignments of every indicator that has rows in `table`. The plan's own order
/// is kept for the bodies it lists; bodies added since follow in the plan's body order.
fn apply_assignments(plan: &mut Plan, table: &AssignmentTable) {
    let body_order: HashMap<&str, usize> = plan
        .bodies
        .iter()
        .enumerate()
        .map(|(i, b)| (b.id.as_str(), i))
        .collect();
    for project in &mut plan.projects {
        for indicator in &mut project.indicators {
            let unshared = table.unshared.get(&indicator.id);
            let shared = table.shared.get(&indicator.id);
            let listed = &indicator.assignments;
            let unedited = match (unshared, shared) {
                (None, None) => true,
                // The bodies the plan lists, none with a share: what sorting them would give.
                (Some(bodies), None) => {
                    bodies.len() == listed.len()
                        && listed.iter().all(|l| l.share.is_none())
                        && bodies.iter().all(|b| listed.iter().any(|l| l.body == *b))
                }
                _ => false,
            };
            if unedited {
                continue;
            }
            let unshared = unshared.into_iter().flatten().map(|body| Assignment {
                body: body.clone(),
                share: None,
            });
            let rows: Vec<Assignment> = unshared
                .chain(shared.into_iter().flatten().cloned())
                .collect();
            let mut edited: Vec<((usize, usize), Assignment)> = rows
                .into_iter()
                .map(|a| {
                    let in_plan = listed.iter().position(|l| l.body == a.body);
                    let in_bodies = body_order.get(a.body.as_str()).copied();
                    (
                        (
                            in_plan.unwrap_or(usize::MAX),
                            in_bodies.unwrap_or(usize::MAX),
                        ),
                        a,
                    )
                })
                .collect();
            edited.sort_by(|(a_rank, a), (b_rank, b)| {
                a_rank.cmp(b_rank).then_with(|| a.body.cmp(&b.body))
            });
            let edited: Vec<Assignment> = edited.into_iter().map(|(_, a)| a).collect();
            indicator.assignments = edited;
        }
    }
}

async fn current_document<'e, E>(executor: E, id: &str) -> Result<Option<Plan>, StoreError>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "SELECT document FROM plan_versions WHERE plan_id = $1 ORDER BY revision DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(executor)
    .await?
    .as_ref()
    .map(document)
    .transpose()
}

async fn revision_document<'e, E>(
    executor: E,
    id: &str,
    revision: u32,
) -> Result<Option<Plan>, StoreError>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("SELECT document FROM plan_versions WHERE plan_id = $1 AND revision = $2")
        .bind(id)
        .bind(revision_param(revision)?)
        .fetch_optional(executor)
        .await?
        .as_ref()
        .map(document)
        .transpose()
}

/// `Some(share)` when `body_id` reports the indicator, `None` when it does not.
async fn assignment_share<'e, E>(
    executor: E,
    plan_id: &str,
    indicator_id: &str,
    body_id: &str,
) -> Result<Option<Option<f64>>, StoreError>
where
    E: Executor<'e, Database = Any>,
{
    let row = sqlx::query(
        "SELECT share FROM assignments
         WHERE plan_id = $1 AND indicator_id = $2 AND body_id = $3",
    )
    .bind(plan_id)
    .bind(indicator_id)
    .bind(body_id)
    .fetch_optional(executor)
    .await?;
    Ok(match row {
        Some(row) => Some(row.try_get(0)?),
        None => None,
    })
}

fn document(row: &AnyRow) -> Result<Plan, StoreError> {
    let text: String = row.try_get(0)?;
    Ok(serde_json::from_str(&text)?)
}

fn assignment_json(body: &str, share: Option<f64>) -> Result<String, StoreError> {
    Ok(serde_json::to_string(&Assignment {
        body: body.to_owned(),
        share,
    })?)
}

fn revision_param(revision: u32) -> Result<i32, StoreError> {
    i32::try_from(revision)
        .map_err(|_| StoreError::Invalid(format!("版番号 {revision} が大きすぎます")))
}

fn revision_number(stored: i64) -> Result<u32, StoreError> {
    u32::try_from(stored).map_err(|_| StoreError::Corrupt(format!("版番号 {stored}")))
}

pub(crate) fn fiscal_year(stored: i64) -> Result<FiscalYear, StoreError> {
    i32::try_from(stored)
        .ok()
        .and_then(|y| FiscalYear::new(y).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("年度 {stored}")))
}
