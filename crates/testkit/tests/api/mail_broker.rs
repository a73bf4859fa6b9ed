//! Mail through RabbitMQ (`NATTER_AMQP_URL`): a real broker (Debian's rabbitmq-server,
//! one per test, stopped and started again by the tests), a real SMTP server
//! (aiosmtpd), and the nodes on a PostgreSQL database of their own, as the broker
//! needs. These run on every backend run.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use natter_adapters::jobs::topology::{self, DEAD_QUEUE, JobMessage, WORK_QUEUE};
use natter_app::jobs::RetryPolicy;
use natter_testkit::db::TestDatabase;
use natter_testkit::rabbitmq::TestRabbit;
use natter_testkit::smtp::{SmtpSink, free_port};
use natter_testkit::{TestApp, TestData, TestOptions, eventually, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

fn smtp_url(port: u16) -> Option<String> {
    Some(format!("smtp://127.0.0.1:{port}?tls=none"))
}

async fn shared_data() -> Arc<TestData> {
    Arc::new(TestData::fresh().await.on_postgres(TestDatabase::create().await))
}

async fn node(
    rabbit: &TestRabbit,
    smtp_port: u16,
    data: &Arc<TestData>,
    role: &str,
    retry: Option<RetryPolicy>,
) -> TestApp {
    spawn_app_with(TestOptions {
        smtp_url: smtp_url(smtp_port),
        amqp_url: Some(rabbit.url()),
        role: Some(role.into()),
        data_dir: Some(data.clone()),
        retry_policy: retry,
        ..Default::default()
    })
    .await
}

/// `(attempts, relayed, done, dead)` of every job, as the workers left them.
async fn jobs(app: &TestApp) -> Vec<(i64, bool, bool, bool)> {
    app.db_rows(
        "select attempts, relayed_at is not null, done_at is not null, dead_at is not null from jobs order by created_at",
    )
    .await
}

async fn login(app: &TestApp, to: &str) {
    let res = app.post_json("/login", json!({ "email": to })).await;
    assert_eq!(res.status(), StatusCode::OK, "{to}");
}

fn mails_to(sink: &SmtpSink, to: &str) -> usize {
    sink.messages().iter().filter(|m| m.contains(&format!("To: {to}"))).count()
}

async fn wait_for_mail(sink: &SmtpSink, to: &str, within: Duration) {
    eventually(within, &format!("a mail to {to}"), || async { (mails_to(sink, to) > 0).then_some(()) }).await;
}

/// Retries a test can watch: `first` doubling, `max_attempts` tries in all.
fn retries(first: Duration, max_attempts: u32) -> RetryPolicy {
    RetryPolicy { first_backoff: first, max_backoff: first * 16, max_attempts, ..RetryPolicy::default() }
}

/// An SMTP server that refuses the first `refusals` connections (421, as a busy server
/// does) and passes the others to `upstream`, noting when each connection came.
struct RefusingSmtp {
    port: u16,
    seen: Arc<Mutex<Vec<Instant>>>,
}

impl RefusingSmtp {
    async fn start(refusals: usize, upstream: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let nth = {
                    let mut log = log.lock().unwrap();
                    log.push(Instant::now());
                    log.len()
                };
                tokio::spawn(async move {
                    if nth <= refusals {
                        let _ = client.write_all(b"421 4.3.2 busy, try again later\r\n").await;
                        let _ = client.shutdown().await;
                        return;
                    }
                    if let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Self { port, seen }
    }

    fn seen(&self) -> Vec<Instant> {
        self.seen.lock().unwrap().clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn login_code_mails_arrive_through_the_broker_and_readyz_names_it() {
    let rabbit = TestRabbit::start().await;
    let sink = SmtpSink::start(free_port()).await;
    let data = shared_data().await;
    let app = node(&rabbit, sink.port, &data, "all", None).await;
    for i in 0..3 {
        login(&app, &format!("user{i}@example.com")).await;
    }
    for i in 0..3 {
        wait_for_mail(&sink, &format!("user{i}@example.com"), Duration::from_secs(15)).await;
    }
    let code = natter_testkit::spawn::extract_code(
        sink.messages()
            .iter()
            .find(|m| m.contains("To: user0@example.com"))
            .unwrap()
            .split("\n\n")
            .nth(1)
            .unwrap(),
    )
    .expect("a code in the mail");
    let res = app.post_json("/verify", json!({ "email": "user0@example.com", "otp": code })).await;
    assert_eq!(res.status(), StatusCode::OK, "the code that came through the broker logs in");
    eventually(Duration::from_secs(10), "every job relayed and done", || async {
        (jobs(&app).await == vec![(0, true, true, false); 3]).then_some(())
    })
    .await;
    assert_eq!(sink.messages().len(), 3, "each mailed once");
    assert_eq!(rabbit.queue_len(WORK_QUEUE).await, Some(0), "every delivery acknowledged");
    assert_eq!(rabbit.queue_len(DEAD_QUEUE).await, Some(0));
    let ready: serde_json::Value =
        app.http.get(format!("{}/readyz", app.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready, json!({ "status": "ready", "dependencies": ["store", "amqp"] }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mail_the_smtp_server_refuses_three_times_is_mailed_once_after_growing_delays() {
    let rabbit = TestRabbit::start().await;
    let sink = SmtpSink::start(free_port()).await;
    let smtp = RefusingSmtp::start(3, sink.port).await;
    let data = shared_data().await;
    let first = Duration::from_millis(400);
    let app = node(&rabbit, smtp.port, &data, "all", Some(retries(first, 12))).await;
    login(&app, "ada@example.com").await;
    wait_for_mail(&sink, "ada@example.com", Duration::from_secs(20)).await;
    eventually(Duration::from_secs(10), "the job done after 3 failed tries", || async {
        (jobs(&app).await == [(3, true, true, false)]).then_some(())
    })
    .await;
    let seen = smtp.seen();
    assert_eq!(seen.len(), 4, "three refused, the fourth delivered");
    let gaps: Vec<Duration> = seen.windows(2).map(|w| w[1] - w[0]).collect();
    // Each retry waited at least its backoff in the broker's delay queue: 400, 800, 1600 ms.
    for (i, gap) in gaps.iter().enumerate() {
        let backoff = first * (1 << i);
        assert!(*gap >= backoff.mul_f32(0.95), "retry {} came after {gap:?}, before its {backoff:?}", i + 1);
        assert!(*gap < backoff + Duration::from_secs(2), "retry {} came late: {gap:?}", i + 1);
    }
    assert!(gaps[1] > gaps[0] && gaps[2] > gaps[1], "the delays grow: {gaps:?}");
    for delay in [400, 800, 1600] {
        let queue = topology::retry_queue(Duration::from_millis(delay));
        assert_eq!(rabbit.queue_len(&queue).await, Some(0), "{queue}: the retry went back to work");
    }
    assert_eq!(mails_to(&sink, "ada@example.com"), 1, "mailed once");
    assert_eq!(rabbit.queue_len(DEAD_QUEUE).await, Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mail_refused_every_time_goes_to_the_dead_letter_queue_after_the_last_try() {
    let rabbit = TestRabbit::start().await;
    let smtp = RefusingSmtp::start(usize::MAX, free_port()).await;
    let data = shared_data().await;
    let app = node(&rabbit, smtp.port, &data, "all", Some(retries(Duration::from_millis(100), 4))).await;
    login(&app, "ada@example.com").await;
    eventually(Duration::from_secs(20), "the job in the dead-letter queue", || async {
        (rabbit.queue_len(DEAD_QUEUE).await == Some(1)).then_some(())
    })
    .await;
    assert_eq!(jobs(&app).await, [(4, true, false, true)], "dead after its 4 tries");
    // Nothing tries it again.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(smtp.seen().len(), 4, "max_attempts tries, then no more");
    assert_eq!(rabbit.queue_len(WORK_QUEUE).await, Some(0));
    let (props, body) = rabbit.take(DEAD_QUEUE).await.expect("the dead letter");
    let dead = JobMessage::read(&props).expect("a job's message");
    assert_eq!((dead.kind.as_str(), dead.attempts), ("send_mail", 4), "its tries counted in the header");
    assert!(
        !natter_testkit::fixtures::contains(&body, b"ada@example.com"),
        "still sealed in the dead letters"
    );
}

/// A consumer that died after mailing and before its ack has its delivery handed out
/// again; a relay that died between the confirm and its mark publishes again. Either
/// way the broker holds the job's message twice: it is mailed once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_job_delivered_twice_is_mailed_once_and_both_deliveries_are_acknowledged() {
    let rabbit = TestRabbit::start().await;
    let sink = SmtpSink::start(free_port()).await;
    let data = shared_data().await;
    // No consumer yet: the api node's relay leaves the message in the work queue.
    let api = node(&rabbit, sink.port, &data, "api", None).await;
    login(&api, "ada@example.com").await;
    eventually(Duration::from_secs(10), "the job marked relayed", || async {
        (jobs(&api).await == [(0, true, false, false)]).then_some(())
    })
    .await;
    assert_eq!(rabbit.queue_len(WORK_QUEUE).await, Some(1), "the message waits for a consumer");
    let (props, body) = rabbit.take(WORK_QUEUE).await.expect("the relayed message");
    assert_eq!(*props.delivery_mode(), Some(2), "persistent");
    for readable in [&b"ada@example.com"[..], b"login code", b"natter"] {
        assert!(!natter_testkit::fixtures::contains(&body, readable), "the message on the broker is sealed");
    }
    // The same message twice, as a redelivery or a second relay would put it there.
    rabbit.publish(WORK_QUEUE, props.clone(), &body).await;
    rabbit.publish(WORK_QUEUE, props, &body).await;

    let _mail = node(&rabbit, sink.port, &data, "mail", None).await;
    wait_for_mail(&sink, "ada@example.com", Duration::from_secs(15)).await;
    eventually(Duration::from_secs(10), "both deliveries acknowledged", || async {
        (rabbit.queue_len(WORK_QUEUE).await == Some(0)).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(mails_to(&sink, "ada@example.com"), 1, "mailed once");
    assert_eq!(jobs(&api).await, [(0, true, true, false)]);
    assert_eq!(rabbit.queue_len(DEAD_QUEUE).await, Some(0));
}

/// The broker is away for a while (`NATTER_TEST_BROKER_OUTAGE_SECS`, 10 s by default
/// so the suite stays quick; the 60 s is the same test with that set) while
/// people log in: every login succeeds, no code mail is lost, each goes out once the
/// broker is back, well within a code's 10 minutes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_the_broker_stopped_logins_succeed_and_every_code_mail_goes_out_once_it_is_back() {
    let outage = Duration::from_secs(
        std::env::var("NATTER_TEST_BROKER_OUTAGE_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(10),
    );
    let mut rabbit = TestRabbit::start().await;
    let sink = SmtpSink::start(free_port()).await;
    let data = shared_data().await;
    let app = node(&rabbit, sink.port, &data, "all", None).await;
    login(&app, "before@example.com").await;
    wait_for_mail(&sink, "before@example.com", Duration::from_secs(15)).await;

    rabbit.stop();
    let stopped = Instant::now();
    let readyz = format!("{}/readyz", app.url);
    let not_ready = eventually(Duration::from_secs(10), "/readyz to name the broker", || async {
        let res = app.http.get(&readyz).send().await.ok()?;
        (res.status() == StatusCode::SERVICE_UNAVAILABLE).then_some(res)
    })
    .await;
    let body: serde_json::Value = not_ready.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("amqp"), "{body}");
    // A login every second or so for as long as the broker is away.
    let mut people = Vec::new();
    while stopped.elapsed() < outage {
        let to = format!("during{}@example.com", people.len());
        // Each from an address of its own: these are many people, not one client
        // hitting the login limit.
        let from = app.http_from(&format!("127.0.1.{}", people.len() + 1));
        let res = from.post(app.api("/login")).json(&json!({ "email": to })).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{to}: logins succeed while the broker is away");
        people.push(to);
        tokio::time::sleep(Duration::from_millis(900)).await;
    }
    assert!(people.len() >= outage.as_secs() as usize / 2, "{} logins", people.len());
    assert!(people.iter().all(|to| mails_to(&sink, to) == 0), "nothing can be mailed meanwhile");

    rabbit.start_again().await;
    let back = Instant::now();
    let away = back - stopped;
    for to in &people {
        wait_for_mail(&sink, to, Duration::from_secs(60)).await;
    }
    let caught_up = back.elapsed();
    eprintln!(
        "broker away {away:?} (its restart included) with {} logins: every code mailed {caught_up:?} after its port opened again",
        people.len()
    );
    assert!(caught_up < Duration::from_secs(60), "mailed well within a code's lifetime: {caught_up:?}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    for to in people.iter().chain(std::iter::once(&"before@example.com".to_owned())) {
        assert_eq!(mails_to(&sink, to), 1, "{to}: mailed once");
    }
    assert!(jobs(&app).await.iter().all(|&(_, relayed, done, _)| relayed && done));
    eventually(Duration::from_secs(10), "/readyz ready again", || async {
        let res = app.http.get(&readyz).send().await.ok()?;
        (res.status() == StatusCode::OK).then_some(())
    })
    .await;
}
