//! Image messages: hardened uploads, private media.

use std::time::{Duration, Instant};

use natter_testkit::{TestApp, fixtures, spawn_app};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use natter_corpus as corpus;

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
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "image_too_large");
    assert!(body["message"].as_str().unwrap().contains("60000x60000"), "{body}");
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

/// The stored image of an upload answered 201: its message, type and pixels.
async fn stored(app: &TestApp, token: &str, res: reqwest::Response) -> (Value, String, image::DynamicImage) {
    assert_eq!(res.status(), StatusCode::CREATED);
    let m: Value = res.json::<Value>().await.unwrap()["message"].clone();
    let got =
        app.http.get(app.local(m["image"]["url"].as_str().unwrap())).bearer_auth(token).send().await.unwrap();
    let kind = got.headers()["content-type"].to_str().unwrap().to_owned();
    let img = image::load_from_memory(&got.bytes().await.unwrap()).unwrap();
    (m, kind, img)
}

#[tokio::test]
async fn a_large_16_bit_png_is_stored_scaled_down_to_2560_at_8_bits() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    let png = corpus::png16(2800, 2000, true).unwrap();
    let res = upload(&app, &a.token, &chat, png, "deep.png", "image/png").await;
    let (m, kind, img) = stored(&app, &a.token, res).await;
    assert_eq!(kind, "image/png");
    assert_eq!((m["image"]["width"].as_u64(), m["image"]["height"].as_u64()), (Some(2560), Some(1829)));
    assert_eq!((img.width(), img.height()), (2560, 1829));
    assert_eq!(img.color(), image::ColorType::Rgba8, "16-bit samples are cut to 8 while decoding");
}

#[tokio::test]
async fn an_animated_gif_is_stored_as_its_first_frame_even_with_a_big_canvas_and_many_frames() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    let gif = corpus::animated_gif((3000, 1000), 200, (64, 64)).unwrap();
    let res = upload(&app, &a.token, &chat, gif, "party.gif", "image/gif").await;
    let (m, kind, img) = stored(&app, &a.token, res).await;
    assert_eq!(kind, "image/png", "a still image now");
    assert_eq!((m["image"]["width"].as_u64(), m["image"]["height"].as_u64()), (Some(2560), Some(853)));
    // The first frame is one colour (palette entry 2: white); later frames are not.
    assert!(img.to_rgba8().pixels().all(|p| p.0 == [255, 255, 255, 255]));
}

#[tokio::test]
async fn a_cmyk_jpeg_is_stored_as_an_rgb_jpeg() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    let jpeg = corpus::cmyk_jpeg(300, 200, false).unwrap();
    let res = upload(&app, &a.token, &chat, jpeg, "print.jpg", "image/jpeg").await;
    let (m, kind, img) = stored(&app, &a.token, res).await;
    assert_eq!(kind, "image/jpeg");
    assert_eq!((m["image"]["width"].as_u64(), m["image"]["height"].as_u64()), (Some(300), Some(200)));
    assert_eq!(img.color(), image::ColorType::Rgb8);
}

#[tokio::test]
async fn images_over_the_pixel_cap_or_the_decode_budget_are_refused_with_422() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    let cases = [
        ("wide.jpg", corpus::jpeg_declaring(65_000, 65_000), "image/jpeg"),
        ("screen.gif", corpus::gif_declaring(65_535, 65_535), "image/gif"),
        ("frame.gif", corpus::gif_frame_larger_than_screen(), "image/gif"),
        ("canvas.webp", corpus::webp_declaring(16_383, 16_383), "image/webp"),
        // 12 MP at 4:4:4, progressive: 72 MB of DCT coefficients before any pixel.
        ("progressive.jpg", corpus::progressive_jpeg(4000, 3000, true).unwrap(), "image/jpeg"),
    ];
    for (name, bytes, mime) in cases {
        let started = Instant::now();
        let res = upload(&app, &a.token, &chat, bytes, name, mime).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "image_too_large", "{name}");
        assert!(started.elapsed() < Duration::from_secs(2), "{name}: refused from the header");
    }
    assert!(app.media_files().is_empty());
}

/// A multipart body of `len` bytes of image, streamed (chunked) or with a length.
fn big_form(chat: &str, len: usize, streamed: bool) -> Form {
    let part = if streamed {
        let chunks = (0..len / 65_536).map(|_| Ok::<_, std::io::Error>(vec![0xAB; 65_536]));
        Part::stream(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
    } else {
        Part::bytes(vec![0xAB; len])
    };
    Form::new()
        .text("chatId", chat.to_owned())
        .part("image", part.file_name("big.jpg").mime_str("image/jpeg").unwrap())
}

#[tokio::test]
async fn a_30_mb_upload_is_answered_413_json_and_the_sender_reads_it() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    for streamed in [true, false] {
        let res = app
            .http
            .post(app.api("/message"))
            .bearer_auth(&a.token)
            .multipart(big_form(&chat, 30 << 20, streamed))
            .send()
            .await
            .unwrap_or_else(|e| panic!("streamed {streamed}: the client got {e:?}, not an answer"));
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "streamed {streamed}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "too_large", "streamed {streamed}");
    }
    // Without a session too: whatever the answer, the sender gets to read it.
    let res =
        app.http.post(app.api("/message")).multipart(big_form(&chat, 30 << 20, true)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // And the client goes on as usual.
    let res = upload(&app, &a.token, &chat, fixtures::png(20, 10), "dot.png", "image/png").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(app.media_files().len(), 2, "the image and its thumbnail, nothing of the big ones");
}
