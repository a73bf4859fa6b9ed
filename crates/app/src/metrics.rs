//! What `/metrics` shows, in Prometheus's text format: requests by route and status,
//! open sockets, deliveries, send and fan-out latency, the store's write queue and mail
//! jobs by state. The instruments live here; each layer records its own (the HTTP
//! middleware, both send transports, the fan-out, the mail worker), and what is a level
//! rather than a count (sockets, queue depth, jobs) is read when scraped.

use std::sync::Arc;
use std::time::Duration;

use natter_domain::ports::{Clock, Store};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::AppResult;
use crate::connections::Connections;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    /// The route as declared (`/api/v1/message/{chat_id}`), never the raw path, so a
    /// scanner cannot make one series per URL it tries.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TransportLabels {
    /// `rest` or `socket`.
    pub transport: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EventLabels {
    pub event: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// `delivered`, `retried` or `dead`.
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// 0.25 ms to ~8 s: a local send takes a millisecond or two, an overloaded one seconds.
fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Histograms<RouteLabels>,
    sends: Histograms<TransportLabels>,
    fanout: Histogram,
    deliveries: Family<EventLabels, Counter>,
    slow_sockets: Counter,
    mail: Family<OutcomeLabels, Counter>,
    push: Family<OutcomeLabels, Counter>,
    notify: Family<OutcomeLabels, Counter>,
    sockets: Gauge,
    write_queue: Gauge,
    jobs: Family<StateLabels, Gauge>,
}

impl Metrics {
    pub fn new() -> Arc<Self> {
        let mut registry = Registry::with_prefix("natter");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests answered, by route and status", requests.clone());
        let request_seconds: Histograms<RouteLabels> = Family::new_with_constructor(latency);
        registry.register(
            "http_request_seconds",
            "Time to answer an HTTP request, by route",
            request_seconds.clone(),
        );
        let sends: Histograms<TransportLabels> = Family::new_with_constructor(latency);
        registry.register(
            "send_seconds",
            "From a send's arrival to its answer (stored, or refused), by transport",
            sends.clone(),
        );
        let fanout = latency();
        registry.register(
            "fanout_seconds",
            "Time this node took to hand one bus event to every socket it concerns",
            fanout.clone(),
        );
        let deliveries = Family::<EventLabels, Counter>::default();
        registry.register("deliveries", "Events handed to a socket, by event", deliveries.clone());
        let slow_sockets = Counter::default();
        registry.register(
            "slow_socket_disconnects",
            "Sockets disconnected because they could not take a durable event (they catch up)",
            slow_sockets.clone(),
        );
        let mail = Family::<OutcomeLabels, Counter>::default();
        registry.register("mail_jobs", "Mail deliveries tried, by outcome", mail.clone());
        let push = Family::<OutcomeLabels, Counter>::default();
        registry.register("push_jobs", "Web Push deliveries tried, by outcome", push.clone());
        let notify = Family::<OutcomeLabels, Counter>::default();
        registry.register("push_checks", "New messages looked at for pushing, by outcome", notify.clone());
        let sockets = Gauge::default();
        registry.register("sockets", "Socket.IO connections open on this node", sockets.clone());
        let write_queue = Gauge::default();
        registry.register("store_write_queue", "Writes waiting for the database", write_queue.clone());
        let jobs = Family::<StateLabels, Gauge>::default();
        registry.register("jobs", "Background jobs by state (queued, leased, dead)", jobs.clone());
        Arc::new(Self {
            registry,
            requests,
            request_seconds,
            sends,
            fanout,
            deliveries,
            slow_sockets,
            mail,
            push,
            notify,
            sockets,
            write_queue,
            jobs,
        })
    }

    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        self.requests
            .get_or_create(&RequestLabels { method: method.to_owned(), route: route.to_owned(), status })
            .inc();
        self.request_seconds
            .get_or_create(&RouteLabels { route: route.to_owned() })
            .observe(took.as_secs_f64());
    }

    pub fn send(&self, transport: &str, took: Duration) {
        self.sends
            .get_or_create(&TransportLabels { transport: transport.to_owned() })
            .observe(took.as_secs_f64());
    }

    pub fn fanned_out(&self, took: Duration) {
        self.fanout.observe(took.as_secs_f64());
    }

    pub fn delivered(&self, event: &str, sockets: u64) {
        if sockets > 0 {
            self.deliveries.get_or_create(&EventLabels { event: event.to_owned() }).inc_by(sockets);
        }
    }

    pub fn slow_socket(&self) {
        self.slow_sockets.inc();
    }

    /// A job ran (`kind` one of `JobKind`'s names): mail keeps its own family, the
    /// push check and pushes theirs.
    pub fn job_done(&self, kind: &str, outcome: &str) {
        let labels = OutcomeLabels { outcome: outcome.to_owned() };
        match kind {
            "send_mail" => self.mail.get_or_create(&labels).inc(),
            "send_push" => self.push.get_or_create(&labels).inc(),
            _ => self.notify.get_or_create(&labels).inc(),
        };
    }
}

/// Renders the metrics with the levels read now.
pub struct MetricsReport {
    metrics: Arc<Metrics>,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// This node's sockets, with the realtime role.
    connections: Option<Arc<Connections>>,
}

impl MetricsReport {
    pub fn new(
        metrics: Arc<Metrics>,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        connections: Option<Arc<Connections>>,
    ) -> Self {
        Self { metrics, store, clock, connections }
    }

    /// The text exposition (format 0.0.4).
    pub async fn render(&self) -> AppResult<String> {
        let m = &self.metrics;
        let stats = self.store.stats(self.clock.now()).await?;
        let level = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        m.write_queue.set(level(stats.write_queue));
        for (state, n) in
            [("queued", stats.jobs_queued), ("leased", stats.jobs_leased), ("dead", stats.jobs_dead)]
        {
            m.jobs.get_or_create(&StateLabels { state }).set(level(n));
        }
        if let Some(c) = &self.connections {
            m.sockets.set(level(c.open_sockets()));
        }
        let mut out = String::new();
        encode(&mut out, &m.registry).map_err(|e| anyhow::anyhow!("cannot encode the metrics: {e}"))?;
        Ok(out)
    }
}
