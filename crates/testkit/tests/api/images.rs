//! Image messages: hardened uploads, private media.

use std::time::{Duration, Instant};

use natter_testkit::{TestApp, fixtures, spawn_app};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

async fn upload(
    app: &TestApp,
    token: &str,
    chat: &str,
    bytes: Vec<u8>,
    name: &str,
    mime: &str,
) -> reqwest::Response {
    let form = Form::new()
        .text("chatId", chat.to_owned())
        .text("clientId", format!("img-{}", bytes.len()))
        .part("image", Part::bytes(bytes).file_name(name.to_owned()).mime_str(mime).unwrap());
    app.http.post(app.api("/message")).bearer_auth(token).multipart(form).send().await.unwrap()
}

#[tokio::test]
async fn a_jpeg_with_gps_exif_comes_back_without_it() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let original = fixtures::jpeg_with_gps(64, 48);
    assert!(fixtures::contains(&original, &fixtures::gps_rationals()));
    let res = upload(&app, &a.token, &chat, original, "holiday.jpg", "image/jpeg").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let m: Value = res.json::<Value>().await.unwrap()["message"].clone();
    assert_eq!(m["messageType"], "image");
    assert_eq!((m["image"]["width"].as_u64(), m["image"]["height"].as_u64()), (Some(64), Some(48)));
    for url in [m["image"]["url"].as_str().unwrap(), m["image"]["thumbUrl"].as_str().unwrap()] {
        let res = app.http.get(app.local(url)).bearer_auth(&b.token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        let bytes = res.bytes().await.unwrap();
        assert!(!fixtures::contains(&bytes, b"Exif"), "EXIF is gone");
        assert!(!fixtures::contains(&bytes, &fixtures::gps_rationals()), "GPS is gone");
        assert!(image::load_from_memory(&bytes).is_ok());
    }
}

#[tokio::test]
async fn a_png_declaring_60000_by_60000_is_refused_quickly() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    let started = Instant::now();
    let res =
        upload(&app, &a.token, &chat, fixtures::png_declaring(60_000, 60_000), "bomb.png", "image/png").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "invalid_image");
    assert!(started.elapsed() < Duration::from_secs(2), "refused from the header, not by decoding");
    assert!(app.media_files().is_empty());
}

#[tokio::test]
async fn hostile_and_broken_uploads_are_refused_and_leave_nothing_stored() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    let png = fixtures::png(40, 30);
    let cases: Vec<(&str, Vec<u8>, &str, StatusCode, &str)> = vec![
        (
            "page.png",
            b"<!doctype html><script>alert(1)</script>".to_vec(),
            "image/png",
            StatusCode::BAD_REQUEST,
            "invalid_image",
        ),
        (
            "logo.svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec(),
            "image/svg+xml",
            StatusCode::BAD_REQUEST,
            "invalid_image",
        ),
        ("cut.png", png[..png.len() / 2].to_vec(), "image/png", StatusCode::BAD_REQUEST, "invalid_image"),
        ("empty.png", Vec::new(), "image/png", StatusCode::BAD_REQUEST, "invalid_image"),
        ("huge.png", vec![0u8; 11 * 1024 * 1024], "image/png", StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
    ];
    for (name, bytes, mime, status, code) in cases {
        let res = upload(&app, &a.token, &chat, bytes, name, mime).await;
        assert_eq!(res.status(), status, "{name}");
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        assert_eq!(res.json::<Value>().await.unwrap()["code"], code, "{name}");
    }
    assert!(app.media_files().is_empty(), "{:?}", app.media_files());
    let page: Value = app.get_authed(&format!("/message/{chat}"), &a.token).await.json().await.unwrap();
    assert_eq!(page["messages"], serde_json::json!([]));
}

#[tokio::test]
async fn media_is_served_only_to_members_of_its_chat() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let eve = app.login("eve@example.com").await;
    let res =
        upload(&app, &a.token, &chat, fixtures::png(20, 10), "dot.png", "application/octet-stream").await;
    let m: Value = res.json::<Value>().await.unwrap()["message"].clone();
    // Without its signature: what a session alone may see.
    let url = natter_testkit::unsigned(&app.local(m["image"]["url"].as_str().unwrap()));
    let ok = app.http.get(&url).bearer_auth(&b.token).send().await.unwrap();
    assert_eq!(ok.headers()["content-type"], "image/png", "the server chose the type");
    let cookie =
        app.http.get(&url).header("cookie", format!("natter_session={}", b.token)).send().await.unwrap();
    assert_eq!(cookie.status(), StatusCode::OK, "the web client's cookie works");
    for res in [
        app.http.get(&url).bearer_auth(&eve.token).send().await.unwrap(),
        app.http.get(&url).send().await.unwrap(),
        app.http
            .get(format!("{}/media/{chat}/../../secret.key", app.url))
            .bearer_auth(&a.token)
            .send()
            .await
            .unwrap(),
        app.http
            .get(format!("{}/media/{chat}/nothing.png", app.url))
            .bearer_auth(&a.token)
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
}
