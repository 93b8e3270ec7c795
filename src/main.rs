//! Parses the command line and settings, then runs the chosen command.
use std::process::ExitCode;

use clap::Parser;
use gatehouse::cli::{Cli, Command, run};
use gatehouse::config::Config;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// mimalloc gives freed memory back to the system: with the C library's allocator each
/// thread that hashed a password kept argon2's 19 MiB block (measured by the benchmark:
/// 250 MB resident after 192 sign-ins).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // A line when each request (and each service call in it) ends: every line of a request
    // carries its request_id from the root span.
    tracing_subscriber::fmt()
        .with_span_events(FmtSpan::CLOSE)
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn")),
        )
        .init();
    let config = match Config::from_settings(&cli.settings) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("gatehouse: bad configuration: {err}");
            return ExitCode::from(2);
        }
    };
    match run(config, cli.command.unwrap_or(Command::Serve)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gatehouse: {err:#}");
            ExitCode::FAILURE
        }
    }
}
