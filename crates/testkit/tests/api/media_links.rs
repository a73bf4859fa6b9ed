//! Media links: absolute, signed and expiring, so a plain `<img>` loads them in a client
//! that sends no cookie; anything else about them is a 404.

use std::time::Duration;

use natter_testkit::{TestApp, spawn_app, unsigned};
use reqwest::StatusCode;
use serde_json::Value;

async fn status(app: &TestApp, url: &str) -> StatusCode {
    app.http.get(url).send().await.unwrap().status()
}

#[tokio::test]
async fn image_links_are_absolute_under_the_public_url_and_load_without_any_credentials() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    let m = app.send_png(&a.token, &chat).await;
    for field in ["url", "thumbUrl"] {
        let link = m["image"][field].as_str().unwrap();
        assert!(link.starts_with(&format!("{}/media/{chat}/", app.public_url)), "{link}");
        assert!(link.contains("?exp=") && link.contains("&sig="), "{link}");
        let res = app.http.get(app.local(link)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{field} with no cookie and no token");
        // The thumbnail may be re-encoded in another type than the image.
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("image/"));
    }
    // The same links come back in history and in the live event.
    let page: Value = app.get_authed(&format!("/message/{chat}"), &a.token).await.json().await.unwrap();
    assert_eq!(page["messages"][0]["image"]["url"], m["image"]["url"]);
}

#[tokio::test]
async fn an_altered_moved_or_expired_signature_is_a_404() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    let m = app.send_png(&a.token, &chat).await;
    let link = app.local(m["image"]["url"].as_str().unwrap());
    let thumb = app.local(m["image"]["thumbUrl"].as_str().unwrap());
    let (path, query) = link.split_once('?').unwrap();
    let sig = query.split("sig=").nth(1).unwrap();
    let exp: i64 = query.split("exp=").nth(1).unwrap().split('&').next().unwrap().parse().unwrap();

    let flipped: String = sig.chars().rev().collect();
    let thumb_path = unsigned(&thumb);
    for bad in [
        format!("{path}?exp={exp}&sig={flipped}"),
        format!("{path}?exp={}&sig={sig}", exp + 86_400),
        format!("{thumb_path}?exp={exp}&sig={sig}"),
        format!("{path}?exp=soon&sig={sig}"),
        format!("{path}?sig={sig}"),
        path.to_owned(),
    ] {
        let res = app.http.get(&bad).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "not_found");
    }
    assert_eq!(status(&app, &link).await, StatusCode::OK);
    // Four days and a bit later every link of that day has expired.
    app.clock.advance(Duration::from_secs(5 * 86_400));
    assert_eq!(status(&app, &link).await, StatusCode::NOT_FOUND, "expired");
}

#[tokio::test]
async fn a_members_session_still_loads_media_without_a_signature_or_with_an_expired_one() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    let eve = app.login("eve@example.com").await;
    let m = app.send_png(&a.token, &chat).await;
    let link = app.local(m["image"]["url"].as_str().unwrap());
    app.clock.advance(Duration::from_secs(5 * 86_400));
    for url in [unsigned(&link), link.clone()] {
        let res = app.http.get(&url).bearer_auth(&b.token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{url}");
        let res = app.http.get(&url).bearer_auth(&eve.token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "not a member: {url}");
    }
}

#[tokio::test]
async fn a_malformed_query_or_path_is_a_404_even_for_a_member() {
    let app = spawn_app().await;
    let (a, _b, chat) = app.pair().await;
    let m = app.send_png(&a.token, &chat).await;
    let path = unsigned(&app.local(m["image"]["url"].as_str().unwrap()));
    let not_utf8 = format!("{}/media/{chat}/%FF.png", app.url);
    for bad in [format!("{path}?exp=99999999999999999999999&sig=x"), format!("{path}?exp=soon"), not_utf8] {
        let res = app.http.get(&bad).bearer_auth(&a.token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "not_found");
    }
    assert_eq!(app.http.get(&path).bearer_auth(&a.token).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn an_image_is_previewed_in_the_chat_list_in_the_seeds_words() {
    let app = spawn_app().await;
    let (a, b, chat) = app.pair().await;
    app.send_png(&a.token, &chat).await;
    let list: Value = app.get_authed("/chat/all", &b.token).await.json().await.unwrap();
    assert_eq!(list["chats"][0]["chat"]["latestMessage"]["text"], "📷 Image");
}
