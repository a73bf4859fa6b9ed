//! `/api/openapi.json` describes every route the router has, and `/api/docs` renders
//! it from this server alone.

use std::collections::{BTreeMap, BTreeSet};

use natter_http::Surface;
use natter_testkit::spawn_app;
use reqwest::StatusCode;
use serde_json::Value;

/// Routes that are not REST operations and are left out of the description on purpose.
const UNDESCRIBED: &[(&str, &str)] = &[
    // The docs page and its files: HTML, CSS and scripts for a browser.
    ("GET", "/api/docs"),
    ("GET", "/api/docs/natter-docs.js"),
    ("GET", "/api/docs/{file}"),
    // Development only: mounted with the console mailer, never in a real deployment.
    ("GET", "/dev/mailbox"),
    ("GET", "/dev/mailbox.json"),
];

/// `(METHOD, path)` of every route of an axum router, read from its `Debug` output
/// (axum has no public way to list routes). HEAD, which axum adds to every GET, is
/// left out.
fn route_table(router: &axum::Router<natter_http::AppState>) -> BTreeSet<(String, String)> {
    let debug = format!("{router:?}");
    let format_changed = "axum's Debug output of a Router changed: update route_table";
    // The fallback router's routes are the fallback's, not ours.
    let ours = debug.split(", fallback_router:").next().expect(format_changed);
    let (routes, paths) = ours.split_once("node: Node { paths: ").expect(format_changed);
    let mut methods: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for chunk in routes.split("RouteId(").skip(1) {
        let (id, rest) = chunk.split_once("): ").expect(format_changed);
        let allow =
            rest.split_once("allow_header: Bytes(b\"").map(|(_, a)| a.split('"').next().unwrap_or(""));
        let allow = allow.unwrap_or_else(|| panic!("route {id} has no allowed methods: {format_changed}"));
        methods.insert(id, allow.split(',').filter(|m| *m != "HEAD").map(str::to_owned).collect());
    }
    let mut table = BTreeSet::new();
    for chunk in paths.split("RouteId(").skip(1) {
        let (id, rest) = chunk.split_once("): \"").expect(format_changed);
        let path = rest.split('"').next().expect(format_changed).to_owned();
        for method in methods.get(id).unwrap_or_else(|| panic!("{path} has no route: {format_changed}")) {
            table.insert((method.clone(), path.clone()));
        }
    }
    assert!(table.contains(&("POST".into(), "/api/v1/login".into())), "{format_changed}: {table:?}");
    table
}

/// `(METHOD, path)` of every operation a description lists.
fn operations(spec: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            ops.insert((method.to_uppercase(), path.clone()));
        }
    }
    ops
}

#[tokio::test]
async fn the_description_lists_every_route_of_the_router_and_no_other() {
    let app = spawn_app().await;
    let res = app.http.get(format!("{}/api/openapi.json", app.url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/json");
    let spec: Value = res.json().await.unwrap();
    assert!(spec["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", spec["openapi"]);

    let (router, _) = natter_http::routes(Surface { api: true, mail: true });
    let undescribed: BTreeSet<(String, String)> =
        UNDESCRIBED.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
    let routes: BTreeSet<_> = route_table(&router).difference(&undescribed).cloned().collect();
    let described = operations(&spec);
    let missing: Vec<_> = routes.difference(&described).collect();
    assert!(missing.is_empty(), "routes the description does not list: {missing:?}");
    let phantom: Vec<_> = described.difference(&routes).collect();
    assert!(phantom.is_empty(), "described operations no route serves: {phantom:?}");
}

#[tokio::test]
async fn every_operation_describes_its_errors_with_the_error_shape() {
    let app = spawn_app().await;
    let spec: Value =
        app.http.get(format!("{}/api/openapi.json", app.url)).send().await.unwrap().json().await.unwrap();
    let error_ref = "#/components/schemas/ApiErrorBody";
    assert!(spec["components"]["schemas"]["ApiErrorBody"].is_object());
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let what = format!("{} {path}", method.to_uppercase());
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.keys().any(|s| s.starts_with('2')), "{what}: no success answer");
            for (status, res) in responses.iter().filter(|(s, _)| s.starts_with('4') || s.starts_with('5')) {
                let schema = &res["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(schema, error_ref, "{what} {status}");
            }
            let authenticated = op["security"].as_array().is_some_and(|s| {
                !s.is_empty() && !s.iter().any(|r| r == &Value::from(serde_json::Map::new()))
            });
            if authenticated {
                assert!(responses.contains_key("401"), "{what}: needs a session but lists no 401");
            }
            if op["requestBody"]["content"]["application/json"].is_object() {
                for status in ["400", "413", "415"] {
                    assert!(responses.contains_key(status), "{what}: takes JSON but lists no {status}");
                }
            }
        }
    }
    let schemes = &spec["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], "natter_session");
}

#[tokio::test]
async fn the_docs_page_loads_everything_from_this_server() {
    let app = spawn_app().await;
    let res = app.http.get(format!("{}/api/docs", app.url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("http") && !csp.contains('*'), "the page's CSP allows only this server: {csp}");
    let html = res.text().await.unwrap();
    assert!(!html.contains("http:") && !html.contains("https:") && !html.contains("//"), "{html}");
    assert!(!html.contains("<script>"), "no inline script (the CSP forbids it): {html}");

    // Every file it names is ours and loads; the start-up script names only our description.
    let linked: Vec<&str> = html.split(['"', '\'']).filter(|s| s.starts_with("/api/")).collect();
    assert!(linked.len() >= 3, "{html}");
    for path in &linked {
        let res = app.http.get(format!("{}{path}", app.url)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        if path.ends_with("natter-docs.js") {
            let script = res.text().await.unwrap();
            assert!(script.contains("url: \"/api/openapi.json\""), "{script}");
            assert!(!script.contains("http:") && !script.contains("https:"), "{script}");
            assert!(script.contains("validatorUrl: null"), "no badge from the outside validator");
        }
    }
    for path in ["/api/docs/index.html", "/api/docs/swagger-initializer.js", "/api/docs/nope.js"] {
        let res = app.http.get(format!("{}{path}", app.url)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}: Swagger UI's own page loads the petstore");
    }
}
