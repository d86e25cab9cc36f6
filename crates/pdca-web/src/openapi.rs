//! The API's routes as a table, and the OpenAPI 3.1 document built from it. The router mounts
//! exactly the paths of [`API_ROUTES`] (see `api::router`), and the document describes exactly
//! them, so the description cannot name a route that does not exist or miss one that does.

use serde_json::{Map, Value, json};

/// `GET /api/openapi.json`
pub const OPENAPI: &str = "/api/openapi.json";
/// `GET /api/v1/plans`
pub const PLANS: &str = "/api/v1/plans";
/// `GET /api/v1/plans/{id}`
pub const PLAN: &str = "/api/v1/plans/{id}";
/// `GET /api/v1/evaluations`
pub const EVALUATIONS: &str = "/api/v1/evaluations";
/// `GET /api/v1/audit`
pub const AUDIT: &str = "/api/v1/audit";

pub use crate::actuals::api::{ACTUALS, ACTUALS_APPROVE, ACTUALS_RETURN, ACTUALS_SUBMIT};
pub use crate::follow_up::api::{
    MEETINGS, RATINGS, ROUND, ROUND_ITEMS, ROUND_RATINGS, ROUND_REPORT, ROUND_STATE, ROUNDS,
};

/// One route of the API.
#[derive(Debug, Clone, Copy)]
pub struct ApiRoute {
    /// The HTTP method, lower case as OpenAPI writes it.
    pub method: &'static str,
    /// The path, with `{name}` parameters (the same syntax in axum 0.8 and OpenAPI).
    pub path: &'static str,
    /// The operation's id.
    pub operation_id: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// Whether it needs a session or a token.
    pub authenticated: bool,
}

/// Every route of the API.
pub const API_ROUTES: &[ApiRoute] = &[
    ApiRoute {
        method: "get",
        path: OPENAPI,
        operation_id: "openapi",
        summary: "This document.",
        authenticated: false,
    },
    ApiRoute {
        method: "get",
        path: PLANS,
        operation_id: "listPlans",
        summary: "Every plan's current revision.",
        authenticated: true,
    },
    ApiRoute {
        method: "get",
        path: PLAN,
        operation_id: "getPlan",
        summary: "A plan's catalogue (the JSON of `pdca plan export --format json`).",
        authenticated: true,
    },
    ApiRoute {
        method: "get",
        path: EVALUATIONS,
        operation_id: "evaluate",
        summary: "Every indicator's figures and status as of a fiscal year (the JSON of `pdca evaluate --format json`).",
        authenticated: true,
    },
    ApiRoute {
        method: "get",
        path: AUDIT,
        operation_id: "auditLog",
        summary: "The latest entries of the audit log, newest first (secretariat only).",
        authenticated: true,
    },
    ApiRoute {
        method: "get",
        path: ACTUALS,
        operation_id: "listActuals",
        summary: "The current values with their state and version, as the caller's role may see them (approved values, plus a body's own values; everything for the secretariat and the committee).",
        authenticated: true,
    },
    ApiRoute {
        method: "post",
        path: ACTUALS,
        operation_id: "writeActual",
        summary: "Records a value as a draft if `version` is still current (secretariat, or a body for its assigned indicators). Sessions send `X-CSRF-Token`.",
        authenticated: true,
    },
    ApiRoute {
        method: "post",
        path: ACTUALS_SUBMIT,
        operation_id: "submitActual",
        summary: "Submits a draft or returned value to the secretariat (its body, or the secretariat).",
        authenticated: true,
    },
    ApiRoute {
        method: "post",
        path: ACTUALS_APPROVE,
        operation_id: "approveActual",
        summary: "Approves a submitted value (secretariat only); evaluations then use it.",
        authenticated: true,
    },
    ApiRoute {
        method: "post",
        path: ACTUALS_RETURN,
        operation_id: "returnActual",
        summary: "Returns a submitted value to its body with a required comment (secretariat only).",
        authenticated: true,
    },
    ApiRoute {
        method: "get",
        path: ROUNDS,
        operation_id: "listRounds",
        summary: "The plan's follow-up rounds the caller may read (viewers: closed rounds only).",
        authenticated: true,
    },
    ApiRoute {
        method: "post",
        path: ROUNDS,
        operation_id: "openRound",
        summary: "Opens the follow-up of a result fiscal year with a reporting deadline (secretariat only).",
        authenticated: true,
    },
    ApiRoute {
        method: "get",
        path: ROUND,
        operation_id: "getRound",
        summary: "A round: state, every indicator's automatic judgement (自動判定) and the committee's rating, issues and solutions, notable results, priority items, opinions, priority measures, policy clauses with their links, the previous policy's follow-up, meetings, and what is missing for closing (the JSON of `pdca round show --format json`).",
        authenticated: true,
    },
    ApiRoute {
        method: "post",
        path: ROUND_STATE,
        operation_id: "changeRoundState",
        summary: "Moves a round (advance: collecting → meeting ① → meeting ②), closes it (refused with what is missing) or reopens it with a reason (secretariat only).",
        authenticated: true,
    },
    ApiRoute {
        method: "post",
        path: ROUND_RATINGS,
        operation_id: "rateIndicator",
        summary: "Records the committee's rating A, B or N of an indicator; a rating differing from the automatic judgement (自動判定) needs a reason (secretariat and committee).",
        authenticated: true,
    },
    ApiRoute {
        method: "post",
        path: ROUND_ITEMS,
        operation_id: "addRoundItem",
        summary: "Adds a notable result, priority item, opinion, priority measure, policy clause, clause status or revision proposal, with links (by role: see the description of `kind`).",
        authenticated: true,
    },
    ApiRoute {
        method: "get",
        path: ROUND_REPORT,
        operation_id: "roundReport",
        summary: "The follow-up report of a round as PDF, XLSX or Markdown (`pdca report`).",
        authenticated: true,
    },
    ApiRoute {
        method: "get",
        path: MEETINGS,
        operation_id: "listMeetings",
        summary: "The committee's meetings with agenda and materials.",
        authenticated: true,
    },
    ApiRoute {
        method: "post",
        path: MEETINGS,
        operation_id: "addMeeting",
        summary: "Adds a meeting; without an agenda it is drafted from the round (secretariat only).",
        authenticated: true,
    },
    ApiRoute {
        method: "get",
        path: RATINGS,
        operation_id: "ratingMatrix",
        summary: "The committee's ratings per indicator per year and the counts per year (e.g. 46項目中42項目がA).",
        authenticated: true,
    },
];

/// The routes answering with an `ETag` and 304 to a matching `If-None-Match` (`frame::etag`).
pub const CONDITIONAL: &[&str] = &[PLANS, PLAN, EVALUATIONS, ROUND_REPORT];

/// The `If-None-Match` request header of the [`CONDITIONAL`] routes.
fn if_none_match_parameter() -> Value {
    json!({
        "name": "If-None-Match", "in": "header", "required": false,
        "description": "The `ETag` of a response received before (or a list of them, or `*`): if the response would be the same, it is 304 without a body. Compared weakly: `W/\"…\"` matches `\"…\"`.",
        "schema": { "type": "string" }
    })
}

/// The validators on every answer of the [`CONDITIONAL`] routes.
fn validator_headers() -> Value {
    json!({
        "ETag": {
            "description": "A strong entity tag of the body (its SHA-256); weak (`W/\"…\"`) when the body is sent compressed.",
            "schema": { "type": "string" }
        },
        "Cache-Control": {
            "description": "`private, no-cache`: keep the response, and revalidate it with `If-None-Match` before use.",
            "schema": { "type": "string" }
        }
    })
}

/// Adds `If-None-Match`, the 304 response and the `ETag` header to an operation of a
/// [`CONDITIONAL`] route.
fn make_conditional(operation: &mut Value) {
    if let Some(parameters) = operation["parameters"].as_array_mut() {
        parameters.push(if_none_match_parameter());
    }
    if let Some(responses) = operation["responses"].as_object_mut() {
        if let Some(ok) = responses.get_mut("200").and_then(Value::as_object_mut) {
            ok.insert("headers".into(), validator_headers());
        }
        responses.insert(
            "304".into(),
            json!({
                "description": "Not modified: `If-None-Match` holds the current `ETag`. No body.",
                "headers": validator_headers()
            }),
        );
    }
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    })
}

fn json_response(description: &str, schema: Value) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": schema } }
    })
}

fn parameters(path: &str) -> Value {
    match path {
        PLAN => json!([{
            "name": "id", "in": "path", "required": true,
            "description": "The plan's id, e.g. medical-rd-2.",
            "schema": { "type": "string" }
        }]),
        EVALUATIONS => json!([
            {
                "name": "as_of", "in": "query", "required": true,
                "description": "The as-of fiscal year inside the plan period: 2023, FY2023, 令和5年度 or R5.",
                "schema": { "type": "string" }
            },
            {
                "name": "plan", "in": "query", "required": false,
                "description": "The plan's id; by default the built-in plan, or the only plan.",
                "schema": { "type": "string" }
            },
            {
                "name": "include_unapproved", "in": "query", "required": false,
                "description": "true to use the latest values whatever their approval state (secretariat and committee only; 403 for other roles).",
                "schema": { "type": "boolean", "default": false }
            }
        ]),
        AUDIT => json!([{
            "name": "limit", "in": "query", "required": false,
            "description": "How many entries, 1–1000.",
            "schema": { "type": "integer", "minimum": 1, "maximum": 1000, "default": 100 }
        }]),
        _ => json!([]),
    }
}

fn responses(path: &str) -> Value {
    let ok = match path {
        OPENAPI => json_response("The OpenAPI document.", json!({ "type": "object" })),
        PLANS => json_response(
            "The plans.",
            json!({ "type": "array", "items": { "$ref": "#/components/schemas/PlanSummary" } }),
        ),
        PLAN => json_response("The plan.", json!({ "$ref": "#/components/schemas/Plan" })),
        EVALUATIONS => json_response(
            "The evaluation.",
            json!({ "$ref": "#/components/schemas/PlanEvaluation" }),
        ),
        _ => json_response(
            "The entries.",
            json!({ "type": "array", "items": { "$ref": "#/components/schemas/AuditEntry" } }),
        ),
    };
    let mut out = Map::new();
    out.insert("200".into(), ok);
    if path != OPENAPI {
        out.insert(
            "401".into(),
            error_response("No valid session or API token (code `unauthorized`)."),
        );
        out.insert(
            "403".into(),
            error_response("The role does not allow this (code `forbidden`)."),
        );
    }
    match path {
        PLAN => {
            out.insert(
                "404".into(),
                error_response("No such plan (code `not_found`)."),
            );
        }
        EVALUATIONS => {
            out.insert(
                "400".into(),
                error_response(
                    "A parameter cannot be used; the message names it (code `bad_request`).",
                ),
            );
            out.insert(
                "404".into(),
                error_response("No such plan (code `not_found`)."),
            );
        }
        AUDIT => {
            out.insert(
                "400".into(),
                error_response("`limit` is not 1–1000 (code `bad_request`)."),
            );
        }
        _ => {}
    }
    Value::Object(out)
}

fn schemas() -> Value {
    let mut schemas = base_schemas();
    if let (Some(all), Value::Object(more)) =
        (schemas.as_object_mut(), crate::actuals::api::schemas())
    {
        all.extend(more);
    }
    schemas
}

fn base_schemas() -> Value {
    json!({
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": { "type": "string", "description": "unauthorized, forbidden, not_found, bad_request, invalid, conflict, rate_limited, csrf_mismatch, password_change_required or internal." },
                        "field": { "type": "string", "description": "With `invalid`: the request field to blame." },
                        "current": { "description": "With `conflict` from the actuals routes: the value now current (an Actual, or null)." },
                        "message": { "type": "string", "description": "What went wrong, for a person (in Japanese)." }
                    }
                }
            }
        },
        "PlanSummary": {
            "type": "object",
            "required": ["id", "name", "revision", "start_fy", "end_fy"],
            "properties": {
                "id": { "type": "string" },
                "name": { "type": "string" },
                "revision": { "type": "integer" },
                "start_fy": { "type": "integer" },
                "end_fy": { "type": "integer" }
            }
        },
        "Plan": {
            "type": "object",
            "description": "The plan catalogue: header, bodies, glossary, projects and their indicators with targets (docs/plan-format.md).",
            "required": ["id", "name", "revision", "period", "projects"],
            "properties": {
                "id": { "type": "string" },
                "name": { "type": "string" },
                "revision": { "type": "integer" },
                "effective_from": { "type": "integer" },
                "decided_on": { "type": ["string", "null"] },
                "period": { "type": "object", "properties": { "start_fy": { "type": "integer" }, "end_fy": { "type": "integer" } } },
                "on_track_threshold": { "type": "number" },
                "committee": { "type": ["string", "null"] },
                "bodies": { "type": "array", "items": { "type": "object" } },
                "glossary": { "type": "array", "items": { "type": "object" } },
                "projects": { "type": "array", "items": { "type": "object" } }
            }
        },
        "PlanEvaluation": {
            "type": "object",
            "required": ["plan", "revision", "as_of", "as_of_wareki", "indicators"],
            "properties": {
                "plan": { "type": "string" },
                "revision": { "type": "integer" },
                "as_of": { "type": "integer" },
                "as_of_wareki": { "type": "string" },
                "indicators": { "type": "array", "items": { "$ref": "#/components/schemas/Evaluation" } }
            }
        },
        "Evaluation": {
            "type": "object",
            "description": "One indicator's figures; the rules are in the README. The pages name each figure the same way (用語の説明: /help/terms): 進捗率 and ペース as %, 期待値 in the indicator's unit, 達成見込み in words and %.",
            "required": ["id", "status"],
            "properties": {
                "id": { "type": "string" },
                "name": { "type": "string" },
                "project": { "type": "string" },
                "kind": { "type": "string", "enum": ["output", "outcome"] },
                "measure": { "type": "string", "enum": ["count", "ratio", "level", "milestone", "qualitative"] },
                "parent": { "type": ["string", "null"] },
                "status": { "type": "string", "enum": ["achieved", "on_track", "insufficient", "not_evaluable", "not_rated"], "description": "自動判定 (automatic judgement): the engine's verdict from the figures. The committee's rating, the decision, is in the round (getRound)." },
                "rating": { "type": ["string", "null"], "enum": ["A", "B", "N", null], "description": "The rating the automatic judgement proposes (A 順調に進捗している, B 進捗が不十分, N 現時点で評価が困難); null when not rated." },
                "target": { "type": ["number", "null"], "description": "目標: the figure judged against, in the indicator's unit." },
                "cumulative": { "type": ["number", "null"], "description": "累計: the sum of the actuals up to as_of, in the indicator's unit." },
                "expected": { "type": ["number", "null"], "description": "期待値: what was expected by as_of, in the indicator's unit (15 for 15件), not a share of the target." },
                "progress": { "type": ["number", "null"], "description": "進捗率: the cumulative (or the way from baseline) as a fraction of the target; 0.36 is shown as 36%." },
                "pace": { "type": ["number", "null"], "description": "ペース: the actual against the expected, as a fraction; 1.1 is shown as 110%." },
                "projected_end": { "type": ["number", "null"], "description": "期間末の見込み: the value projected for the end of the period at the current pace, in the indicator's unit." },
                "value": { "type": ["number", "null"], "description": "値: the percentage (ratio), the year's level (level), or 1/0 (milestone)." },
                "p_attain": { "type": ["number", "null"], "description": "達成見込み: the probability (0–1) of reaching the target by the end of the period; the pages show it as 高い (≥ 0.8), 中程度 (≥ 0.5) or 低い with the %, and as 未報告 when nothing was reported up to as_of." },
                "narrative": { "type": ["string", "null"] },
                "warnings": { "type": "array", "items": { "type": "string" } },
                "bodies": { "type": "array", "items": { "type": "object" } }
            }
        },
        "AuditEntry": {
            "type": "object",
            "required": ["id", "at", "actor", "action", "subject"],
            "properties": {
                "id": { "type": "integer" },
                "at": { "type": "string", "format": "date-time" },
                "actor": { "type": "string" },
                "action": { "type": "string" },
                "subject": { "type": "string" },
                "old_value": { "type": ["string", "null"] },
                "new_value": { "type": ["string", "null"] },
                "note": { "type": ["string", "null"] }
            }
        }
    })
}

/// The OpenAPI 3.1 document of the API.
pub fn openapi_document() -> Value {
    let mut paths = Map::new();
    for route in API_ROUTES {
        let mut operation = json!({
            "operationId": route.operation_id,
            "summary": route.summary,
            "parameters": crate::actuals::api::parameters(route.method, route.path)
                .or_else(|| crate::follow_up::api::parameters(route.path))
                .unwrap_or_else(|| parameters(route.path)),
            "responses": crate::actuals::api::responses(route.method, route.path)
                .or_else(|| crate::follow_up::api::responses(route.method, route.path))
                .unwrap_or_else(|| responses(route.path)),
        });
        if let (Some(body), Some(op)) = (
            crate::actuals::api::request_body(route.method, route.path)
                .or_else(|| crate::follow_up::api::request_body(route.method, route.path)),
            operation.as_object_mut(),
        ) {
            op.insert("requestBody".into(), body);
        }
        if route.method == "get" && CONDITIONAL.contains(&route.path) {
            make_conditional(&mut operation);
        }
        if !route.authenticated
            && let Some(op) = operation.as_object_mut()
        {
            op.insert("security".into(), json!([]));
        }
        let item = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        if let Some(item) = item.as_object_mut() {
            item.insert(route.method.to_owned(), operation);
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "pdca API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The follow-up of a plan's KPIs: plans, evaluations and the audit log. Machine clients send `Authorization: Bearer pdca_…` with a token made by `pdca token create`; browsers use their session. Errors are `{\"error\":{\"code\",\"message\"}}`."
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearerToken": [] }, { "sessionCookie": [] }],
        "paths": Value::Object(paths),
        "components": {
            "securitySchemes": {
                "bearerToken": { "type": "http", "scheme": "bearer", "description": "An API token, pdca_…" },
                "sessionCookie": { "type": "apiKey", "in": "cookie", "name": "pdca_session" }
            },
            "schemas": schemas()
        }
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn the_document_describes_every_route_and_nothing_else() {
        let document = openapi_document();
        let documented: BTreeSet<(String, String)> = document["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .flat_map(|(path, item)| {
                item.as_object()
                    .into_iter()
                    .flatten()
                    .map(move |(method, _)| (method.clone(), path.clone()))
            })
            .collect();
        let routed: BTreeSet<(String, String)> = API_ROUTES
            .iter()
            .filter(|r| crate::progress::api::handler(r.path).is_some())
            .map(|r| (r.method.to_owned(), r.path.to_owned()))
            .collect();
        assert_eq!(documented, routed);
        assert_eq!(routed.len(), API_ROUTES.len(), "a route without a handler");
        assert_eq!(document["openapi"], "3.1.0");
    }

    #[test]
    fn conditional_routes_document_304_and_their_headers() {
        let document = openapi_document();
        for path in CONDITIONAL {
            let operation = &document["paths"][*path]["get"];
            assert!(operation["responses"]["304"].is_object(), "{path}");
            assert!(
                operation["responses"]["200"]["headers"]["ETag"].is_object(),
                "{path}"
            );
            assert!(
                operation["parameters"]
                    .as_array()
                    .is_some_and(|p| p.iter().any(|p| p["name"] == "If-None-Match")),
                "{path}"
            );
        }
        assert!(document["paths"][AUDIT]["get"]["responses"]["304"].is_null());
    }
}
