//! Issue 11 through the real server: what two people (or one attacker) do at the same time, and
//! clients that hold connections without sending requests.
//!
//! - An upload applied after someone else saved one of its values overwrites nothing and says
//!   who changed what (item 5).
//! - Forty wrong passwords sent at once get at most five checks (item 6).
//! - Idle sockets, half-sent headers and idle kept-alive connections are closed after the
//!   header-read timeout, and `/healthz` answers meanwhile; at its bound on connections the
//!   server serves again as soon as idle ones time out (item 7).
//! - Weak passwords are refused on the password form with the reason (item 13).

use super::*;

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

on_both_databases!(
    an_upload_applied_after_a_newer_value_changes_nothing,
    parallel_wrong_passwords_are_limited_to_five,
    idle_and_slow_connections_do_not_stop_the_server,
    a_server_at_its_connection_bound_serves_again_once_idle_sockets_time_out,
    weak_passwords_are_refused_with_the_reason,
);

/// Issue 11, item 5, exactly: body A previews an upload (old 5 → new 7); body B then saves 6
/// with its version (201); A applies: nothing is applied (409), the page lists the value
/// changed since the preview, by whom and when, and B's 6 stays. A new preview then applies.
async fn an_upload_applied_after_a_newer_value_changes_nothing(app: TestApp) {
    const SECOND_BODY_USER: &str = "amed-tanto-2";
    add_user(
        &app.store,
        SECOND_BODY_USER,
        Role::Body,
        Some("amed"),
        false,
    )
    .await;
    let mut five = number("p1-out-01", 2023, "amed", 5.0);
    five.state = ActualState::Draft;
    app.store
        .record_actuals(BUILTIN_PLAN_ID, &[five], BODY)
        .await
        .unwrap();
    let read = app.current("p1-out-01", 2023).await.unwrap();

    let a = app.signed_in(BODY).await;
    let csv = "指標ID,年度,実績,報告機関\np1-out-01,2023,7,amed\np1-out-01,2024,8,amed\n";
    let preview = a.upload("jisseki.csv", csv.as_bytes().to_vec(), None).await;
    assert_eq!(preview.status(), StatusCode::OK);
    let html = preview.text().await.unwrap();
    assert!(html.contains("5 → 7"), "{html}");

    let token = app.token(SECOND_BODY_USER).await;
    let saved = app
        .api_post(
            "/api/v1/actuals",
            &token,
            &serde_json::json!({
                "indicator_id": "p1-out-01", "fiscal_year": 2023, "body": "amed",
                "value": 6, "version": read.id
            }),
        )
        .await;
    assert_eq!(saved.status(), StatusCode::CREATED);
    let six = app.current("p1-out-01", 2023).await.unwrap();
    assert_eq!(six.contribution.value, ActualValue::Number(6.0));

    let applied = a.apply_preview(&html, |_| {}).await;
    assert_eq!(
        applied.status(),
        StatusCode::CONFLICT,
        "B's 6 was overwritten"
    );
    let page = applied.text().await.unwrap();
    assert!(page.contains("確認画面を表示した後に"), "{page}");
    assert!(page.contains("何も取り込んでいません"), "{page}");
    assert!(page.contains("p1-out-01"), "{page}");
    assert!(page.contains(SECOND_BODY_USER), "who changed it: {page}");
    assert!(page.contains("<td>6</td>"), "the value now: {page}");
    assert!(page.contains("令和"), "when: {page}");
    assert!(
        page.contains("さんが値を「5」から「6」に変更しました"),
        "who changed it from what to what, in words: {page}"
    );
    assert!(!page.contains("版"), "no version numbers: {page}");
    // Nothing of the file was applied: 6 stays, FY2024 has no value.
    let now = app.current("p1-out-01", 2023).await.unwrap();
    assert_eq!(now.id, six.id);
    assert_eq!(now.contribution.value, ActualValue::Number(6.0));
    assert!(app.current("p1-out-01", 2024).await.is_none());

    // The versions are sealed with the file: claiming B's version without a new preview is
    // refused as a forged form.
    let forged = a
        .apply_preview(&html, |fields| {
            for (name, value) in fields.iter_mut() {
                if name == "versions" {
                    let json = format!(
                        "[[\"p1-out-01\",2023,\"amed\",{}],[\"p1-out-01\",2024,\"amed\",null]]",
                        six.id
                    );
                    *value = base64_encode(json.as_bytes());
                }
            }
        })
        .await;
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.current("p1-out-01", 2023).await.unwrap().id, six.id);

    // A new preview shows 6 → 7 and applies.
    let preview = a.upload("jisseki.csv", csv.as_bytes().to_vec(), None).await;
    let html = preview.text().await.unwrap();
    assert!(html.contains("6 → 7"), "{html}");
    let applied = a.apply_preview(&html, |_| {}).await;
    assert_eq!(applied.status(), StatusCode::SEE_OTHER);
    let seven = app.current("p1-out-01", 2023).await.unwrap();
    assert_eq!(seven.contribution.value, ActualValue::Number(7.0));
    assert_eq!(seven.recorded_by, BODY);
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Issue 11, item 6: forty wrong passwords for one account sent at once. At most five are
/// checked (401); the others are refused before any check (429), and so is the right password
/// until the window passes.
async fn parallel_wrong_passwords_are_limited_to_five(app: TestApp) {
    // Each attacker first fetches the form (its CSRF cookie), then all post at once.
    let mut ready = Vec::new();
    for _ in 0..40 {
        let browser = app.browser();
        let csrf = browser.csrf_of("/signin").await;
        ready.push((browser, csrf));
    }
    let guesses = ready
        .iter()
        .enumerate()
        .map(|(i, (browser, csrf))| async move {
            let password = format!("wrong guess number {i}");
            browser
                .post_form(
                    "/signin",
                    &[
                        ("name", BODY),
                        ("password", &password),
                        ("csrf", csrf),
                        ("next", ""),
                    ],
                )
                .await
                .status()
        });
    let statuses = futures::future::join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(checked <= 5, "{checked} guesses checked: {statuses:?}");
    assert_eq!(checked + refused, 40, "{statuses:?}");
    let right = app.browser().sign_in(BODY, PASSWORD).await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// Reads from `stream` until the server closes it (end of file or reset); `None` if it is
/// still open at `deadline`.
async fn closed_by(mut stream: TcpStream, deadline: Instant) -> Option<Instant> {
    let mut buffer = [0u8; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(Instant::now()),
            Ok(Ok(_)) => {}
        }
    }
}

/// `GET /healthz` on a new connection: the status and how long the answer took.
async fn healthz(base: &str) -> (StatusCode, Duration) {
    let started = Instant::now();
    let response = reqwest::Client::new()
        .get(format!("{base}/healthz"))
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .unwrap();
    (response.status(), started.elapsed())
}

/// Issue 11, item 7, through `run_until_stopped` with the default configuration (a 5 s header
/// timeout): 300 idle sockets, 20 slow clients sending half a header a byte at a time, and a
/// kept-alive connection left idle after its response. `/healthz` answers quickly meanwhile,
/// and the server closes every one of them within the timeout (with a margin).
async fn idle_and_slow_connections_do_not_stop_the_server(app: TestApp) {
    let timeout = Config::new(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).header_read_timeout;
    assert!(
        timeout <= Duration::from_secs(10),
        "a few seconds: {timeout:?}"
    );
    let address = app.base.trim_start_matches("http://").to_owned();
    let opened = Instant::now();
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(TcpStream::connect(&address).await.unwrap());
    }
    let mut slow = Vec::new();
    for i in 0..20 {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        let head = format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\nX-Slow-{i}: ");
        stream.write_all(head.as_bytes()).await.unwrap();
        slow.push(stream);
    }
    // The slow clients keep sending a byte of their header now and then.
    let dripping = tokio::spawn(async move {
        let mut open = slow;
        for _ in 0..40 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let mut still = Vec::new();
            for mut stream in open {
                if stream.write_all(b"a").await.is_ok() {
                    still.push(stream);
                }
            }
            open = still;
            if open.is_empty() {
                break;
            }
        }
        open.len()
    });
    // A kept-alive connection, idle after one answer.
    let mut kept = TcpStream::connect(&address).await.unwrap();
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\n\r\n");
    kept.write_all(request.as_bytes()).await.unwrap();
    let mut answer = [0u8; 512];
    let n = kept.read(&mut answer).await.unwrap();
    assert!(
        String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer[..n])
    );
    let kept_idle_since = Instant::now();

    for _ in 0..5 {
        let (status, took) = healthz(&app.base).await;
        assert_eq!(status, StatusCode::OK);
        assert!(took < Duration::from_secs(1), "/healthz took {took:?}");
    }

    let margin = Duration::from_secs(3);
    let deadline = opened + timeout + margin;
    let closed = futures::future::join_all(idle.into_iter().map(|s| closed_by(s, deadline))).await;
    let still_open = closed.iter().filter(|c| c.is_none()).count();
    assert_eq!(still_open, 0, "idle sockets left open past {timeout:?}");
    let kept_closed = closed_by(kept, kept_idle_since + timeout + margin).await;
    assert!(
        kept_closed.is_some(),
        "an idle kept-alive connection stays open"
    );
    // Writes to a closed connection fail soon after it is closed.
    let left_open = dripping.await.unwrap();
    assert_eq!(
        left_open, 0,
        "slow clients still connected after ten seconds"
    );
    let (status, took) = healthz(&app.base).await;
    assert_eq!(status, StatusCode::OK);
    assert!(took < Duration::from_secs(1), "/healthz took {took:?}");
}

/// Issue 11, item 7: a server bound to 20 connections, with a 1 s header timeout, gets 40 idle
/// sockets. It still answers `/healthz` once the idle ones time out (not after a minute), and
/// it stops when told, closing its port.
async fn a_server_at_its_connection_bound_serves_again_once_idle_sockets_time_out(app: TestApp) {
    let mut config = Config::new(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    config.header_read_timeout = Duration::from_secs(1);
    config.max_connections = 20;
    let application = Application::build(app.store.clone(), config).await.unwrap();
    let port = application.port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until(async {
        let _ = stopped.await;
    }));
    let base = format!("http://127.0.0.1:{port}");
    let mut idle = Vec::new();
    for _ in 0..40 {
        idle.push(TcpStream::connect(("127.0.0.1", port)).await.unwrap());
    }
    let (status, took) = healthz(&base).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        took < Duration::from_secs(5),
        "/healthz took {took:?} behind idle sockets"
    );
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
    assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());
    drop(idle);
}

/// Issue 11, item 13: the password form refuses blank, one-character, name-equal and easily
/// guessed passwords, each with its reason, in Japanese and in English, and accepts a strong
/// one.
async fn weak_passwords_are_refused_with_the_reason(app: TestApp) {
    let browser = app.signed_in(BODY).await;
    for (password, ja, en) in [
        (
            "            ",
            "空白だけのパスワードは使えません",
            "spaces only",
        ),
        (
            "aaaaaaaaaaaa",
            "同じ文字を繰り返しただけ",
            "repeats one character",
        ),
        (
            BODY,
            "ユーザー名と同じパスワードは使えません",
            "must not be the user name",
        ),
        (
            "password1234",
            "推測されやすいパスワードです",
            "easy to guess",
        ),
        (
            "amed-tanto-2024",
            "推測されやすいパスワードです",
            "easy to guess",
        ),
    ] {
        for (lang, reason) in [("ja", ja), ("en", en)] {
            let csrf = browser.csrf_of("/account/password").await;
            let response = browser
                .post_form(
                    &format!("/account/password?lang={lang}"),
                    &[
                        ("csrf", &csrf),
                        ("current", PASSWORD),
                        ("new", password),
                        ("confirm", password),
                    ],
                )
                .await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{password:?}");
            let html = response.text().await.unwrap();
            assert!(html.contains(reason), "{password:?} ({lang}): {html}");
        }
    }
    // The password is unchanged: the old one still signs in.
    assert_eq!(
        app.browser().sign_in(BODY, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let strong = "violet harbour lantern quietly";
    let csrf = browser.csrf_of("/account/password").await;
    let changed = browser
        .post_form(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", strong),
                ("confirm", strong),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser().sign_in(BODY, strong).await.status(),
        StatusCode::SEE_OTHER
    );
}
