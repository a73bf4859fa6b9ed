//! `natter admin backup` of a running server and `restore` into an empty data
//! directory: the restored server answers the old sessions, history and images.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use natter::admin::{backup, restore};
use natter::{RawConfig, Settings};
use natter_testkit::{TestOptions, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn settings_for(dir: &std::path::Path) -> Settings {
    Settings::from_raw(RawConfig { data_dir: dir.to_path_buf(), ..RawConfig::default() }).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_under_load_restores_sessions_history_and_images() {
    // A backup covers the embedded SQLite store; PostgreSQL is backed up with pg_dump.
    if natter_testkit::db::skip_on_postgres("a_backup_taken_under_load_restores_sessions_history_and_images")
    {
        return;
    }
    let app = Arc::new(spawn_app().await);
    let (a, b, chat) = app.pair().await;
    for i in 0..20 {
        app.send_text(&a, &chat, &format!("before {i}")).await;
    }
    let img = app.send_png(&a.token, &chat).await;
    // Sends keep coming while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (app, stop, token, chat) = (app.clone(), stop.clone(), b.token.clone(), chat.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let res = app
                    .post_authed("/message", &token, json!({ "chatId": chat, "text": format!("during {n}") }))
                    .await;
                assert_eq!(res.status(), StatusCode::CREATED);
                n += 1;
            }
            n
        })
    };
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("natter.backup");
    let made = backup(&settings_for(app.data_dir.path()), &file).await.unwrap();
    stop.store(true, Ordering::Relaxed);
    let during = load.await.unwrap();
    assert!(made.counts.messages >= 21, "{made:?}");
    assert_eq!((made.counts.users, made.counts.chats), (2, 1));
    assert_eq!(made.media_files, 2, "the image and its thumbnail");
    assert!(backup(&settings_for(app.data_dir.path()), &file).await.is_err(), "never over an existing file");

    let restored_dir = Arc::new(natter_testkit::spawn::TestData::fresh().await);
    let restored = restore(&settings_for(restored_dir.path()), &file).await.unwrap();
    assert_eq!(restored, made);
    assert!(
        restore(&settings_for(restored_dir.path()), &file).await.is_err(),
        "only into an empty directory"
    );

    let again = spawn_app_with(TestOptions { data_dir: Some(restored_dir), ..Default::default() }).await;
    let me = again.get_authed("/me", &a.token).await;
    assert_eq!(me.status(), StatusCode::OK, "the old session is still valid");
    let page: Value =
        again.get_authed(&format!("/message/{chat}?limit=200"), &b.token).await.json().await.unwrap();
    let texts: Vec<&str> =
        page["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts.len() as i64, made.counts.messages, "exactly the history the backup holds");
    assert_eq!(texts[..20], (0..20).map(|i| format!("before {i}")).collect::<Vec<_>>());
    let seqs: Vec<i64> =
        page["messages"].as_array().unwrap().iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=made.counts.messages).collect::<Vec<_>>(), "gapless, as committed");
    let image = again.http.get(again.local(img["image"]["url"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(image.status(), StatusCode::OK);
    assert!(during > 0, "sends went on during the backup");
}

#[tokio::test]
async fn a_restore_refuses_an_archive_that_writes_outside_the_data_directory() {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("evil.tar");
    let mut tar = tar::Builder::new(std::fs::File::create(&file).unwrap());
    let mut header = tar::Header::new_gnu();
    header.set_size(4);
    header.set_cksum();
    // `append_data` refuses `..` itself: write the name into the header by hand.
    header.as_gnu_mut().unwrap().name[..13].copy_from_slice(b"../escaped.sh");
    header.set_cksum();
    tar.append(&header, &b"evil"[..]).unwrap();
    tar.finish().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("data");
    let err = restore(&settings_for(&target), &file).await.unwrap_err();
    assert!(err.to_string().contains("leaves the data directory"), "{err:#}");
    assert!(!dir.path().join("escaped.sh").exists());
}
