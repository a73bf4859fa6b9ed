//! `corpus`: write the hostile image corpus (`natter-corpus`) to a folder, with a
//! MANIFEST.tsv of what natter must answer for each file.
//!
//! `uploads`: send every file of such a folder as an image message through the
//! real API (`POST /api/v1/message`, multipart, as a logged-in user), N at a time,
//! and report each answer and its time, the slowest, and the server's peak RSS
//! (VmHWM, reset at the start when allowed, and VmRSS sampled every 50 ms).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use futures_util::{StreamExt, stream};
use natter_corpus::Expect;
use reqwest::multipart::{Form, Part};
use serde::Serialize;
use tokio::time::Instant;

use crate::api;
use crate::mailbox::Mailbox;
use crate::procstat;
use crate::setup::run_id;

const MANIFEST: &str = "MANIFEST.tsv";

#[derive(clap::Args, Clone, Debug)]
pub struct CorpusArgs {
    /// Folder to write the files into (created if missing).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(clap::Args, Clone, Debug)]
pub struct UploadsArgs {
    /// Folder of files to upload (`natter-bench corpus --out`).
    #[arg(long)]
    pub dir: PathBuf,
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// Uploads in flight at once.
    #[arg(long, default_value_t = 4)]
    pub parallel: usize,
    /// PID of the server, for its peak RSS.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Fail when an upload takes longer than this (ms).
    #[arg(long, default_value_t = 2000)]
    pub max_ms: u64,
    /// Fail when the server's peak RSS exceeds this (MB).
    #[arg(long, default_value_t = 300)]
    pub max_rss_mb: u64,
    #[arg(long)]
    pub json: bool,
}

pub fn corpus_cmd(a: CorpusArgs) -> Result<()> {
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let samples = natter_corpus::hostile().map_err(|e| anyhow::anyhow!("generating the corpus: {e}"))?;
    let mut manifest = String::from("name\tmime\tstatus\tcode\n");
    let mut total = 0usize;
    for s in &samples {
        std::fs::write(a.out.join(s.name), &s.bytes).with_context(|| format!("writing {}", s.name))?;
        let (status, code) = match s.expect {
            Expect::Stored => (201, "-"),
            Expect::Refused(status, code) => (status, code),
        };
        manifest.push_str(&format!("{}\t{}\t{status}\t{code}\n", s.name, s.mime));
        total += s.bytes.len();
    }
    std::fs::write(a.out.join(MANIFEST), manifest)?;
    println!(
        "wrote {} files ({:.1} MB) and {MANIFEST} to {}",
        samples.len(),
        total as f64 / 1e6,
        a.out.display()
    );
    Ok(())
}

struct Entry {
    name: String,
    mime: String,
    expect: Option<(u16, String)>,
}

fn read_dir(dir: &Path) -> Result<Vec<Entry>> {
    let mut known: HashMap<String, (String, u16, String)> = HashMap::new();
    if let Ok(text) = std::fs::read_to_string(dir.join(MANIFEST)) {
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split('\t').collect();
            if let [name, mime, status, code] = f[..] {
                known.insert(name.into(), (mime.into(), status.parse().unwrap_or(0), code.into()));
            }
        }
    }
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name == MANIFEST || !e.file_type()?.is_file() {
            continue;
        }
        let (mime, expect) = match known.get(&name) {
            Some((mime, status, code)) => (mime.clone(), Some((*status, code.clone()))),
            None => ("application/octet-stream".to_owned(), None),
        };
        out.push(Entry { name, mime, expect });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

#[derive(Serialize)]
struct Outcome {
    name: String,
    bytes: u64,
    status: u16,
    code: String,
    ms: f64,
    expected: Option<String>,
    ok: bool,
    error: Option<String>,
}

#[derive(Serialize)]
struct Report {
    files: usize,
    parallel: usize,
    wall_s: f64,
    slowest: Option<(String, f64)>,
    unexpected: usize,
    peak_rss_mb: Option<f64>,
    sampled_peak_rss_mb: Option<f64>,
    start_rss_mb: Option<f64>,
    outcomes: Vec<Outcome>,
}

pub async fn uploads_cmd(a: UploadsArgs) -> Result<bool> {
    let base = a.url.trim_end_matches('/').to_owned();
    let entries = read_dir(&a.dir)?;
    let client = api::client(None)?;
    let mailbox = Mailbox::start(client.clone(), &base);
    let rid = run_id();
    let alice = api::login(&client, &base, &mailbox, &format!("up-{rid}-a@bench.test")).await?;
    let bob = api::login(&client, &base, &mailbox, &format!("up-{rid}-b@bench.test")).await?;
    let chat = api::new_chat(&client, &base, &alice, &bob.user_id).await?;
    let pid = a.server_pid.map(|p| p.to_string());
    let reset = pid.as_deref().is_some_and(procstat::reset_peak);
    let start_rss = pid.as_deref().and_then(procstat::sample).map(|s| s.rss_kb);
    let sampled_peak = Arc::new(AtomicU64::new(0));
    let sampler = pid.clone().map(|pid| {
        let peak = sampled_peak.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(50));
            loop {
                tick.tick().await;
                if let Some(s) = procstat::sample(&pid) {
                    peak.fetch_max(s.rss_kb, Ordering::Relaxed);
                }
            }
        })
    });

    let started = Instant::now();
    let outcomes: Vec<Outcome> = stream::iter(entries.into_iter().enumerate())
        .map(|(i, e)| {
            let (client, base, dir, token, chat) = (&client, &base, &a.dir, &alice.token, &chat);
            async move { upload(client, base, dir, token, chat, i, e).await }
        })
        .buffer_unordered(a.parallel.max(1))
        .collect()
        .await;
    let wall = started.elapsed().as_secs_f64();
    if let Some(s) = sampler {
        s.abort();
    }
    let peak = pid.as_deref().and_then(procstat::peak_rss_kb);

    let mut outcomes = outcomes;
    outcomes.sort_by(|a, b| a.name.cmp(&b.name));
    let slowest = outcomes.iter().max_by(|a, b| a.ms.total_cmp(&b.ms)).map(|o| (o.name.clone(), o.ms));
    let unexpected = outcomes.iter().filter(|o| !o.ok).count();
    let mb = |kb: u64| kb as f64 / 1024.0;
    let report = Report {
        files: outcomes.len(),
        parallel: a.parallel,
        wall_s: wall,
        slowest,
        unexpected,
        peak_rss_mb: peak.map(mb),
        sampled_peak_rss_mb: pid.as_ref().map(|_| mb(sampled_peak.load(Ordering::Relaxed))),
        start_rss_mb: start_rss.map(mb),
        outcomes,
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report, reset);
    }
    let too_slow = report.slowest.as_ref().is_some_and(|(_, ms)| *ms > a.max_ms as f64);
    let too_big = report.peak_rss_mb.is_some_and(|m| m > a.max_rss_mb as f64);
    if too_slow {
        eprintln!("natter-bench: FAIL: an upload took longer than {} ms", a.max_ms);
    }
    if too_big {
        eprintln!("natter-bench: FAIL: peak RSS above {} MB", a.max_rss_mb);
    }
    if report.unexpected > 0 {
        eprintln!("natter-bench: FAIL: {} answers differ from the manifest", report.unexpected);
    }
    Ok(!too_slow && !too_big && report.unexpected == 0)
}

async fn upload(
    client: &reqwest::Client,
    base: &str,
    dir: &Path,
    token: &str,
    chat: &str,
    i: usize,
    e: Entry,
) -> Outcome {
    let expected = e.expect.as_ref().map(|(s, c)| if c == "-" { s.to_string() } else { format!("{s} {c}") });
    let fail = |error: String, ms: f64, bytes: u64| Outcome {
        name: e.name.clone(),
        bytes,
        status: 0,
        code: String::new(),
        ms,
        expected: expected.clone(),
        ok: false,
        error: Some(error),
    };
    let bytes = match tokio::fs::read(dir.join(&e.name)).await {
        Ok(b) => b,
        Err(err) => return fail(format!("read: {err}"), 0.0, 0),
    };
    let len = bytes.len() as u64;
    let part = match Part::bytes(bytes).file_name(e.name.clone()).mime_str(&e.mime) {
        Ok(p) => p,
        Err(err) => return fail(format!("mime: {err}"), 0.0, len),
    };
    let form = Form::new()
        .text("chatId", chat.to_owned())
        .text("clientId", format!("upload-{i}"))
        .part("image", part);
    let started = Instant::now();
    let res = client.post(format!("{base}/api/v1/message")).bearer_auth(token).multipart(form).send().await;
    let (status, body) = match res {
        Ok(r) => {
            let status = r.status().as_u16();
            (status, r.text().await.unwrap_or_default())
        }
        Err(err) => return fail(format!("{err:#}"), started.elapsed().as_secs_f64() * 1e3, len),
    };
    let ms = started.elapsed().as_secs_f64() * 1e3;
    let code = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_owned))
        .unwrap_or_default();
    let ok = match &e.expect {
        Some((s, c)) => *s == status && (c == "-" || *c == code),
        None => status == 201 || (400..500).contains(&status),
    };
    Outcome { name: e.name, bytes: len, status, code, ms, expected, ok, error: None }
}

fn print_table(r: &Report, reset: bool) {
    println!("{:<42} {:>10} {:>6} {:<16} {:>8}  expected", "file", "bytes", "status", "code", "ms");
    for o in &r.outcomes {
        println!(
            "{:<42} {:>10} {:>6} {:<16} {:>8.0}  {}{}",
            o.name,
            o.bytes,
            o.status,
            o.code,
            o.ms,
            o.expected.as_deref().unwrap_or("?"),
            if o.ok {
                String::new()
            } else {
                format!("  <-- UNEXPECTED {}", o.error.as_deref().unwrap_or(""))
            }
        );
    }
    println!();
    println!("files {}, {} at a time, {:.1} s in all", r.files, r.parallel, r.wall_s);
    if let Some((name, ms)) = &r.slowest {
        println!("slowest: {name}, {ms:.0} ms");
    }
    if let Some(p) = r.peak_rss_mb {
        println!(
            "server peak RSS (VmHWM{}): {p:.1} MB; sampled every 50 ms: {:.1} MB; at start: {:.1} MB",
            if reset { ", reset at start" } else { " since the server started" },
            r.sampled_peak_rss_mb.unwrap_or(0.0),
            r.start_rss_mb.unwrap_or(0.0)
        );
    }
    println!("unexpected answers: {}", r.unexpected);
}
