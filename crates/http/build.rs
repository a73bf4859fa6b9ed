// A build script reports failure by panicking; that is its interface with cargo.
#![allow(clippy::expect_used)]

//! Builds the web client (`web/`, React + Vite) and embeds its files in the binary,
//! so `cargo run --release` on a fresh clone serves the whole product. npm runs only
//! when the client's sources change. `NATTER_SKIP_WEB=1` builds an API-only binary.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let web = manifest.join("../../web");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let dist = out.join("web-dist");
    println!("cargo:rerun-if-env-changed=NATTER_SKIP_WEB");
    for watched in [
        "src",
        "public",
        "index.html",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "tsconfig.json",
        "tsconfig.app.json",
    ] {
        println!("cargo:rerun-if-changed={}", web.join(watched).display());
    }

    let files = if std::env::var("NATTER_SKIP_WEB").is_ok_and(|v| v == "1") {
        println!("cargo:warning=NATTER_SKIP_WEB=1: building natter without its web client (API only)");
        Vec::new()
    } else {
        build_web(&web, &dist);
        let mut files = Vec::new();
        collect(&dist, &dist, &mut files);
        files
    };

    let mut code = String::from(
        "/// The web client's files: (path under /, bytes).\npub static WEB_FILES: &[(&str, &[u8])] = &[\n",
    );
    for (rel, abs) in &files {
        let _ = writeln!(code, "    ({rel:?}, include_bytes!({:?})),", abs.display().to_string());
    }
    code.push_str("];\n");
    std::fs::write(out.join("web_files.rs"), code).expect("write web_files.rs");
}

fn build_web(web: &Path, dist: &Path) {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    if Command::new(npm).arg("--version").output().map(|o| !o.status.success()).unwrap_or(true) {
        panic!(
            "natter's web client is built with Node.js 20+ and npm, which were not found: install them \
             (https://nodejs.org), or set NATTER_SKIP_WEB=1 to build an API-only binary."
        );
    }
    // Otherwise a first `cargo run --release` says only "Compiling natter-http" for minutes.
    println!("cargo:warning=building the web client (npm ci + vite build), first build takes a few minutes");
    let installed = web.join("node_modules/.package-lock.json");
    let stale = match (modified(&installed), modified(&web.join("package-lock.json"))) {
        (Some(i), Some(l)) => l > i,
        _ => true,
    };
    if stale {
        run(
            Command::new(npm).args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(web),
            "npm ci",
        );
    }
    run(
        Command::new(npm)
            .args(["run", "build", "--", "--outDir"])
            .arg(dist)
            .arg("--emptyOutDir")
            .current_dir(web),
        "npm run build",
    );
}

fn run(cmd: &mut Command, what: &str) {
    let status = cmd.status().unwrap_or_else(|e| panic!("{what} could not start: {e}"));
    assert!(status.success(), "{what} failed in web/ (see its output above)");
}

fn modified(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.push((format!("/{rel}"), path));
        }
    }
}
