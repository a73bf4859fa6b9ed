use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use natter::Application;
use natter::config::{RawConfig, Settings};

/// mimalloc, not glibc's malloc: a message allocates and frees dozens of small buffers
/// across the runtime and the SQLite writer, and glibc's allocator was ~13 % of the
/// server's CPU under load (docs/PERFORMANCE.md, issue 15).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "natter", version, about = "A self-hostable real-time chat server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (every role in one process unless --role says otherwise).
    Serve {
        /// `all`, `api`, `realtime`, `mail` or a comma list (overrides NATTER_ROLE).
        #[arg(long)]
        role: Option<String>,
        /// Address to listen on (overrides NATTER_LISTEN).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Configuration commands.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Operations on an installation: backup, restore, migrate.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Copy the embedded installation (database, media, server secret) into one archive,
    /// consistently, also while the server runs.
    Backup { file: PathBuf },
    /// Bring an archive made by `backup` back into an empty data directory.
    Restore { file: PathBuf },
    /// Copy the embedded SQLite installation into an empty PostgreSQL database (stop the
    /// server first). Resumable: run it again after an interruption.
    Migrate {
        /// The target, `postgres://user:password@host:port/database`.
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the effective configuration, secrets redacted, and exit non-zero if it is invalid.
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve { role: None, listen: None }) {
        Command::Serve { role, listen } => serve(role, listen),
        Command::Config { command: ConfigCommand::Check } => check(),
        Command::Admin { command } => admin(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("natter: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn settings(role: Option<String>, listen: Option<String>) -> anyhow::Result<Settings> {
    let mut raw = RawConfig::load()?;
    if let Some(r) = role {
        raw.role = r;
    }
    if let Some(l) = listen {
        raw.listen = l;
    }
    Settings::from_raw(raw)
}

fn check() -> anyhow::Result<()> {
    let s = settings(None, None)?;
    print!("{}", s.describe());
    println!("configuration OK");
    Ok(())
}

fn admin(command: AdminCommand) -> anyhow::Result<()> {
    let s = settings(None, None)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let dir = s.data_dir.display();
        let (r, what) = match command {
            AdminCommand::Backup { file } => {
                (natter::admin::backup(&s, &file).await?, format!("backed up {dir} into {}", file.display()))
            }
            AdminCommand::Restore { file } => {
                (natter::admin::restore(&s, &file).await?, format!("restored {} into {dir}", file.display()))
            }
            AdminCommand::Migrate { to } => return migrate(&s, &to).await,
        };
        println!(
            "{what}: {} users, {} chats, {} messages, {} media files",
            r.counts.users, r.counts.chats, r.counts.messages, r.media_files
        );
        Ok(())
    })
}

async fn migrate(s: &Settings, to: &str) -> anyhow::Result<()> {
    use natter::migrate::{DEFAULT_PAGE_ROWS, Outcome, migrate_to};
    use std::time::{Duration, Instant};
    eprintln!("copying {} into PostgreSQL; stop every server that uses it first", s.database_url);
    let mut shown = Instant::now();
    let outcome = migrate_to(s, to, DEFAULT_PAGE_ROWS, |p| {
        // A line per table and every two seconds within a long one.
        if p.copied >= p.total || shown.elapsed() >= Duration::from_secs(2) {
            eprintln!("  {:<12} {:>10} / {}", p.table, p.copied, p.total);
            shown = Instant::now();
        }
        std::ops::ControlFlow::Continue(())
    })
    .await?;
    if let Outcome::Copied { tables, chats_checked, resumed } = outcome {
        let how = if resumed { "finished the copy" } else { "copied" };
        println!("{how}; every table and the last seq of each of {chats_checked} chats match:");
        for t in tables {
            println!("  {:<12} {:>10}", t.table, t.rows);
        }
        println!(
            "Start natter with NATTER_DATABASE_URL set to the target, NATTER_SECRET set to the content of \
             {} (so the sessions and image links stay valid) and the same NATTER_DATA_DIR ({}), whose \
             media folder stays in use.",
            s.data_dir.join(natter::config::SECRET_FILE).display(),
            s.data_dir.display()
        );
    }
    Ok(())
}

fn serve(role: Option<String>, listen: Option<String>) -> anyhow::Result<()> {
    let s = settings(role, listen)?;
    init_tracing(&s);
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let app = Application::build(s).await?;
        app.run_until_stopped(shutdown_signal()).await
    })
}

fn init_tracing(s: &Settings) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&s.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if s.log_json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down");
}
