//! Issue 11, items 1–3, through the real server: files that used to kill it or swell it.
//!
//! - A 6 KB workbook with one value at XFD1048576 (the reader used to ask for a 512 GiB grid
//!   and abort the process) is refused with a message naming the sheet and the cell.
//! - A zip bomb (a sheet inflating to 40 MB from under 1 MB) is refused with the limit and how to
//!   split the file.
//! - A file with thousands of wrong rows lists the first 200 errors and the total, not every
//!   error; a CSV past the upload's row limit is refused with the limit.
//!
//! After each, and with three bad files at once, the server still answers `/healthz`. The files
//! are generated here (`pdca_interchange::testing`).

use super::*;

use pdca_interchange::testing::{generated_workbook, sparse_workbook};

on_both_databases!(
    a_sparse_workbook_is_refused_and_the_server_answers,
    a_zip_bomb_is_refused_with_the_limit_and_the_server_answers,
    three_bad_files_at_once_leave_healthz_answering,
    thousands_of_wrong_rows_list_200_errors_and_the_total,
    a_csv_past_the_upload_row_limit_is_refused,
    xls_and_ods_uploads_are_refused_with_what_to_do,
);

async fn assert_healthy(app: &TestApp) {
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
}

async fn a_sparse_workbook_is_refused_and_the_server_answers(app: TestApp) {
    let body = app.signed_in(BODY).await;
    let response = body
        .upload("sparse.xlsx", sparse_workbook(true), None)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("sparse.xlsx: シート「実績」のセル XFD1048576 に値「x」があります"),
        "{html}"
    );
    assert!(html.contains("見出しは C 列まで"), "{html}");
    assert!(!html.contains("action=\"/entry/upload/apply\""));
    assert_healthy(&app).await;

    // A formatted blank at XFD1048576 is no obstacle: the row above it is checked as usual.
    let response = body
        .upload("blank.xlsx", sparse_workbook(false), None)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("<td>blank.xlsx [実績]</td><td>2</td>"),
        "{html}"
    );
    assert_healthy(&app).await;
}

async fn a_zip_bomb_is_refused_with_the_limit_and_the_server_answers(app: TestApp) {
    let body = app.signed_in(BODY).await;
    let bomb = generated_workbook(500_000, 1_000);
    assert!(bomb.len() < 2 * 1024 * 1024, "{}", bomb.len());
    let response = body.upload("bomb.xlsx", bomb, None).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(
            "bomb.xlsx: シート「実績」は展開すると読み込める大きさの上限（32 MB）を超える"
        ),
        "{html}"
    );
    assert!(
        html.contains("行を分けて複数のブックに保存し直す"),
        "{html}"
    );
    assert_healthy(&app).await;
}

async fn three_bad_files_at_once_leave_healthz_answering(app: TestApp) {
    let (a, b, c) = (
        app.signed_in(BODY).await,
        app.signed_in(BODY).await,
        app.signed_in(BODY).await,
    );
    let mut wrong = String::from("指標ID,年度,実績,報告機関\n");
    for _ in 0..20_000 {
        wrong.push_str("nonexistent,2023,1,amed\n");
    }
    let uploads = async {
        futures::join!(
            a.upload("sparse.xlsx", sparse_workbook(true), None),
            b.upload("bomb.xlsx", generated_workbook(500_000, 1_000), None),
            c.upload("wrong.csv", wrong.into_bytes(), None),
        )
    };
    let health = async {
        // /healthz is asked while the files are read.
        for _ in 0..5 {
            assert_healthy(&app).await;
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };
    let ((sparse, bomb, wrong), ()) = futures::join!(uploads, health);
    for response in [sparse, bomb, wrong] {
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_healthy(&app).await;
}

async fn thousands_of_wrong_rows_list_200_errors_and_the_total(app: TestApp) {
    let body = app.signed_in(BODY).await;
    let mut csv = String::from("指標ID,年度,実績,報告機関\n");
    for _ in 0..5_000 {
        csv.push_str("nonexistent,2023,1,amed\n");
    }
    let response = body.upload("wrong.csv", csv.into_bytes(), None).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert_eq!(html.matches("class=\"upload-error\"").count(), 200);
    assert!(html.contains("<td>wrong.csv</td><td>2</td>"), "{html}");
    assert!(html.contains("<td>wrong.csv</td><td>201</td>"), "{html}");
    assert!(!html.contains("<td>wrong.csv</td><td>202</td>"), "{html}");
    assert!(
        html.contains(
            "エラーは全部で 5000 件あります。最初の 200 件だけを表示しています（ほか 4800 件）"
        ),
        "{html}"
    );
    assert!(html.len() < 200_000, "{} bytes", html.len());
}

async fn a_csv_past_the_upload_row_limit_is_refused(app: TestApp) {
    let body = app.signed_in(BODY).await;
    let mut csv = String::from("指標ID,年度,実績,報告機関\n");
    for _ in 0..100_001 {
        csv.push_str("p1-out-01,2023,1,amed\n");
    }
    let response = body.upload("many.csv", csv.into_bytes(), None).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(
            "many.csv: 100002行目: 取り込める行数の上限（見出しの下 100,000 行）を超えています"
        ),
        "{html}"
    );
    assert_healthy(&app).await;
}

async fn xls_and_ods_uploads_are_refused_with_what_to_do(app: TestApp) {
    let body = app.signed_in(BODY).await;
    for name in ["old.xls", "calc.ods"] {
        let response = body
            .upload(name, b"\xD0\xCF\x11\xE0 anything".to_vec(), None)
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains(&format!("{name}: この形式")), "{html}");
        assert!(html.contains("Excel ブック (*.xlsx)"), "{html}");
    }
}
