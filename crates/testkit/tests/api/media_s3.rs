//! Media on S3 (moto, started by the test) while the S3 server is down: uploads and
//! downloads answer 503 `unavailable` within seconds, nothing half-done is kept, and
//! `/readyz` names the media until it is back. The media tests themselves run on S3
//! with `NATTER_TEST_MEDIA=s3` (`s3.rs` in the testkit).

use std::sync::Arc;
use std::time::{Duration, Instant};

use natter_testkit::s3::TestS3;
use natter_testkit::{TestApp, TestData, TestOptions, eventually, fixtures, spawn_app_with};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

/// A test server whose media is on `s3`.
async fn app_on(s3: &TestS3) -> TestApp {
    let data = Arc::new(TestData::fresh().await.with_media_on(s3));
    spawn_app_with(TestOptions { data_dir: Some(data), ..TestOptions::default() }).await
}

async fn upload_png(app: &TestApp, token: &str, chat: &str) -> reqwest::Response {
    let form = Form::new()
        .text("chatId", chat.to_owned())
        .part("image", Part::bytes(fixtures::png(40, 30)).file_name("dot.png"));
    app.http.post(app.api("/message")).bearer_auth(token).multipart(form).send().await.unwrap()
}

async fn readyz(app: &TestApp) -> (StatusCode, Value) {
    let res = app.http.get(format!("{}/readyz", app.url)).send().await.unwrap();
    (res.status(), res.json().await.unwrap())
}

/// The answer is a 503 `unavailable` (JSON, with Retry-After), not a 500, and came
/// within the client's timeouts rather than hanging.
async fn assert_unavailable(res: reqwest::Response, started: Instant) {
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(10), "answered after {:?}", started.elapsed());
    assert!(res.headers().contains_key("retry-after"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "unavailable", "{body}");
    assert!(body["message"].as_str().unwrap().contains("media"), "{body}");
}

#[tokio::test]
async fn an_upload_while_s3_is_down_is_refused_as_unavailable_and_leaves_no_message_or_object() {
    let mut s3 = TestS3::start().await;
    let app = app_on(&s3).await;
    let (a, _b, chat) = app.pair().await;

    s3.stop();
    let started = Instant::now();
    assert_unavailable(upload_png(&app, &a.token, &chat).await, started).await;
    let page: Value = app.get_authed(&format!("/message/{chat}"), &a.token).await.json().await.unwrap();
    assert_eq!(page["messages"], json!([]), "no message points at an image that was never stored");

    s3.start_again().await;
    let res = upload_png(&app, &a.token, &chat).await;
    assert_eq!(res.status(), StatusCode::CREATED, "uploads work again once S3 is back");
    let files = app.media_files();
    assert_eq!(files.len(), 2, "the image and its thumbnail, nothing else: {files:?}");
    let page: Value = app.get_authed(&format!("/message/{chat}"), &a.token).await.json().await.unwrap();
    assert_eq!(page["messages"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn an_image_asked_for_while_s3_is_down_is_unavailable_and_readyz_names_the_media() {
    let mut s3 = TestS3::start().await;
    let app = app_on(&s3).await;
    let (a, b, chat) = app.pair().await;
    assert_eq!(
        readyz(&app).await,
        (StatusCode::OK, json!({ "status": "ready", "dependencies": ["store", "media"] }))
    );
    let res = upload_png(&app, &a.token, &chat).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let m: Value = res.json::<Value>().await.unwrap()["message"].clone();
    let link = app.local(m["image"]["url"].as_str().unwrap());
    assert_eq!(app.http.get(&link).send().await.unwrap().status(), StatusCode::OK);

    s3.stop();
    let started = Instant::now();
    assert_unavailable(app.http.get(&link).send().await.unwrap(), started).await;
    let started = Instant::now();
    let by_member = app.http.get(natter_testkit::unsigned(&link)).bearer_auth(&b.token).send().await.unwrap();
    assert_unavailable(by_member, started).await;
    let (status, body) = readyz(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["code"], "not_ready");
    assert!(body["message"].as_str().unwrap().contains("not reachable: media"), "{body}");

    // The background check sees it back without a request for media in between.
    s3.start_again().await;
    let ready = eventually(Duration::from_secs(15), "/readyz to be ready again", || async {
        let (status, body) = readyz(&app).await;
        (status == StatusCode::OK).then_some(body)
    })
    .await;
    assert_eq!(ready, json!({ "status": "ready", "dependencies": ["store", "media"] }));
}

#[tokio::test]
async fn a_node_whose_s3_is_down_at_start_starts_and_says_it_is_not_ready() {
    let mut s3 = TestS3::start().await;
    s3.stop();
    let app = app_on(&s3).await;
    let not_ready = eventually(Duration::from_secs(15), "/readyz to name the media", || async {
        let (status, body) = readyz(&app).await;
        (status == StatusCode::SERVICE_UNAVAILABLE).then_some(body)
    })
    .await;
    assert!(not_ready["message"].as_str().unwrap().contains("media"), "{not_ready}");
    let res = app.http.get(format!("{}/healthz", app.url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the process itself is up");
}
