//! The audit log for the secretariat (read-only), each entry as a sentence in plain language:
//! who (with their role), what, from what to what — 「事務局 jimukyoku がユーザー suzuki（報告機関
//! 日本医療研究開発機構）を作成しました。」. The stored entries are described in
//! `pdca_store::AuditEntry`.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use pdca_core::access::{ActualState, Role};
use pdca_core::follow_up::{ItemKind, RoundState};
use pdca_core::{ActualValue, FiscalYear, Plan};
use pdca_store::AuditEntry;
use serde::Deserialize;
use serde_json::Value;

use crate::frame::auth::CurrentUser;
use crate::frame::i18n::{self, Lang, Text};
use crate::frame::view::{AppQuery, Chrome, Here, choose_plan};
use crate::{AppState, WebError};

/// The routes of the audit log.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/admin/audit", get(audit_page))
}

/// How many entries of the audit log the page filters.
const AUDIT_LIMIT: u32 = 1000;

/// The kinds of change the audit page filters by: the part of `action` before the dot.
const AUDIT_ACTIONS: [&str; 8] = [
    "plan",
    "assignment",
    "user",
    "token",
    "actual",
    "actuals",
    "round",
    "meeting",
];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AuditQuery {
    action: String,
    actor: String,
    subject: String,
}

struct AuditRow {
    at: String,
    sentence: String,
    /// A reason or remark recorded with the change, with its label.
    note: Option<(&'static str, String)>,
}

struct ActionOption {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

/// The name of a kind of change in the audit page's filter.
fn action_label(lang: Lang, kind: &str) -> &'static str {
    let t = lang.text();
    match kind {
        "plan" => t.audit_kind_plan,
        "assignment" => t.audit_kind_assignment,
        "user" => t.audit_kind_user,
        "token" => t.audit_kind_token,
        "actual" => t.audit_kind_actual,
        "round" => t.audit_kind_round,
        "meeting" => t.audit_kind_meeting,
        _ => t.audit_kind_actuals,
    }
}

#[derive(Template)]
#[template(path = "accounts/audit.html")]
struct AuditPage {
    c: Chrome,
    title: &'static str,
    actions: Vec<ActionOption>,
    actor: String,
    subject: String,
    rows: Vec<AuditRow>,
}

/// `GET /admin/audit[?action=KIND][&actor=NAME][&subject=TEXT]`: the audit log, newest first.
async fn audit_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<AuditQuery>,
) -> Result<Html<String>, WebError> {
    user.require(&[Role::Secretariat])?;
    let action = query.action.trim();
    if !action.is_empty() && !AUDIT_ACTIONS.contains(&action) {
        return Err(WebError::BadRequest {
            param: "action".to_owned(),
            message: format!(
                "action は {} のいずれかにしてください",
                AUDIT_ACTIONS.join("、")
            ),
        });
    }
    let (actor, subject) = (query.actor.trim(), query.subject.trim());
    let plan = choose_plan(&state.store, None).await.ok();
    let roles: HashMap<String, (Role, Option<String>)> = state
        .store
        .list_users()
        .await?
        .into_iter()
        .map(|u| (u.name, (u.role, u.body)))
        .collect();
    let words = Words {
        lang,
        t: lang.text(),
        plan: plan.as_ref(),
        roles: &roles,
    };
    let rows = state
        .store
        .audit_log(AUDIT_LIMIT)
        .await?
        .into_iter()
        .filter(|e| {
            action.is_empty()
                || e.action
                    .strip_prefix(action)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
        .filter(|e| actor.is_empty() || e.actor == actor)
        .filter(|e| subject.is_empty() || e.subject.contains(subject))
        .map(|e| AuditRow {
            at: i18n::date_time(lang, &e.at),
            sentence: words.sentence(&e),
            note: e.note.clone().filter(|n| !n.trim().is_empty()).map(|n| {
                let label = if matches!(e.action.as_str(), "actual.state" | "round.state") {
                    lang.text().audit_reason
                } else {
                    lang.text().audit_remark
                };
                (label, n)
            }),
        })
        .collect();
    let page = AuditPage {
        c: Chrome::new(lang, Some(&user), &here),
        title: lang.text().audit_title,
        actions: AUDIT_ACTIONS
            .iter()
            .map(|&value| ActionOption {
                value,
                label: action_label(lang, value),
                selected: value == action,
            })
            .collect(),
        actor: actor.to_owned(),
        subject: subject.to_owned(),
        rows,
    };
    Ok(Html(page.render()?))
}

/// `template` with each `{key}` replaced by its value.
fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .fold(template.to_owned(), |text, (key, value)| {
            text.replace(&format!("{{{key}}}"), value)
        })
}

/// What turns entries into sentences: the language, the plan (for the names of indicators and
/// bodies) and the users (for the actors' roles).
struct Words<'a> {
    lang: Lang,
    t: &'static Text,
    plan: Option<&'a Plan>,
    roles: &'a HashMap<String, (Role, Option<String>)>,
}

/// A JSON value of an entry, or `null`.
fn json(text: Option<&str>) -> Value {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(Value::Null)
}

/// A number as people write it: 12, 2.5.
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}

impl Words<'_> {
    /// Who: 「事務局 jimukyoku」, or the name alone for a name that is not an account.
    fn actor(&self, name: &str) -> String {
        match self.roles.get(name) {
            Some((role, _)) => format!("{} {name}", i18n::role_label(self.lang, *role)),
            None => name.to_owned(),
        }
    }

    /// An indicator: 「臨床研究の件数（p1-out-02）」.
    fn indicator(&self, id: &str) -> String {
        match self.plan.and_then(|p| p.indicator(id)) {
            Some(i) => format!("「{}」（{id}）", i.name),
            None => format!("「{id}」"),
        }
    }

    /// A body by its name (or its id when the plan does not know it).
    fn body(&self, id: &str) -> String {
        self.plan
            .and_then(|p| p.body(id))
            .map_or_else(|| id.to_owned(), |b| b.name.clone())
    }

    fn fy(&self, year: &str) -> String {
        year.parse::<i32>()
            .ok()
            .and_then(|y| FiscalYear::new(y).ok())
            .map_or_else(|| year.to_owned(), |fy| i18n::fiscal_year(self.lang, fy))
    }

    fn state(&self, value: &Value) -> String {
        serde_json::from_value::<ActualState>(value.clone())
            .map(|s| i18n::state_label(self.lang, s).to_owned())
            .unwrap_or_else(|_| value.as_str().unwrap_or_default().to_owned())
    }

    fn round_state(&self, value: &Value) -> String {
        serde_json::from_value::<RoundState>(value.clone())
            .map(|s| i18n::round_state_label(self.lang, s).to_owned())
            .unwrap_or_else(|_| value.as_str().unwrap_or_default().to_owned())
    }

    fn value(&self, value: &Value) -> String {
        match serde_json::from_value::<ActualValue>(value.clone()) {
            Ok(ActualValue::Number(n)) => number(n),
            Ok(ActualValue::Ratio {
                numerator,
                denominator,
            }) => format!("{}/{}", number(numerator), number(denominator)),
            Ok(ActualValue::Narrative(text)) => format!("「{text}」"),
            Err(_) => self.t.none_mark.to_owned(),
        }
    }

    fn share(&self, value: &Value) -> Option<String> {
        value.get("share").and_then(Value::as_f64).map(number)
    }

    /// The entry as a sentence.
    fn sentence(&self, e: &AuditEntry) -> String {
        let t = self.t;
        let actor = self.actor(&e.actor);
        let old = json(e.old_value.as_deref());
        let new = json(e.new_value.as_deref());
        let parts: Vec<&str> = e.subject.split('/').collect();
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        match (e.action.as_str(), parts.as_slice()) {
            ("plan.create", _) => fill(
                t.audit_plan_create,
                &[
                    ("actor", &actor),
                    ("plan", &e.subject),
                    ("new", &text(&new)),
                ],
            ),
            ("plan.revise", _) => fill(
                t.audit_plan_revise,
                &[
                    ("actor", &actor),
                    ("plan", &e.subject),
                    ("old", &text(&old)),
                    ("new", &text(&new)),
                ],
            ),
            ("assignment.set", [_, indicator, body]) => {
                let (indicator, body) = (self.indicator(indicator), self.body(body));
                match (old.is_null(), self.share(&old), self.share(&new)) {
                    (true, _, share) => fill(
                        t.audit_assign_new,
                        &[
                            ("actor", &actor),
                            ("indicator", &indicator),
                            ("body", &body),
                            (
                                "share",
                                &share
                                    .map(|s| fill(t.audit_share, &[("share", &s)]))
                                    .unwrap_or_default(),
                            ),
                        ],
                    ),
                    (false, before, after) => fill(
                        t.audit_assign_share,
                        &[
                            ("actor", &actor),
                            ("indicator", &indicator),
                            ("body", &body),
                            (
                                "old",
                                &before.unwrap_or_else(|| t.audit_no_share.to_owned()),
                            ),
                            ("new", &after.unwrap_or_else(|| t.audit_no_share.to_owned())),
                        ],
                    ),
                }
            }
            ("assignment.remove", [_, indicator, body]) => fill(
                t.audit_assign_remove,
                &[
                    ("actor", &actor),
                    ("indicator", &self.indicator(indicator)),
                    ("body", &self.body(body)),
                ],
            ),
            ("user.create", _) => {
                let role = new["role"]
                    .as_str()
                    .and_then(|r| r.parse::<Role>().ok())
                    .map(|r| i18n::role_label(self.lang, r).to_owned())
                    .unwrap_or_default();
                let role = match new["body"].as_str() {
                    Some(body) => format!("{role} {}", self.body(body)),
                    None => role,
                };
                fill(
                    t.audit_user_create,
                    &[("actor", &actor), ("name", &e.subject), ("role", &role)],
                )
            }
            ("user.disable", _) => fill(
                t.audit_user_disable,
                &[("actor", &actor), ("name", &e.subject)],
            ),
            ("user.enable", _) => fill(
                t.audit_user_enable,
                &[("actor", &actor), ("name", &e.subject)],
            ),
            ("user.password_reset", _) if e.actor == e.subject => {
                fill(t.audit_user_own_password, &[("actor", &actor)])
            }
            ("user.password_reset", _) => fill(
                t.audit_user_reset,
                &[("actor", &actor), ("name", &e.subject)],
            ),
            ("token.create" | "token.revoke", _) => {
                let token = new["name"].as_str().or(old["name"].as_str()).unwrap_or("");
                let template = if e.action == "token.create" {
                    t.audit_token_create
                } else {
                    t.audit_token_revoke
                };
                fill(
                    template,
                    &[("actor", &actor), ("name", &e.subject), ("token", token)],
                )
            }
            ("actual.record", [_, indicator, year, body]) => {
                let pairs = |template| {
                    fill(
                        template,
                        &[
                            ("actor", &actor),
                            ("indicator", &self.indicator(indicator)),
                            ("fy", &self.fy(year)),
                            ("body", &self.body(body)),
                            ("old", &self.value(&old["value"])),
                            ("new", &self.value(&new["value"])),
                            ("state", &self.state(&new["state"])),
                        ],
                    )
                };
                if old.is_null() {
                    pairs(t.audit_actual_recorded)
                } else {
                    pairs(t.audit_actual_changed)
                }
            }
            ("actual.state", [_, indicator, year, body]) => fill(
                t.audit_actual_state,
                &[
                    ("actor", &actor),
                    ("indicator", &self.indicator(indicator)),
                    ("fy", &self.fy(year)),
                    ("body", &self.body(body)),
                    ("old", &self.state(&old["state"])),
                    ("new", &self.state(&new["state"])),
                ],
            ),
            ("actuals.record", _) => {
                let years: Vec<String> = new["fiscal_years"]
                    .as_array()
                    .map(|a| a.iter().map(|y| self.fy(&text(y))).collect())
                    .unwrap_or_default();
                fill(
                    t.audit_actuals_record,
                    &[
                        ("actor", &actor),
                        ("n", &text(&new["rows"])),
                        ("years", &years.join("、")),
                    ],
                )
            }
            ("actuals.lock", [_, year]) => fill(
                t.audit_actuals_lock,
                &[
                    ("actor", &actor),
                    ("fy", &self.fy(year)),
                    ("n", &text(&new["locked"])),
                ],
            ),
            ("round.open", [_, year, ..]) => {
                let date = new["deadline"]
                    .as_str()
                    .and_then(|d| pdca_core::follow_up::parse_date(d).ok())
                    .map(|d| i18n::date(self.lang, d))
                    .unwrap_or_default();
                fill(
                    t.audit_round_open,
                    &[("actor", &actor), ("fy", &self.fy(year)), ("date", &date)],
                )
            }
            ("round.state", [_, year, ..]) => {
                let template = if old["state"].as_str() == Some("closed") {
                    t.audit_round_reopen
                } else {
                    t.audit_round_state
                };
                fill(
                    template,
                    &[
                        ("actor", &actor),
                        ("fy", &self.fy(year)),
                        ("old", &self.round_state(&old["state"])),
                        ("new", &self.round_state(&new["state"])),
                    ],
                )
            }
            ("round.rate", [_, year, indicator, ..]) => {
                let (before, after) = (text(&old["rating"]), text(&new["rating"]));
                let template = if old.is_null() {
                    t.audit_rate_new
                } else if before == after {
                    t.audit_rate_update
                } else {
                    t.audit_rate_change
                };
                fill(
                    template,
                    &[
                        ("actor", &actor),
                        ("indicator", &self.indicator(indicator)),
                        ("fy", &self.fy(year)),
                        ("old", &before),
                        ("new", &after),
                    ],
                )
            }
            ("round.item", [_, year, ..]) => {
                let kind = serde_json::from_value::<ItemKind>(new["kind"].clone())
                    .map(|k| i18n::item_kind_label(self.lang, k).to_owned())
                    .unwrap_or_default();
                let title = new["title"]
                    .as_str()
                    .or(new["text"].as_str())
                    .unwrap_or_default()
                    .chars()
                    .take(40)
                    .collect::<String>();
                fill(
                    t.audit_round_item,
                    &[
                        ("actor", &actor),
                        ("fy", &self.fy(year)),
                        ("kind", &kind),
                        ("title", &title),
                    ],
                )
            }
            ("round.item.reflected", [_, year, item, ..]) => fill(
                if new["reflected"].as_bool() == Some(true) {
                    t.audit_item_reflected
                } else {
                    t.audit_item_unreflected
                },
                &[("actor", &actor), ("fy", &self.fy(year)), ("item", item)],
            ),
            ("meeting.add", [_, title, ..]) => {
                fill(t.audit_meeting_add, &[("actor", &actor), ("title", title)])
            }
            ("meeting.minutes", _) => fill(t.audit_meeting_minutes, &[("actor", &actor)]),
            ("meeting.material", _) => fill(
                t.audit_meeting_material,
                &[
                    ("actor", &actor),
                    ("title", new["title"].as_str().unwrap_or_default()),
                ],
            ),
            _ => fill(t.audit_other, &[("actor", &actor), ("subject", &e.subject)]),
        }
    }
}
