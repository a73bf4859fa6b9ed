//! A node whose fan-out stops can no longer deliver: it must say so on /readyz and
//! exit with an error, not keep serving as if nothing happened.

use std::sync::Arc;
use std::time::Duration;

use natter_adapters::bus::MemoryBus;
use natter_testkit::faults::ClosableBus;
use natter_testkit::{TestOptions, eventually, spawn_app_with};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn a_node_whose_fan_out_stopped_fails_readyz_and_exits_with_an_error() {
    let bus = Arc::new(ClosableBus::new(Arc::new(MemoryBus::new(64))));
    let app = spawn_app_with(TestOptions { bus: Some(bus.clone()), ..TestOptions::default() }).await;
    let readyz = format!("{}/readyz", app.url);
    assert_eq!(app.http.get(&readyz).send().await.unwrap().status(), StatusCode::OK);

    bus.close();
    let res = eventually(Duration::from_secs(5), "readyz to fail", || async {
        let res = app.http.get(&readyz).send().await.ok()?;
        (res.status() == StatusCode::SERVICE_UNAVAILABLE).then_some(res)
    })
    .await;
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "not_ready");
    let ended =
        tokio::time::timeout(Duration::from_secs(10), app.exited()).await.expect("it exits by itself");
    let err = ended.expect_err("with an error");
    assert!(err.to_string().contains("fan-out"), "{err}");
}
