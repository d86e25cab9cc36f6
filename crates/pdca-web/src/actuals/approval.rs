//! Approval by the secretariat: the values bodies have submitted, old → new, approved or
//! returned with a comment, one by one or all at once, each against the version read, with
//! the previous year's value and the target to judge each by. Approving everything shown and
//! locking a year go through a confirmation that states how many values they concern.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use pdca_core::access::{ActualState, Role};
use pdca_core::{ActualValue, FiscalYear};
use pdca_store::{StoreError, Visibility};
use serde::Deserialize;

use crate::actuals::rules::value_text;
use crate::frame::auth::{CurrentUser, Permitted, who};
use crate::frame::confirm::{Confirmation, is_confirmed};
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{
    AppForm, AppQuery, Chrome, Here, choose_plan, encode_query, parse_fy, parse_optional_fy,
    refused,
};
use crate::{AppState, WebError};
use pdca_app::json::target_text;

/// The routes of this module.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/approval", get(approval_page).post(decide))
        .route("/approval/lock", post(lock))
}

#[derive(Debug, Default, Deserialize)]
struct ApprovalQuery {
    plan: Option<String>,
    fy: Option<String>,
    done: Option<String>,
    n: Option<u64>,
}

/// What the page says about the last action.
enum Feedback {
    /// Done (or nothing to say).
    Message(Option<String>),
    /// Refused, and why.
    Error(String),
}

struct Pending {
    /// `indicator|year|body|version`, what the forms send back.
    item: String,
    n: usize,
    indicator: String,
    indicator_name: String,
    fy: String,
    body: String,
    old: String,
    new: String,
    /// The body's value of the year before (approved), with its unit; empty when none.
    previous: String,
    /// The indicator's target as the plan writes it, with its unit.
    target: String,
    note: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "actuals/approval.html")]
struct ApprovalPage {
    c: Chrome,
    title: &'static str,
    plan_id: String,
    fy: String,
    /// The year selector: (value, label, selected); the first is every year.
    years: Vec<(String, String, bool)>,
    pending: Vec<Pending>,
    all_items: Vec<String>,
    message: Option<String>,
    error: Option<String>,
    /// The button locking the year shown, when one is chosen.
    lock_button: Option<String>,
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    plan: Option<&str>,
    fy: Option<&str>,
    feedback: Feedback,
) -> Result<ApprovalPage, WebError> {
    let (message, error) = match feedback {
        Feedback::Message(m) => (m, None),
        Feedback::Error(e) => (None, Some(e)),
    };
    user.require(&[Role::Secretariat])?;
    let plan = choose_plan(&state.store, plan).await?;
    let fy = parse_optional_fy(fy)?;
    let approved: HashMap<(String, i32, String), ActualValue> = state
        .store
        .current_actuals_as(&plan.id, Visibility::Approved)
        .await?
        .into_iter()
        .map(|a| {
            (
                (
                    a.contribution.indicator.clone(),
                    a.contribution.year.year(),
                    a.contribution.body.clone(),
                ),
                a.contribution.value,
            )
        })
        .collect();
    let pending: Vec<Pending> = state
        .store
        .current_actuals_as(&plan.id, Visibility::All)
        .await?
        .into_iter()
        .filter(|a| a.state == ActualState::Submitted)
        .filter(|a| fy.is_none_or(|fy| a.contribution.year == fy))
        .enumerate()
        .map(|(n, a)| {
            let c = &a.contribution;
            let indicator = plan.indicator(&c.indicator);
            let unit = indicator.map_or("", |i| i.unit.as_str());
            let approved_of =
                |year: i32| approved.get(&(c.indicator.clone(), year, c.body.clone()));
            Pending {
                item: format!("{}|{}|{}|{}", c.indicator, c.year.year(), c.body, a.id),
                n,
                indicator_name: indicator.map_or_else(|| c.indicator.clone(), |i| i.name.clone()),
                indicator: c.indicator.clone(),
                fy: i18n::fiscal_year(lang, c.year),
                body: plan
                    .body(&c.body)
                    .map_or_else(|| c.body.clone(), |b| b.name.clone()),
                old: approved_of(c.year.year())
                    .map(|v| with_unit(v, unit))
                    .unwrap_or_default(),
                new: with_unit(&c.value, unit),
                previous: approved_of(c.year.year() - 1)
                    .map(|v| with_unit(v, unit))
                    .unwrap_or_default(),
                target: indicator.map(target_text).unwrap_or_default(),
                note: a.note.clone().unwrap_or_default(),
                by: a.recorded_by.clone(),
                at: i18n::date_time(lang, &a.recorded_at),
            }
        })
        .collect();
    let t = lang.text();
    Ok(ApprovalPage {
        c: Chrome::new(lang, Some(user), here),
        title: t.approval_title,
        plan_id: plan.id.clone(),
        fy: fy.map(|fy| fy.year().to_string()).unwrap_or_default(),
        // A year asked for outside the plan's period (values of an earlier year) is listed
        // too, so the selector shows the year the page and its lock button are about.
        years: std::iter::once((String::new(), t.approval_year_all.to_owned(), fy.is_none()))
            .chain(
                fy.filter(|fy| !plan.period.years().any(|y| y == *fy))
                    .into_iter()
                    .chain(plan.period.years())
                    .map(|y| {
                        (
                            y.year().to_string(),
                            i18n::fiscal_year(lang, y),
                            Some(y) == fy,
                        )
                    }),
            )
            .collect(),
        all_items: pending.iter().map(|p| p.item.clone()).collect(),
        pending,
        message,
        error,
        lock_button: fy.map(|fy| {
            t.approval_lock_button
                .replace("{fy}", &i18n::fiscal_year(lang, fy))
        }),
    })
}

/// A value with its unit when it is a number: 12件, 3/4, the narrative.
fn with_unit(value: &ActualValue, unit: &str) -> String {
    match value {
        ActualValue::Number(_) => format!("{}{unit}", value_text(value)),
        _ => value_text(value),
    }
}

/// `GET /approval[?fy=FY][&plan=ID]`: the submitted values awaiting a decision.
async fn approval_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<ApprovalQuery>,
) -> Result<Html<String>, WebError> {
    let t = lang.text();
    let message = match query.done.as_deref() {
        Some("approved") => Some(t.approval_done_approved.to_owned()),
        Some("returned") => Some(t.approval_done_returned.to_owned()),
        Some("locked") => Some(
            t.approval_done_locked
                .replace("{n}", &query.n.unwrap_or_default().to_string()),
        ),
        _ => None,
    };
    let page = render(
        &state,
        &user,
        lang,
        &here,
        query.plan.as_deref(),
        query.fy.as_deref(),
        Feedback::Message(message),
    )
    .await?;
    Ok(Html(page.render()?))
}

/// One value named by a form: indicator, year, body and the version read.
pub(crate) struct Item {
    pub indicator: String,
    pub fy: FiscalYear,
    pub body: String,
    pub version: i64,
}

fn parse_item(text: &str) -> Result<Item, WebError> {
    let bad = || WebError::BadRequest {
        param: "item".to_owned(),
        message: format!("「{text}」は承認する値として読めません"),
    };
    let mut parts = text.split('|');
    let (Some(indicator), Some(fy), Some(body), Some(version), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(bad());
    };
    Ok(Item {
        indicator: indicator.to_owned(),
        fy: fy.parse().map_err(|_| bad())?,
        body: body.to_owned(),
        version: version.parse().map_err(|_| bad())?,
    })
}

/// `POST /approval`: `action=approve|return`, `comment` (required to return), and one or more
/// `item=indicator|year|body|version`.
async fn decide(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppForm(pairs): AppForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    user.check_csrf(field("csrf").unwrap_or_default())?;
    let t = lang.text();
    let (plan_id, fy) = (field("plan"), field("fy"));
    let items = pairs
        .iter()
        .filter(|(k, _)| k == "item")
        .map(|(_, v)| parse_item(v))
        .collect::<Result<Vec<_>, _>>()?;
    let comment = field("comment").map(str::trim).filter(|c| !c.is_empty());
    let (to, done) = match field("action") {
        Some("approve") => (ActualState::Approved, "approved"),
        Some("return") => (ActualState::Returned, "returned"),
        _ => {
            return Err(WebError::BadRequest {
                param: "action".to_owned(),
                message: "action は approve か return にしてください".to_owned(),
            });
        }
    };
    let error = if to == ActualState::Returned && comment.is_none() {
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            t.approval_comment_required.to_owned(),
        ))
    } else if items.is_empty() {
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            t.approval_nothing_chosen.to_owned(),
        ))
    } else {
        None
    };
    let plan = choose_plan(&state.store, plan_id).await?;
    let mut error = error;
    let all = field("all") == Some("1");
    if error.is_none() && all && to == ActualState::Approved && !is_confirmed(field("confirmed")) {
        let year = fy
            .filter(|f| !f.trim().is_empty())
            .and_then(|f| f.trim().parse::<FiscalYear>().ok())
            .map(|f| i18n::fiscal_year(lang, f));
        let back =
            encode_query([("plan", plan.id.as_str()), ("fy", fy.unwrap_or_default())].into_iter());
        let page = Confirmation {
            c: Chrome::new(lang, Some(&user), &here),
            title: t.approval_all_title.to_owned(),
            consequence: i18n::approval_all_consequence(lang, year.as_deref(), items.len()),
            details: vec![t.approval_all_detail.to_owned()],
            action: "/approval".to_owned(),
            fields: pairs
                .iter()
                .filter(|(k, _)| k != "confirmed")
                .cloned()
                .collect(),
            confirm_label: t.approval_approve_all.to_owned(),
            destructive: true,
            back_href: format!("/approval?{back}"),
        };
        return Ok(page.into_page()?);
    }
    if error.is_none() {
        for item in &items {
            match state
                .store
                .set_state(
                    &plan.id,
                    &item.indicator,
                    item.fy,
                    &item.body,
                    to,
                    comment,
                    Some(item.version),
                    &user.user.name,
                )
                .await
            {
                Ok(_) => {}
                Err(StoreError::Conflict { current, .. }) => {
                    let now = current
                        .as_ref()
                        .map(|c| {
                            format!(
                                "{} ({}, {})",
                                value_text(&c.contribution.value),
                                i18n::state_label(lang, c.state),
                                c.recorded_by
                            )
                        })
                        .unwrap_or_default();
                    error = Some((
                        StatusCode::CONFLICT,
                        format!(
                            "{} {} {} — {}: {now}",
                            t.entry_conflict,
                            item.indicator,
                            i18n::fiscal_year(lang, item.fy),
                            t.entry_current
                        ),
                    ));
                }
                Err(e @ StoreError::Invalid(_)) => {
                    error = Some((StatusCode::CONFLICT, e.to_string()));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    match error {
        None => {
            let query = encode_query(
                [
                    ("plan", plan.id.as_str()),
                    ("fy", fy.unwrap_or_default()),
                    ("done", done),
                ]
                .into_iter(),
            );
            Ok(Redirect::to(&format!("/approval?{query}")).into_response())
        }
        Some((status, message)) => {
            let page = render(
                &state,
                &user,
                lang,
                &here,
                Some(&plan.id),
                fy,
                Feedback::Error(message),
            )
            .await?;
            Ok((status, Html(page.render()?)).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
struct LockForm {
    #[serde(default)]
    csrf: String,
    plan: Option<String>,
    #[serde(default)]
    fy: String,
    confirmed: Option<String>,
}

/// `POST /approval/lock`: `plan`, `fy`. Locks every approved value of the year; refused
/// (422, with the store's message naming them) while any value of the year is pending.
async fn lock(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppForm(form): AppForm<LockForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let fy = parse_fy(&form.fy)?;
    let plan = choose_plan(&state.store, form.plan.as_deref()).await?;
    if !is_confirmed(form.confirmed.as_deref()) {
        let t = lang.text();
        let approved = state
            .store
            .current_actuals_as(&plan.id, Visibility::All)
            .await?
            .into_iter()
            .filter(|a| a.contribution.year == fy && a.state == ActualState::Approved)
            .count();
        let year = fy.year().to_string();
        let back = encode_query([("plan", plan.id.as_str()), ("fy", year.as_str())].into_iter());
        let page = Confirmation {
            c: Chrome::new(lang, Some(&user), &here),
            title: t.approval_lock_title.to_owned(),
            consequence: i18n::approval_lock_consequence(
                lang,
                &i18n::fiscal_year(lang, fy),
                approved,
            ),
            details: vec![t.approval_lock_detail.to_owned()],
            action: "/approval/lock".to_owned(),
            fields: vec![
                ("csrf".to_owned(), form.csrf.clone()),
                ("plan".to_owned(), plan.id.clone()),
                ("fy".to_owned(), year),
            ],
            confirm_label: t
                .approval_lock_button
                .replace("{fy}", &i18n::fiscal_year(lang, fy)),
            destructive: true,
            back_href: format!("/approval?{back}"),
        };
        return Ok(page.into_page()?);
    }
    match state.store.lock_year(&plan.id, fy, &user.user.name).await {
        Ok(n) => {
            let year = fy.year().to_string();
            let n = n.to_string();
            let query = encode_query(
                [
                    ("plan", plan.id.as_str()),
                    ("fy", year.as_str()),
                    ("done", "locked"),
                    ("n", n.as_str()),
                ]
                .into_iter(),
            );
            Ok(Redirect::to(&format!("/approval?{query}")).into_response())
        }
        Err(StoreError::Invalid(message)) => {
            let year = fy.year().to_string();
            let page = render(
                &state,
                &user,
                lang,
                &here,
                Some(&plan.id),
                Some(&year),
                Feedback::Error(message),
            )
            .await?;
            Ok(refused(page.render()?))
        }
        Err(e) => Err(e.into()),
    }
}
