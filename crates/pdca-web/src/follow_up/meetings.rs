//! The meetings of a round (adding one, its minutes and material files) and the downloads of the
//! round's report.

use axum::extract::State;
use axum::extract::multipart::Multipart;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use pdca_core::follow_up::parse_date;
use pdca_core::{FiscalYear, Plan};
use serde::Deserialize;

use super::round_page::{Done, after_form};
use super::rounds::{PlanOnly, checked_form, may_read, readable_meetings, refusal};
use crate::actuals::upload::{FormProblem, MAX_FILE_BYTES, read_form};
use crate::frame::auth::{CurrentUser, Permitted, who};
use crate::frame::etag::{self, Audience, Tagged};
use crate::frame::i18n::Lang;
use crate::frame::view::{AppForm, AppPath, AppQuery, Here, choose_plan, not_utf8, parse_fy};
use crate::{AppState, WebError};
use pdca_app::follow_up::RoundView;

#[derive(Debug, Deserialize)]
pub(crate) struct MeetingForm {
    #[serde(default)]
    csrf: String,
    plan: Option<String>,
    #[serde(default)]
    number: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    agenda: String,
    #[serde(default)]
    materials: String,
}

/// `POST /rounds/{fy}/meetings`: `number`, `kind` (1 or 2), `date`, `agenda` (one item per
/// line; drafted from the round when blank), `materials` (one `資料1:title` per line).
/// Secretariat.
pub(crate) async fn add_meeting(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppPath(fy): AppPath<String>,
    AppForm(form): AppForm<MeetingForm>,
) -> Result<Response, WebError> {
    let (fy, plan) = checked_form(&state, &user, &form.csrf, &fy, &form.plan).await?;
    let outcome = match new_meeting(&state, &plan, fy, &form).await? {
        Err(message) => Err(message),
        Ok(meeting) => match state.store.add_meeting(&meeting, &user.user.name).await {
            Ok(added) => Ok(Done::new("meeting", added.id.to_string())),
            Err(e) => Err(refusal(e)?),
        },
    };
    after_form(&state, &user, lang, &here, &plan.id, fy, outcome).await
}

pub(crate) async fn new_meeting(
    state: &AppState,
    plan: &Plan,
    fy: FiscalYear,
    form: &MeetingForm,
) -> Result<Result<pdca_store::NewMeeting, String>, WebError> {
    let number = match pdca_core::normalize::normalize_text(&form.number).parse::<u32>() {
        Ok(n) => n,
        Err(_) => {
            return Ok(Err(format!(
                "回数「{}」は数で書いてください（第35回なら 35）",
                form.number
            )));
        }
    };
    let kind = match pdca_core::follow_up::MeetingKind::parse(&form.kind) {
        Ok(k) => k,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let date = match parse_date(&form.date) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let mut materials = Vec::new();
    for line in form.materials.lines().filter(|l| !l.trim().is_empty()) {
        match pdca_core::follow_up::Material::parse(line) {
            Ok(m) => materials.push((m, None)),
            Err(e) => return Ok(Err(e.to_string())),
        }
    }
    let agenda: Vec<String> = form
        .agenda
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let agenda = if agenda.is_empty() {
        let items = state.store.round_items(&plan.id, Some(fy)).await?;
        pdca_core::follow_up::draft_agenda(kind, plan, fy, &items)
    } else {
        agenda
    };
    Ok(Ok(pdca_store::NewMeeting {
        plan_id: plan.id.clone(),
        fiscal_year: Some(fy),
        committee: plan
            .committee
            .clone()
            .unwrap_or_else(|| pdca_core::follow_up::DEFAULT_COMMITTEE.to_owned()),
        number,
        kind,
        date,
        agenda,
        materials,
    }))
}

#[derive(Debug, Deserialize)]
pub(crate) struct MinutesForm {
    #[serde(default)]
    csrf: String,
    plan: Option<String>,
    #[serde(default)]
    minutes: String,
}

/// `POST /rounds/{fy}/meetings/{id}/minutes`: `minutes`. Secretariat.
pub(crate) async fn record_minutes(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppPath((fy, id)): AppPath<(String, i64)>,
    AppForm(form): AppForm<MinutesForm>,
) -> Result<Response, WebError> {
    let (fy, plan) = checked_form(&state, &user, &form.csrf, &fy, &form.plan).await?;
    let minutes = pdca_core::normalize::normalize_text(&form.minutes);
    let outcome = if minutes.is_empty() {
        Err(lang.text().meeting_minutes_empty.to_owned())
    } else {
        match state
            .store
            .set_minutes(&plan.id, id, &form.minutes, &user.user.name)
            .await
        {
            Ok(()) => Ok(Done::new("minutes", id.to_string())),
            Err(e) => Err(refusal(e)?),
        }
    };
    after_form(&state, &user, lang, &here, &plan.id, fy, outcome).await
}

/// `POST /rounds/{fy}/meetings/{id}/materials` (multipart: `csrf`, `plan`, `label`, `title`,
/// `file`): attaches the file to the material `label` of the meeting, listed or new (a new one
/// needs a title). Secretariat.
pub(crate) async fn attach_material(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppPath((fy, id)): AppPath<(String, i64)>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let mut form = read_form(multipart).await.map_err(|problem| {
        let message = match problem {
            FormProblem::NotUtf8(field) => return not_utf8(&field),
            FormProblem::TooLarge => format!(
                "ファイルが大きすぎます（{} MB まで）",
                MAX_FILE_BYTES / 1024 / 1024
            ),
            FormProblem::Unreadable => "フォームを読めませんでした".to_owned(),
        };
        WebError::BadRequest {
            param: "file".to_owned(),
            message,
        }
    })?;
    let (file_name, content) = form.file.take().unwrap_or_default();
    let field = |name: &str| form.fields.get(name).map_or("", String::as_str);
    let plan_field = Some(field("plan").to_owned()).filter(|p| !p.is_empty());
    let (fy, plan) = checked_form(&state, &user, field("csrf"), &fy, &plan_field).await?;
    let outcome = match state
        .store
        .attach_material(
            &plan.id,
            id,
            field("label"),
            Some(field("title")),
            &file_name,
            &content,
            &user.user.name,
        )
        .await
    {
        Ok(()) => Ok(Done::new("material", id.to_string())),
        Err(e) => Err(refusal(e)?),
    };
    after_form(&state, &user, lang, &here, &plan.id, fy, outcome).await
}

/// `GET /meetings/{id}/materials/{label}[?plan=]`: a material's attached file, for whoever may
/// read the meeting ([`readable_meetings`]).
pub(crate) async fn material_file(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath((id, label)): AppPath<(i64, String)>,
    AppQuery(query): AppQuery<PlanOnly>,
) -> Result<Response, WebError> {
    let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
    let readable = readable_meetings(&state, &user, &plan.id).await?;
    if !readable.iter().any(|m| m.id == id) {
        let exists = state
            .store
            .meetings(&plan.id)
            .await?
            .iter()
            .any(|m| m.id == id);
        return Err(if exists {
            WebError::Forbidden
        } else {
            WebError::NotFound(format!("会合（id {id}）"))
        });
    }
    let (name, bytes) = state
        .store
        .material_file(&plan.id, id, &label)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("{label}のファイル")))?;
    let content_type = if name.to_ascii_lowercase().ends_with(".pdf") {
        "application/pdf"
    } else {
        "application/octet-stream"
    };
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC)
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The report of a round as a download: its bytes with the media type and a file name, and an
/// `ETag` (304 when `headers`' `If-None-Match` holds it already).
pub(crate) async fn report_file(
    state: &AppState,
    user: &CurrentUser,
    headers: &HeaderMap,
    plan: &Plan,
    fy: FiscalYear,
    format: &str,
) -> Result<Response, WebError> {
    let format: pdca_report::Format =
        format
            .parse()
            .map_err(|e: pdca_report::UnknownFormat| WebError::BadRequest {
                param: "format".to_owned(),
                message: e.to_string(),
            })?;
    let round = state
        .store
        .round(&plan.id, fy)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("{}のフォローアップ", fy.wareki())))?;
    may_read(user, &round)?;
    let view = RoundView::load(&state.store, &plan.id, fy).await?;
    let report = view.report(None);
    let bytes = format
        .render(&report)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let name = format!("followup-{}-{}.{}", plan.id, fy.year(), format.as_str());
    Ok(etag::respond(
        headers,
        Audience::Private,
        Tagged::new(bytes),
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
    ))
}

/// `GET /rounds/{fy}/report/{format}[?plan=]`: the round's report as pdf, xlsx or md.
pub(crate) async fn download_report(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    AppPath((fy, format)): AppPath<(String, String)>,
    AppQuery(query): AppQuery<PlanOnly>,
) -> Result<Response, WebError> {
    let fy = parse_fy(&fy)?;
    let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
    report_file(&state, &user, &headers, &plan, fy, &format).await
}
