//! Latency histograms and their summary.

use anyhow::{Context, Result};
use hdrhistogram::Histogram;
use serde::Serialize;

/// Microseconds, 1 µs .. 10 min, 3 significant figures.
pub fn histogram() -> Result<Histogram<u64>> {
    Histogram::new_with_bounds(1, 600_000_000, 3).context("histogram")
}

#[derive(Serialize, Default, Debug, Clone)]
pub struct Quantiles {
    pub count: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

impl Quantiles {
    pub fn of(h: &Histogram<u64>) -> Quantiles {
        let ms = |us: u64| us as f64 / 1000.0;
        if h.is_empty() {
            return Quantiles::default();
        }
        Quantiles {
            count: h.len(),
            p50_ms: ms(h.value_at_quantile(0.5)),
            p90_ms: ms(h.value_at_quantile(0.9)),
            p99_ms: ms(h.value_at_quantile(0.99)),
            p999_ms: ms(h.value_at_quantile(0.999)),
            max_ms: ms(h.max()),
        }
    }
}
