//! (issue 11) No role reads or writes past its rights: viewers see no meeting of a round that
//! is not closed; API tokens are managed from a signed-in session only and die with a password
//! reset; every write route refuses a wrong role before it reads the body; the account form
//! refuses a body no plan has; a form field that is not UTF-8 is refused, not mangled.

use super::*;

on_both_databases!(
    viewers_see_meetings_of_closed_rounds_only,
    a_token_cannot_make_tokens,
    a_password_reset_revokes_the_users_tokens,
    a_wrong_role_is_refused_before_the_body_is_read,
    an_account_for_an_unknown_body_is_refused,
    invalid_utf8_in_a_form_field_is_refused,
);

/// Adds meeting number `number` of FY`fy` (of no round when `None`) with `agenda` and one
/// material 資料1 with a file; returns its id.
async fn add_meeting(app: &TestApp, fy: Option<i32>, number: u32, agenda: &str) -> i64 {
    app.store
        .add_meeting(
            &pdca_store::NewMeeting {
                plan_id: BUILTIN_PLAN_ID.to_owned(),
                fiscal_year: fy.map(|fy| FiscalYear::new(fy).unwrap()),
                committee: "健康・医療戦略推進専門調査会".into(),
                number,
                kind: pdca_core::follow_up::MeetingKind::First,
                date: pdca_core::follow_up::parse_date("2023-05-20").unwrap(),
                agenda: vec![agenda.to_owned()],
                materials: vec![(
                    pdca_core::follow_up::Material {
                        label: "資料1".into(),
                        title: format!("{agenda}の資料"),
                        file_name: Some("資料.pdf".into()),
                    },
                    Some(format!("%PDF-1.4 {agenda}").into_bytes()),
                )],
            },
            "test",
        )
        .await
        .unwrap()
        .id
}

fn material_path(meeting: i64) -> String {
    format!("/meetings/{meeting}/materials/%E8%B3%87%E6%96%991?plan=medical-rd-2")
}

/// A viewer reads closed rounds only: the meetings of FY2021 (closed), never those of FY2022
/// (open) or of no round — not in the API's list, the calendar, any page or JSON, and their
/// files are refused. Every other role still reads every meeting.
async fn viewers_see_meetings_of_closed_rounds_only(app: TestApp) {
    close_round(&app, 2021).await;
    open_round(&app, 2022).await;
    let public = add_meeting(&app, Some(2021), 30, "公開済みの議題").await;
    let open = add_meeting(&app, Some(2022), 35, "審議中の議題").await;
    let roundless = add_meeting(&app, None, 40, "年度のない議題").await;
    let hidden = ["審議中の議題", "年度のない議題", "第35回", "第40回"];

    let viewer = app.signed_in(VIEWER).await;
    let token = app.token(VIEWER).await;
    let listed: Value = app
        .api_get("/api/v1/plans/medical-rd-2/meetings", &token)
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<i64> = listed["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![public], "{listed}");
    let calendar = viewer.get_page("/calendar.ics").await;
    assert_eq!(calendar.status(), StatusCode::OK);
    let calendar = calendar.text().await.unwrap();
    assert!(calendar.contains("第30回"), "{calendar}");
    for path in [
        "/",
        "/rounds",
        "/rounds/2021",
        "/trace/p1-out-01",
        "/tasks",
        "/calendar.ics",
    ] {
        let response = viewer.get_page(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let text = response.text().await.unwrap();
        for secret in hidden {
            assert!(!text.contains(secret), "{path} shows {secret}: {text}");
        }
    }
    for path in [
        "/api/v1/plans/medical-rd-2/meetings",
        "/api/v1/plans/medical-rd-2/rounds",
        "/api/v1/plans/medical-rd-2/rounds/2021",
        "/api/v1/plans/medical-rd-2/ratings",
    ] {
        let response = app.api_get(path, &token).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let text = response.text().await.unwrap();
        for secret in hidden {
            assert!(!text.contains(secret), "{path} shows {secret}: {text}");
        }
    }
    let file = viewer.get_page(&material_path(public)).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(
        file.bytes().await.unwrap().as_ref(),
        "%PDF-1.4 公開済みの議題".as_bytes()
    );
    for meeting in [open, roundless] {
        let file = viewer.get_page(&material_path(meeting)).await;
        assert_eq!(file.status(), StatusCode::FORBIDDEN, "meeting {meeting}");
        let body = file.text().await.unwrap();
        assert!(!body.contains("%PDF"), "{body}");
    }
    let missing = viewer.get_page(&material_path(999_999)).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    // The others read every meeting and its files.
    for name in [SECRETARIAT, BODY, COMMITTEE] {
        let token = app.token(name).await;
        let listed: Value = app
            .api_get("/api/v1/plans/medical-rd-2/meetings", &token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            listed["meetings"].as_array().unwrap().len(),
            3,
            "{name}: {listed}"
        );
        let browser = app.signed_in(name).await;
        let calendar = browser
            .get_page("/calendar.ics")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            calendar.contains("第35回") && calendar.contains("第40回"),
            "{name}: {calendar}"
        );
        for meeting in [public, open, roundless] {
            let file = browser.get_page(&material_path(meeting)).await;
            assert_eq!(file.status(), StatusCode::OK, "{name} meeting {meeting}");
        }
    }
}

/// Whether the API answers `secret` as a valid token.
async fn token_works(app: &TestApp, secret: &str) -> bool {
    let status = app.api_get("/api/v1/plans", secret).await.status();
    assert!(
        matches!(status, StatusCode::OK | StatusCode::UNAUTHORIZED),
        "{status}"
    );
    status == StatusCode::OK
}

/// A bearer token can neither open the token page nor create or revoke tokens, with or without
/// a CSRF field (a token minted so would outlive the token that minted it).
async fn a_token_cannot_make_tokens(app: TestApp) {
    let body = app.store.user_by_name(BODY).await.unwrap().unwrap();
    let scripted = app.token(BODY).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(app.url("/account/tokens"))
        .bearer_auth(&scripted)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    for fields in [
        vec![("name", "子トークン")],
        vec![("name", "子"), ("csrf", "x")],
    ] {
        let minted = client
            .post(app.url("/account/tokens"))
            .bearer_auth(&scripted)
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(minted.status(), StatusCode::FORBIDDEN, "{fields:?}");
    }
    let tokens = app.store.list_api_tokens(body.id).await.unwrap();
    assert_eq!(tokens.len(), 1, "no token was minted by a token");
    let revoke = client
        .post(app.url(&format!("/account/tokens/{}/revoke", tokens[0].id)))
        .bearer_auth(&scripted)
        .form(&[("csrf", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), StatusCode::FORBIDDEN);
    assert!(token_works(&app, &scripted).await);
    assert_eq!(app.store.list_api_tokens(body.id).await.unwrap().len(), 1);
}

/// The secretariat's password reset revokes every valid token of the user (one from the CLI or
/// a script, one made on the page), ends the user's sessions, says so on the page, and the
/// audit log records each revocation by the secretariat.
async fn a_password_reset_revokes_the_users_tokens(app: TestApp) {
    let body = app.store.user_by_name(BODY).await.unwrap().unwrap();
    let scripted = app.token(BODY).await;
    // A signed-in browser creates one with its CSRF token.
    let browser = app.signed_in(BODY).await;
    let csrf = browser.csrf_of("/account/tokens").await;
    let created = browser
        .post_form("/account/tokens", &[("csrf", &csrf), ("name", "集計")])
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let from_page = token_secret(&created.text().await.unwrap()).unwrap();
    assert!(token_works(&app, &from_page).await);
    // One revoked already stays as it was.
    let old = app.token(BODY).await;
    let old_id = app.store.list_api_tokens(body.id).await.unwrap()[2].id;
    app.store.revoke_api_token(old_id, BODY).await.unwrap();

    // The secretariat resets the password: both valid tokens die, and the page says so.
    let admin = app.signed_in(SECRETARIAT).await;
    let admin_csrf = admin.csrf_of("/admin/users").await;
    let reset = admin
        .post_form(
            &format!("/admin/users/{BODY}/reset-password"),
            &[("csrf", &admin_csrf)],
        )
        .await;
    assert_eq!(reset.status(), StatusCode::OK);
    let html = reset.text().await.unwrap();
    assert!(issued_password(&html).is_some(), "{html}");
    assert!(
        html.contains(&format!(
            "ユーザー「{BODY}」の API トークン2件をすべて失効させました"
        )),
        "{html}"
    );
    for secret in [&scripted, &from_page, &old] {
        assert!(!token_works(&app, secret).await, "{secret} still works");
    }
    assert_eq!(browser.get_page("/").await.status(), StatusCode::SEE_OTHER);
    let revocations: Vec<_> = app
        .store
        .audit_log(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "token.revoke" && e.subject == BODY && e.actor == SECRETARIAT)
        .collect();
    assert_eq!(revocations.len(), 2, "{revocations:?}");
}

/// Who may post to each write route.
fn writers(path: &str) -> Option<&'static [Role]> {
    use Role::*;
    const SECRETARIAT_ONLY: &[Role] = &[Secretariat];
    const REPORTERS: &[Role] = &[Secretariat, Body];
    const RATERS: &[Role] = &[Secretariat, Committee];
    const CONTRIBUTORS: &[Role] = &[Secretariat, Committee, Body];
    Some(match path {
        // The API, as `API_ROUTES` writes its paths.
        "/api/v1/actuals" | "/api/v1/actuals/submit" => REPORTERS,
        "/api/v1/actuals/approve" | "/api/v1/actuals/return" => SECRETARIAT_ONLY,
        "/api/v1/plans/{id}/rounds"
        | "/api/v1/plans/{id}/rounds/{fy}/state"
        | "/api/v1/plans/{id}/meetings" => SECRETARIAT_ONLY,
        "/api/v1/plans/{id}/rounds/{fy}/ratings" => RATERS,
        "/api/v1/plans/{id}/rounds/{fy}/items" => CONTRIBUTORS,
        // The forms.
        "/entry" | "/entry/upload" | "/entry/upload/apply" => REPORTERS,
        "/rounds/2022/ratings" => RATERS,
        "/rounds/2022/items" => CONTRIBUTORS,
        "/approval"
        | "/approval/lock"
        | "/rounds"
        | "/rounds/2022/state"
        | "/rounds/2022/items/1/reflected"
        | "/rounds/2022/meetings"
        | "/rounds/2022/meetings/1/minutes"
        | "/rounds/2022/meetings/1/materials"
        | "/admin/users"
        | "/admin/users/etsuran/disable"
        | "/admin/users/etsuran/enable"
        | "/admin/users/etsuran/reset-password"
        | "/admin/bodies/assign"
        | "/admin/bodies/unassign"
        | "/admin/plans" => SECRETARIAT_ONLY,
        _ => return None,
    })
}

/// Every form a role-gated page posts to (the sign-in, sign-out and password forms are any
/// signed-in user's; the token forms are covered above).
const FORMS: [&str; 20] = [
    "/entry",
    "/entry/upload",
    "/entry/upload/apply",
    "/approval",
    "/approval/lock",
    "/rounds",
    "/rounds/2022/state",
    "/rounds/2022/ratings",
    "/rounds/2022/items",
    "/rounds/2022/items/1/reflected",
    "/rounds/2022/meetings",
    "/rounds/2022/meetings/1/minutes",
    "/rounds/2022/meetings/1/materials",
    "/admin/users",
    "/admin/users/etsuran/disable",
    "/admin/users/etsuran/enable",
    "/admin/users/etsuran/reset-password",
    "/admin/bodies/assign",
    "/admin/bodies/unassign",
    "/admin/plans",
];

/// Bodies no handler can read: (content type, bytes).
const MALFORMED: [(&str, &[u8]); 5] = [
    ("application/json", b"{\"fy\": "),
    ("application/x-www-form-urlencoded", b"csrf=%FF%FE&fy=%C3"),
    ("multipart/form-data", b"--x\r\nbroken"),
    (
        "multipart/form-data; boundary=x",
        b"--x\r\nno headers, no end",
    ),
    ("text/plain", b"\x00\xff"),
];

/// Every write route, with a role that may not write there and any malformed body, answers 403
/// — the role is checked before the body is read — through a bearer token and through a
/// session sending its CSRF token; a role that may write gets 400 for the same bodies, and
/// nothing changes.
async fn a_wrong_role_is_refused_before_the_body_is_read(app: TestApp) {
    open_round(&app, 2022).await;
    let api: Vec<&str> = API_ROUTES
        .iter()
        .filter(|r| r.method == "post")
        .map(|r| r.path.as_str())
        .collect();
    for path in api.iter().chain(FORMS.iter()) {
        assert!(writers(path).is_some(), "who may post to {path}?");
    }
    let mut callers = Vec::new();
    for (name, role) in [
        (VIEWER, Role::Viewer),
        (COMMITTEE, Role::Committee),
        (BODY, Role::Body),
        (SECRETARIAT, Role::Secretariat),
    ] {
        let browser = app.signed_in(name).await;
        let csrf = browser.csrf_of("/").await;
        callers.push((role, app.token(name).await, browser, csrf));
    }
    let audit_before = app.store.audit_log(1000).await.unwrap().len();
    let token_client = reqwest::Client::new();
    for (role, token, browser, csrf) in &callers {
        let role = *role;
        for path in &api {
            let url = app
                .url(path)
                .replace("{id}", "medical-rd-2")
                .replace("{fy}", "2022");
            for (content_type, bytes) in MALFORMED {
                let by_token = token_client
                    .post(&url)
                    .bearer_auth(token)
                    .header(header::CONTENT_TYPE, content_type)
                    .body(bytes.to_vec())
                    .send()
                    .await
                    .unwrap()
                    .status();
                let by_session = browser
                    .client
                    .post(&url)
                    .header("x-csrf-token", csrf.as_str())
                    .header(header::CONTENT_TYPE, content_type)
                    .body(bytes.to_vec())
                    .send()
                    .await
                    .unwrap()
                    .status();
                let expected = if writers(path).unwrap().contains(&role) {
                    StatusCode::BAD_REQUEST
                } else {
                    StatusCode::FORBIDDEN
                };
                assert_eq!(by_token, expected, "{role} token {path} {content_type}");
                assert_eq!(by_session, expected, "{role} session {path} {content_type}");
            }
        }
        for path in FORMS {
            for (content_type, bytes) in MALFORMED {
                let status = browser
                    .client
                    .post(app.url(path))
                    .header(header::CONTENT_TYPE, content_type)
                    .body(bytes.to_vec())
                    .send()
                    .await
                    .unwrap()
                    .status();
                if writers(path).unwrap().contains(&role) {
                    assert_ne!(
                        status,
                        StatusCode::FORBIDDEN,
                        "{role} {path} {content_type}"
                    );
                    assert!(
                        status.is_client_error(),
                        "{role} {path} {content_type}: {status}"
                    );
                } else {
                    assert_eq!(
                        status,
                        StatusCode::FORBIDDEN,
                        "{role} {path} {content_type}"
                    );
                }
            }
        }
    }
    assert_eq!(
        app.store.audit_log(1000).await.unwrap().len(),
        audit_before,
        "a malformed body changed something"
    );
}

/// The account form refuses a body user for a body no plan has, next to the form (422), as
/// `pdca user add` does; nothing is created.
async fn an_account_for_an_unknown_body_is_refused(app: TestApp) {
    let admin = app.signed_in(SECRETARIAT).await;
    let csrf = admin.csrf_of("/admin/users").await;
    let response = admin
        .post_form(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("name", "nasa-tanto"),
                ("role", "body"),
                ("body", "nasa"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("class=\"error\""), "{html}");
    assert!(
        html.contains("報告機関「nasa」はどの計画にもありません"),
        "{html}"
    );
    assert!(issued_password(&html).is_none());
    assert!(
        app.store
            .user_by_name("nasa-tanto")
            .await
            .unwrap()
            .is_none()
    );
    // A body the plan has is accepted.
    let created = admin
        .post_form(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("name", "amed-tanto-2"),
                ("role", "body"),
                ("body", "amed"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
}

/// Invalid UTF-8 in a form field, urlencoded or a multipart text field, is refused with 400
/// naming the field, and nothing is saved (it used to become U+FFFD silently).
async fn invalid_utf8_in_a_form_field_is_refused(app: TestApp) {
    let admin = app.signed_in(SECRETARIAT).await;
    let csrf = admin.csrf_of("/admin/users").await;
    let raw_form = |path: &str, body: String| {
        admin
            .client
            .post(app.url(path))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let response = raw_form(
        "/admin/users",
        format!("csrf={csrf}&name=tanaka%FF%FE&role=viewer&body="),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("項目「name」") && html.contains("UTF-8"),
        "{html}"
    );
    let users = app.store.list_users().await.unwrap();
    assert!(
        !users.iter().any(|u| u.name.starts_with("tanaka")),
        "{users:?}"
    );

    // The token form of a body user, and a field name that is not UTF-8.
    let body = app.signed_in(BODY).await;
    let body_csrf = body.csrf_of("/account/tokens").await;
    let response = body
        .client
        .post(app.url("/account/tokens"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("csrf={body_csrf}&name=%E9%9B"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("項目「name」"));
    let response = raw_form("/admin/users", format!("csrf={csrf}&%FFname=x"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let user = app.store.user_by_name(BODY).await.unwrap().unwrap();
    assert!(app.store.list_api_tokens(user.id).await.unwrap().is_empty());

    // A multipart text field: a material's title.
    open_round(&app, 2022).await;
    let meeting = add_meeting(&app, Some(2022), 35, "議題").await;
    let round_csrf = admin.csrf_of("/rounds/2022").await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", round_csrf)
        .text("plan", "medical-rd-2")
        .text("label", "資料2")
        .part(
            "title",
            reqwest::multipart::Part::bytes(b"\xff\xfe".to_vec()),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4".to_vec()).file_name("x.pdf"),
        );
    let response = admin
        .client
        .post(app.url(&format!("/rounds/2022/meetings/{meeting}/materials")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("項目「title」") && html.contains("UTF-8"),
        "{html}"
    );
    let meetings = app.store.meetings(BUILTIN_PLAN_ID).await.unwrap();
    assert_eq!(meetings[0].materials.len(), 1, "nothing attached");
}
