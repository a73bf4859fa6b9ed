//! Issue 11, point 1: socketioxide's Redis adapter (`socketioxide-redis`) against a
//! small copy of natter's own bus (one Redis subscription per node, one publishing
//! connection, JSON frames naming the node they come from), measured on the same
//! server, the same clients and the same Redis. `run.sh` drives it.

mod load;
mod node;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Variant {
    /// socketioxide with socketioxide-redis's `RedisAdapter`.
    Adapter,
    /// socketioxide's local adapter plus our own Redis pub/sub bus.
    Bus,
}

#[derive(Subcommand)]
enum Cmd {
    /// A chat node: axum + socketioxide on `--port`.
    Node {
        #[arg(long, value_enum)]
        variant: Variant,
        #[arg(long)]
        port: u16,
        #[arg(long, default_value = "redis://127.0.0.1:6390/")]
        redis: String,
    },
    /// Socket.IO clients spread over the nodes, sending at a fixed aggregate rate.
    Load(load::Args),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.cmd {
        // The nodes get the runtime natter's server gets: multi-threaded, one worker a core.
        Cmd::Node { variant, port, redis } => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(node::run(variant, port, redis)),
        Cmd::Load(args) => {
            tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(load::run(args))
        }
    }
}
