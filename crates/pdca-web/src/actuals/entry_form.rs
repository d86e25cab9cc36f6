//! The entry form, `POST /entry`: one form for saving and submitting, so that no typed value is
//! ever dropped. 「一時保存」 (`action=save`) saves every changed value as a draft;
//! 「保存して提出」 (`action=submit`) saves them the same way and then submits the year's drafts
//! and returned values — first through a confirmation that states how many, and, once
//! confirmed (`confirmed=1`), in the same request as the save. With any refused value nothing is
//! saved or submitted and the form comes back with everything typed and the errors; a value
//! someone else saved first is left alone, reported, and nothing is submitted. Every version is
//! checked against the one the form was read at.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use pdca_core::ActualValue;
use pdca_core::access::ActualState;
use pdca_store::{StoreError, StoredActual};

use super::entry::{ConflictNote, EntryScope, Outcome, assigned, build_page, scope};
use super::rules::{TypedValue, check_may_edit, editable, save_draft, validate_typed, value_text};
use crate::frame::auth::{CurrentUser, Permitted, who};
use crate::frame::confirm::{Confirmation, is_confirmed};
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{AppForm, Chrome, Here, encode_query};
use crate::{AppState, WebError};
use askama::Template;
use pdca_app::json::format_number;

/// The form as sent: `csrf`, `plan`, `fy`, `body`, `action` (save or submit), `confirmed`, and
/// per indicator `value:ID`, `numerator:ID`, `denominator:ID`, `note:ID`, `source:ID`,
/// `version:ID`.
struct EntryForm {
    fields: HashMap<String, String>,
}

impl EntryForm {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }

    fn of(&self, field: &str, id: &str) -> Option<&str> {
        self.get(&format!("{field}:{id}"))
    }
}

fn parse_version(text: Option<&str>) -> Result<Option<i64>, WebError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t.parse().map(Some).map_err(|_| WebError::BadRequest {
            param: "version".to_owned(),
            message: format!("「{t}」は版として読めません"),
        }),
    }
}

/// `/entry?plan=…&fy=…&body=…&<extra>#ind-<anchor>`.
fn entry_href(scope: &EntryScope, extra: &[(&str, &str)], anchor: Option<&str>) -> String {
    let fy = scope.fy.year().to_string();
    let query = encode_query(
        [
            ("plan", scope.plan.id.as_str()),
            ("fy", fy.as_str()),
            ("body", scope.body.as_str()),
        ]
        .into_iter()
        .chain(extra.iter().copied()),
    );
    match anchor {
        Some(id) => format!("/entry?{query}#ind-{id}"),
        None => format!("/entry?{query}"),
    }
}

/// `POST /entry`: checks every changed value; with any error nothing is saved and the form
/// comes back with all that was typed and the errors beside the fields; otherwise each changed
/// value is saved as a draft unless someone saved it first (that field is reported and left
/// alone). With `action=submit`, then asks for confirmation, or (confirmed) submits.
pub(super) async fn post_entry(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Reporters>,
    lang: Lang,
    here: Here,
    AppForm(pairs): AppForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = EntryForm {
        fields: pairs.into_iter().collect(),
    };
    user.check_csrf(form.get("csrf").unwrap_or_default())?;
    let submit = form.get("action") == Some("submit");
    let scope = scope(
        &state,
        &user,
        form.get("plan"),
        form.get("fy"),
        form.get("body"),
    )
    .await?;
    let t = lang.text();
    let mut typed: HashMap<String, TypedValue> = HashMap::new();
    let mut changed: Vec<(TypedValue, Option<i64>)> = Vec::new();
    let mut errors: HashMap<String, Vec<(&'static str, String)>> = HashMap::new();
    for indicator in assigned(&scope.plan, &scope.body) {
        let id = &indicator.id;
        if form.of("version", id).is_none()
            && form.of("value", id).is_none()
            && form.of("numerator", id).is_none()
        {
            continue;
        }
        let value = TypedValue {
            indicator: id.clone(),
            value: form.of("value", id).unwrap_or_default().to_owned(),
            numerator: form.of("numerator", id).unwrap_or_default().to_owned(),
            denominator: form.of("denominator", id).unwrap_or_default().to_owned(),
            note: form.of("note", id).unwrap_or_default().to_owned(),
            source: form.of("source", id).unwrap_or_default().to_owned(),
        };
        let version = parse_version(form.of("version", id))?;
        let current = scope.current.get(id);
        // Untouched means equal to the revision the form was read at (which someone may have
        // replaced since: that is not a change of this user's, and no conflict).
        let read = match (version, current) {
            (Some(v), Some(c)) if v != c.id => state
                .store
                .revisions_of(&scope.plan.id, id, Some(scope.fy))
                .await?
                .into_iter()
                .find(|r| r.id == v && r.contribution.body == scope.body),
            (Some(_), current) => current.cloned(),
            (None, _) => None,
        };
        typed.insert(id.clone(), value.clone());
        if value.is_blank() || unchanged(&value, read.as_ref()) {
            continue;
        }
        check_may_edit(&user, indicator, &scope.body)?;
        if !editable(user.role(), current.map(|c| c.state)) {
            errors
                .entry(id.clone())
                .or_default()
                .push(("value", t.entry_read_only.to_owned()));
            continue;
        }
        changed.push((value, version));
    }
    let fy_text = scope.fy.year().to_string();
    let batch: Vec<TypedValue> = changed.iter().map(|(v, _)| v.clone()).collect();
    let validated = validate_typed(&state, &scope.plan, &fy_text, &scope.body, &batch).await?;
    let validated = match validated {
        Ok(v) if errors.is_empty() => v,
        Ok(_) => Vec::new(),
        Err(field_errors) => {
            for e in field_errors {
                if let Some(v) = batch.get(e.index) {
                    errors
                        .entry(v.indicator.clone())
                        .or_default()
                        .push((e.field, e.message));
                }
            }
            Vec::new()
        }
    };
    if !errors.is_empty() {
        // Nothing saved, nothing submitted: the form again with everything typed.
        let page = build_page(
            lang,
            &user,
            &here,
            &scope,
            Outcome {
                typed,
                errors,
                ..Outcome::default()
            },
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    }
    let mut conflicts = HashMap::new();
    let mut saved = Vec::new();
    for (value, (typed_value, version)) in validated.into_iter().zip(&changed) {
        match save_draft(&state, &scope.plan.id, value, *version, &user.user.name).await {
            Ok(_) => saved.push(typed_value.indicator.clone()),
            Err(StoreError::Conflict { current, .. }) => {
                conflicts.insert(
                    typed_value.indicator.clone(),
                    conflict_note(lang, current.as_deref()),
                );
            }
            Err(e) => return Err(e.into()),
        }
    }
    // What is current now: the values just saved among them.
    let after = self::scope(
        &state,
        &user,
        Some(&scope.plan.id),
        Some(&fy_text),
        Some(&scope.body),
    )
    .await?;
    if !conflicts.is_empty() {
        return conflict_page(lang, &user, &here, &after, typed, conflicts, saved);
    }
    let n = saved.len().to_string();
    // What the confirmation's first request saved, carried to the notice after submitting.
    let (first, n) = match saved.first() {
        Some(id) => (Some(id.as_str()), n.as_str()),
        None => (
            form.get("ind")
                .filter(|id| after.plan.indicator(id).is_some()),
            form.get("n")
                .filter(|n| n.parse::<usize>().is_ok())
                .unwrap_or("1"),
        ),
    };
    let saved_query: Vec<(&str, &str)> = match first {
        Some(id) => vec![("ind", id), ("n", n)],
        None => Vec::new(),
    };
    if !submit {
        let mut extra = saved_query.clone();
        extra.push((
            "done",
            if first.is_some() {
                "saved"
            } else {
                "unchanged"
            },
        ));
        return Ok(Redirect::to(&entry_href(&after, &extra, first)).into_response());
    }

    // Submitting: the year's drafts and returned values, each at the version the form showed
    // (or just saved).
    let to_submit: Vec<&StoredActual> = assigned(&after.plan, &after.body)
        .filter_map(|i| after.current.get(&i.id))
        .filter(|c| matches!(c.state, ActualState::Draft | ActualState::Returned))
        .collect();
    let mut stale = HashMap::new();
    for c in &to_submit {
        let id = &c.contribution.indicator;
        if saved.contains(id) {
            continue;
        }
        if let Some(read) = parse_version(form.of("version", id))?
            && read != c.id
        {
            stale.insert(id.clone(), conflict_note(lang, Some(c)));
        }
    }
    if !stale.is_empty() {
        return conflict_page(lang, &user, &here, &after, typed, stale, saved);
    }
    if to_submit.is_empty() {
        let mut extra = saved_query.clone();
        extra.push(("done", "nothing"));
        return Ok(Redirect::to(&entry_href(&after, &extra, first)).into_response());
    }
    let fy_label = i18n::fiscal_year(lang, after.fy);
    if !is_confirmed(form.get("confirmed")) {
        return confirmation(lang, &user, &here, &after, &to_submit, &saved, &fy_label);
    }
    let mut submitted = 0usize;
    for c in &to_submit {
        let id = &c.contribution.indicator;
        if let Some(indicator) = after.plan.indicator(id) {
            check_may_edit(&user, indicator, &after.body)?;
        }
        match state
            .store
            .set_state(
                &after.plan.id,
                id,
                after.fy,
                &after.body,
                ActualState::Submitted,
                None,
                Some(c.id),
                &user.user.name,
            )
            .await
        {
            Ok(_) => submitted += 1,
            Err(StoreError::Conflict { current, .. }) => {
                // Overtaken between reading and submitting: what was submitted stays
                // submitted; the page says which value was not.
                let again = self::scope(
                    &state,
                    &user,
                    Some(&after.plan.id),
                    Some(&fy_text),
                    Some(&after.body),
                )
                .await?;
                let conflicts =
                    HashMap::from([(id.clone(), conflict_note(lang, current.as_deref()))]);
                return conflict_page(lang, &user, &here, &again, typed, conflicts, saved);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let count = submitted.to_string();
    let mut extra = saved_query.clone();
    extra.push(("done", "submitted"));
    extra.push(("count", count.as_str()));
    let anchor = first.or_else(|| to_submit.first().map(|c| c.contribution.indicator.as_str()));
    Ok(Redirect::to(&entry_href(&after, &extra, anchor)).into_response())
}

/// The confirmation before submitting `to_submit`: how many values of which year, and that
/// they cannot be changed until the secretariat approves or returns them.
fn confirmation(
    lang: Lang,
    user: &CurrentUser,
    here: &Here,
    scope: &EntryScope,
    to_submit: &[&StoredActual],
    saved: &[String],
    fy_label: &str,
) -> Result<Response, WebError> {
    let t = lang.text();
    let fy = scope.fy.year().to_string();
    let mut fields = vec![
        (
            "csrf".to_owned(),
            user.csrf_token.clone().unwrap_or_default(),
        ),
        ("plan".to_owned(), scope.plan.id.clone()),
        ("fy".to_owned(), fy),
        ("body".to_owned(), scope.body.clone()),
        ("action".to_owned(), "submit".to_owned()),
    ];
    if let Some(id) = saved.first() {
        fields.push(("ind".to_owned(), id.clone()));
        fields.push(("n".to_owned(), saved.len().to_string()));
    }
    fields.extend(to_submit.iter().map(|c| {
        (
            format!("version:{}", c.contribution.indicator),
            c.id.to_string(),
        )
    }));
    let mut details = Vec::new();
    if !saved.is_empty() {
        details.push(i18n::entry_submit_saved_detail(lang, saved.len()));
    }
    details.push(t.entry_submit_detail.to_owned());
    let first = saved
        .first()
        .map(String::as_str)
        .or_else(|| to_submit.first().map(|c| c.contribution.indicator.as_str()));
    let back = if saved.is_empty() {
        entry_href(scope, &[], first)
    } else {
        let n = saved.len().to_string();
        let mut extra = vec![("done", "saved"), ("n", n.as_str())];
        if let Some(id) = first {
            extra.push(("ind", id));
        }
        entry_href(scope, &extra, first)
    };
    let page = Confirmation {
        c: Chrome::new(lang, Some(user), here),
        title: t.entry_submit_title.to_owned(),
        consequence: i18n::entry_submit_consequence(lang, fy_label, to_submit.len()),
        details,
        action: "/entry".to_owned(),
        fields,
        confirm_label: t.entry_submit_confirm.to_owned(),
        destructive: true,
        back_href: back,
    };
    Ok(page.into_page()?)
}

/// Someone else saved `current` first.
fn conflict_note(lang: Lang, current: Option<&StoredActual>) -> ConflictNote {
    ConflictNote {
        current: current
            .map(|c| value_text(&c.contribution.value))
            .unwrap_or_default(),
        by: current.map(|c| c.recorded_by.clone()).unwrap_or_default(),
        at: current
            .map(|c| i18n::date_time(lang, &c.recorded_at))
            .unwrap_or_default(),
    }
}

/// The form again (409) after a conflict: the typed values of the fields in conflict kept, the
/// stored ones (just saved, or unchanged) elsewhere; nothing was submitted.
fn conflict_page(
    lang: Lang,
    user: &CurrentUser,
    here: &Here,
    scope: &EntryScope,
    typed: HashMap<String, TypedValue>,
    conflicts: HashMap<String, ConflictNote>,
    saved: Vec<String>,
) -> Result<Response, WebError> {
    let keep: HashMap<String, TypedValue> = typed
        .into_iter()
        .filter(|(id, _)| conflicts.contains_key(id))
        .collect();
    let page = build_page(
        lang,
        user,
        here,
        scope,
        Outcome {
            typed: keep,
            conflicts,
            saved,
            ..Outcome::default()
        },
    );
    Ok((StatusCode::CONFLICT, Html(page.render()?)).into_response())
}

/// Whether the typed value is what is stored already.
fn unchanged(typed: &TypedValue, current: Option<&StoredActual>) -> bool {
    let Some(current) = current else {
        return false;
    };
    let same_text = |a: &str, b: Option<&String>| a.trim() == b.map_or("", |s| s.trim());
    let same_value = match &current.contribution.value {
        ActualValue::Number(v) => typed.value.trim() == format_number(*v),
        ActualValue::Ratio {
            numerator,
            denominator,
        } => {
            typed.numerator.trim() == format_number(*numerator)
                && typed.denominator.trim() == format_number(*denominator)
        }
        ActualValue::Narrative(text) => typed.value.trim() == text.trim(),
    };
    same_value
        && same_text(&typed.note, current.note.as_ref())
        && same_text(&typed.source, current.source.as_ref())
}
