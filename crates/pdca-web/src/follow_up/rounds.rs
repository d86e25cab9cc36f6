//! The rounds of a plan: listing them, opening one, and the rules of who may read a round and
//! who may add which item ([`may_read`], [`readable_meetings`], [`may_add`]), for the pages and
//! the API alike.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use pdca_core::access::Role;
use pdca_core::follow_up::{
    FollowUpRound, ItemKind, Link, LinkKind, Meeting, NewItem, RoundError, RoundState,
    default_schedule, parse_date,
};
use pdca_core::{FiscalYear, Plan};
use pdca_store::StoreError;
use serde::Deserialize;

use super::round_page::Done;
use crate::frame::auth::{CurrentUser, Permitted, who};
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{AppForm, AppQuery, Chrome, Here, choose_plan, parse_fy, refused};
use crate::{AppState, WebError};
use pdca_app::follow_up::rating_matrix;

// ---------------------------------------------------------------------------------------------
// Who may do what

/// Viewers read closed rounds only; every other role reads every round.
pub(crate) fn may_read(user: &CurrentUser, round: &FollowUpRound) -> Result<(), WebError> {
    if user.role() == Role::Viewer && round.state != RoundState::Closed {
        return Err(WebError::Forbidden);
    }
    Ok(())
}

/// The meetings of the plan the user may read, by date: every meeting, but for a viewer only
/// those of the rounds it may read (closed ones). A meeting of no round is not a closed
/// round's, so a viewer does not see it either: its agenda and files may not be public yet.
pub(crate) async fn readable_meetings(
    state: &AppState,
    user: &CurrentUser,
    plan_id: &str,
) -> Result<Vec<Meeting>, WebError> {
    let meetings = state.store.meetings(plan_id).await?;
    if user.role() != Role::Viewer {
        return Ok(meetings);
    }
    let readable: Vec<FiscalYear> = state
        .store
        .rounds(plan_id)
        .await?
        .iter()
        .filter(|r| may_read(user, r).is_ok())
        .map(|r| r.fiscal_year)
        .collect();
    Ok(meetings
        .into_iter()
        .filter(|m| m.fiscal_year.is_some_and(|fy| readable.contains(&fy)))
        .collect())
}

/// Who adds which item: the secretariat everything; committee members notable results,
/// priority items and opinions; a body its own priority measures and clause statuses, about
/// its own indicators only. A body's item without a body is taken as its own.
pub(crate) fn may_add(
    user: &CurrentUser,
    plan: &Plan,
    kind: ItemKind,
    item: &mut NewItem,
) -> Result<(), WebError> {
    match (user.role(), kind) {
        (Role::Secretariat, _) => Ok(()),
        (Role::Committee, ItemKind::NotableResult | ItemKind::PriorityItem | ItemKind::Opinion) => {
            Ok(())
        }
        (Role::Body, ItemKind::PriorityMeasure | ItemKind::ClauseStatus) => {
            let own = user.user.body.clone().ok_or(WebError::Forbidden)?;
            match &item.body_id {
                None => item.body_id = Some(own.clone()),
                Some(body) if *body == own => {}
                Some(_) => return Err(WebError::Forbidden),
            }
            let foreign = item.links.iter().any(|l| {
                l.kind == LinkKind::Indicator
                    && plan
                        .indicator(&l.id)
                        .is_none_or(|i| !i.assignments.iter().any(|a| a.body == own))
            });
            if foreign {
                return Err(WebError::Forbidden);
            }
            Ok(())
        }
        _ => Err(WebError::Forbidden),
    }
}

/// Whether the user may add items of `kind` at all (which forms the page shows).
pub(crate) fn shows_form(role: Role, kind: ItemKind) -> bool {
    match role {
        Role::Secretariat => true,
        Role::Committee => matches!(
            kind,
            ItemKind::NotableResult | ItemKind::PriorityItem | ItemKind::Opinion
        ),
        Role::Body => matches!(kind, ItemKind::PriorityMeasure | ItemKind::ClauseStatus),
        Role::Viewer => false,
    }
}

/// A store error a person can act on, as a message for the page; other errors pass through.
pub(crate) fn refusal(error: StoreError) -> Result<String, WebError> {
    match error {
        StoreError::Round(e) => Ok(e.to_string()),
        StoreError::Invalid(m) => Ok(m),
        StoreError::NotFound(what) => Ok(format!("{what}が見つかりません")),
        other => Err(other.into()),
    }
}

/// What every form posted to a round checks once its role has been (by [`Permitted`], before
/// the body was read), in this order: the session's token, the year in the path, the plan named.
pub(crate) async fn checked_form(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    fy: &str,
    plan: &Option<String>,
) -> Result<(FiscalYear, Plan), WebError> {
    user.check_csrf(csrf)?;
    let fy = parse_fy(fy)?;
    let plan = choose_plan(&state.store, plan.as_deref()).await?;
    Ok((fy, plan))
}

/// Links as a form posts them: ids and `#n`, chosen from the lists (one `links` field each,
/// joined by spaces) or typed, separated by spaces or commas.
pub(crate) fn parse_links(text: &str, plan: &Plan) -> Result<Vec<Link>, RoundError> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '、' || c == '，')
        .filter(|t| !t.is_empty())
        .map(|t| Link::parse(t, plan))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The list of rounds

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PlanOnly {
    pub(crate) plan: Option<String>,
}

pub(crate) struct RoundRow {
    fy: i32,
    fy_label: String,
    state: &'static str,
    deadline: String,
}

pub(crate) struct MatrixRow {
    id: String,
    name: String,
    ratings: Vec<String>,
}

#[derive(Template)]
#[template(path = "follow_up/rounds.html")]
pub(crate) struct RoundsPage {
    c: Chrome,
    title: &'static str,
    plan_id: String,
    plan_name: String,
    rounds: Vec<RoundRow>,
    can_open: bool,
    default_fy: String,
    error: Option<String>,
    matrix_years: Vec<String>,
    matrix_counts: Vec<String>,
    matrix: Vec<MatrixRow>,
}

pub(crate) async fn render_rounds(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    plan: Option<&str>,
    error: Option<String>,
) -> Result<RoundsPage, WebError> {
    let plan = choose_plan(&state.store, plan).await?;
    let rounds: Vec<FollowUpRound> = state
        .store
        .rounds(&plan.id)
        .await?
        .into_iter()
        .filter(|r| may_read(user, r).is_ok())
        .collect();
    let mut history = Vec::new();
    for round in &rounds {
        history.push((
            round.fiscal_year,
            state
                .store
                .round_ratings(&plan.id, round.fiscal_year)
                .await?,
        ));
    }
    let matrix = rating_matrix(&plan, &history);
    let t = lang.text();
    let next_fy = rounds
        .last()
        .map_or(plan.period.start, |r| r.fiscal_year.next());
    Ok(RoundsPage {
        c: Chrome::new(lang, Some(user), here),
        title: t.rounds_title,
        plan_id: plan.id.clone(),
        plan_name: plan.name.clone(),
        rounds: rounds
            .iter()
            .map(|r| RoundRow {
                fy: r.fiscal_year.year(),
                fy_label: i18n::fiscal_year(lang, r.fiscal_year),
                state: i18n::round_state_label(lang, r.state),
                deadline: i18n::date(lang, r.deadline),
            })
            .collect(),
        can_open: user.role() == Role::Secretariat,
        default_fy: next_fy.year().to_string(),
        error,
        matrix_years: history
            .iter()
            .map(|(fy, _)| i18n::fiscal_year(lang, *fy))
            .collect(),
        matrix_counts: matrix["years"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|y| {
                y["counts"]["sentence"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect(),
        matrix: matrix["indicators"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|row| MatrixRow {
                id: row["id"].as_str().unwrap_or_default().to_owned(),
                name: row["name"].as_str().unwrap_or_default().to_owned(),
                ratings: row["ratings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| r.as_str().unwrap_or("ー").to_owned())
                    .collect(),
            })
            .collect(),
    })
}

/// `GET /rounds[?plan=]`: the plan's rounds, the ratings over the period, and (secretariat)
/// the form opening the next round.
pub(crate) async fn rounds_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<PlanOnly>,
) -> Result<Html<String>, WebError> {
    let page = render_rounds(&state, &user, lang, &here, query.plan.as_deref(), None).await?;
    Ok(Html(page.render()?))
}

#[derive(Debug, Deserialize)]
pub(crate) struct OpenForm {
    #[serde(default)]
    csrf: String,
    plan: Option<String>,
    #[serde(default)]
    fy: String,
    #[serde(default)]
    deadline: String,
}

/// `POST /rounds`: `fy`, `deadline` (optional). Secretariat only.
pub(crate) async fn open_round(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppForm(form): AppForm<OpenForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let plan = choose_plan(&state.store, form.plan.as_deref()).await?;
    let fy = parse_fy(&form.fy)?;
    let deadline = match form.deadline.trim() {
        "" => Ok(default_schedule(fy).deadline),
        text => parse_date(text),
    };
    let result = match deadline {
        Ok(deadline) => state
            .store
            .open_round(&plan, fy, deadline, &user.user.name)
            .await
            .map_err(refusal),
        Err(e) => Err(Ok(e.to_string())),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&Done::new("opened", "").href(&plan.id, fy)).into_response()),
        Err(message) => {
            let page =
                render_rounds(&state, &user, lang, &here, Some(&plan.id), Some(message?)).await?;
            Ok(refused(page.render()?))
        }
    }
}
