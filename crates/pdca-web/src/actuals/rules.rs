//! The rules of entering values, shared by the entry form, the upload and the JSON API: who
//! may edit what, which states may still change, checking typed values with the same rules as
//! `pdca actuals import`, and saving a draft against the version read.

use pdca_core::access::{ActualState, Role};
use pdca_core::import::{Field, ImportedActual, Layout, RawRow, validate_rows};
use pdca_core::plan::Indicator;
use pdca_core::{ActualValue, FiscalYear, Plan};
use pdca_store::{NewActual, StoreError, Visibility};

use crate::frame::auth::CurrentUser;
use crate::{AppState, WebError};
use pdca_app::json::format_number;

/// The values typed for one indicator.
#[derive(Debug, Clone, Default)]
pub(crate) struct TypedValue {
    pub indicator: String,
    pub value: String,
    pub numerator: String,
    pub denominator: String,
    pub note: String,
    pub source: String,
}

impl TypedValue {
    /// Whether no value was typed (note and source alone are not a value).
    pub fn is_blank(&self) -> bool {
        self.value.trim().is_empty()
            && self.numerator.trim().is_empty()
            && self.denominator.trim().is_empty()
    }
}

/// A problem with one typed value: its position in the batch, the field to blame
/// (`value`, `numerator`, `denominator`, `fiscal_year`, `body`, …) and the message.
#[derive(Debug, Clone)]
pub(crate) struct FieldError {
    pub index: usize,
    pub field: &'static str,
    pub message: String,
}

/// Checks `typed` for `fy_text` and `body` with the import's rules (normalisation, negative
/// counts, numerator above denominator, a sub-target above its parent, years outside the
/// plan) against the current values of every state. Returns the validated values in the order
/// given, or every error.
pub(crate) async fn validate_typed(
    state: &AppState,
    plan: &Plan,
    fy_text: &str,
    body: &str,
    typed: &[TypedValue],
) -> Result<Result<Vec<ImportedActual>, Vec<FieldError>>, WebError> {
    let headers: Vec<String> = Field::ALL.iter().map(|f| f.name().to_owned()).collect();
    let layout = Layout::from_headers(&headers, 1)
        .map_err(|_| WebError::Internal("the entry layout is refused".to_owned()))?;
    let rows: Vec<RawRow> = typed
        .iter()
        .enumerate()
        .map(|(i, t)| {
            RawRow::new(
                i + 2,
                [
                    t.indicator.as_str(),
                    fy_text,
                    t.value.as_str(),
                    t.numerator.as_str(),
                    t.denominator.as_str(),
                    body,
                    t.note.as_str(),
                    t.source.as_str(),
                ],
            )
        })
        .collect();
    let current = state.store.actuals_as(&plan.id, Visibility::All).await?;
    Ok(
        validate_rows(plan, &layout, &rows, &current).map_err(|errors| {
            errors
                .into_iter()
                .map(|e| FieldError {
                    index: e.row.saturating_sub(2),
                    field: e
                        .cell
                        .as_ref()
                        .and_then(|c| Field::from_header(&c.header))
                        .map_or("value", Field::name),
                    message: e.message,
                })
                .collect()
        }),
    )
}

/// Refuses unless `user` may enter values of `indicator` for `body`: the secretariat for any
/// assigned body, a body user only for its own body, nobody else.
pub(crate) fn check_may_edit(
    user: &CurrentUser,
    indicator: &Indicator,
    body: &str,
) -> Result<(), WebError> {
    let assigned = indicator.assignments.iter().any(|a| a.body == body);
    match user.role() {
        Role::Secretariat if assigned => Ok(()),
        Role::Body if assigned && user.user.body.as_deref() == Some(body) => Ok(()),
        _ => Err(WebError::Forbidden),
    }
}

/// Whether a value in `state` (None: not reported yet) may still be changed by `role`.
pub(crate) fn editable(role: Role, state: Option<ActualState>) -> bool {
    match role {
        Role::Secretariat => state != Some(ActualState::Locked),
        Role::Body => matches!(
            state,
            None | Some(ActualState::Draft | ActualState::Returned)
        ),
        _ => false,
    }
}

/// Saves `value` as a draft if the current version is still `expected`.
pub(crate) async fn save_draft(
    state: &AppState,
    plan_id: &str,
    value: ImportedActual,
    expected: Option<i64>,
    actor: &str,
) -> Result<i64, StoreError> {
    let actual = NewActual {
        contribution: value.contribution,
        note: value.note,
        source: value.source,
        state: ActualState::Draft,
    };
    state
        .store
        .record_actual_if_current(plan_id, &actual, expected, actor)
        .await
}

/// A value as text: 25, 3/4, or the narrative.
pub(crate) fn value_text(value: &ActualValue) -> String {
    match value {
        ActualValue::Number(v) => format_number(*v),
        ActualValue::Ratio {
            numerator,
            denominator,
        } => format!(
            "{}/{}",
            format_number(*numerator),
            format_number(*denominator)
        ),
        ActualValue::Narrative(text) => text.clone(),
    }
}

/// The body a request acts for: a body user's own body (asking for another is refused), or
/// the one the secretariat names (else the plan's first body).
pub(crate) fn acting_body(
    user: &CurrentUser,
    plan: &Plan,
    asked: Option<&str>,
) -> Result<String, WebError> {
    let asked = asked.map(str::trim).filter(|b| !b.is_empty());
    match user.role() {
        Role::Body => {
            let own = user.user.body.clone().ok_or(WebError::Forbidden)?;
            match asked {
                Some(b) if b != own => Err(WebError::Forbidden),
                _ => Ok(own),
            }
        }
        Role::Secretariat => match asked {
            Some(b) => plan
                .body(b)
                .map(|b| b.id.clone())
                .ok_or_else(|| WebError::NotFound(format!("報告機関「{b}」"))),
            None => plan
                .bodies
                .first()
                .map(|b| b.id.clone())
                .ok_or_else(|| WebError::NotFound("報告機関".to_owned())),
        },
        _ => Err(WebError::Forbidden),
    }
}

/// `text` as a fiscal year inside the plan's period, or (when empty) the period's last year
/// up to the current one.
pub(crate) fn entry_year(text: Option<&str>, plan: &Plan) -> Result<FiscalYear, WebError> {
    let bad = |text: &str| WebError::BadRequest {
        param: "fy".to_owned(),
        message: format!(
            "「{text}」は計画期間 {}〜{} の年度として使えません（例: 2023、FY2023、令和5年度）",
            plan.period.start, plan.period.end
        ),
    };
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => {
            let fy: FiscalYear = text.parse().map_err(|_| bad(text))?;
            if plan.period.contains(fy) {
                Ok(fy)
            } else {
                Err(bad(text))
            }
        }
        None => {
            let this_year = time::OffsetDateTime::now_utc().year();
            Ok(plan
                .period
                .years()
                .filter(|fy| fy.year() < this_year)
                .last()
                .unwrap_or(plan.period.start))
        }
    }
}
