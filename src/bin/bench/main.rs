//! `cargo run --release --bin bench -- [--large] [--database-url URL] [--seconds N]`:
//! seeds a directory, starts Gatehouse on it, drives its list pages with concurrent signed-in
//! clients and prints req/s, p50, p99 and the ratio to the sign-in page measured in the same
//! run, with the process's memory.
#![allow(clippy::print_stdout)]
mod load;
mod seed;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use gatehouse::clock::SystemClock;
use gatehouse::config::{Config, Settings};

#[derive(Parser)]
#[command(about = "Gatehouse's benchmark: list pages on a seeded directory")]
struct Args {
    /// 100k users, 10k groups, 10k packages, ~1M assignments (default: 1k users, 100 packages).
    #[arg(long)]
    large: bool,
    /// A PostgreSQL server to use (a fresh database is made on it). Unset: a SQLite file in a
    /// temporary folder.
    #[arg(long)]
    database_url: Option<String>,
    /// Seconds of load on each page.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 64)]
    connections: usize,
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Drops the PostgreSQL database the run made (SQLite's folder is removed with the run).
async fn drop_database(server: &str, url: &str) -> anyhow::Result<()> {
    use sea_orm::ConnectionTrait;
    let Some((_, name)) = url.rsplit_once('/') else {
        return Ok(());
    };
    let admin = sea_orm::Database::connect(server).await?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await?;
    Ok(())
}

async fn database(args: &Args, dir: &std::path::Path) -> anyhow::Result<String> {
    let Some(server) = &args.database_url else {
        return Ok(format!(
            "sqlite://{}?mode=rwc",
            dir.join("bench.db").display()
        ));
    };
    use sea_orm::ConnectionTrait;
    let name = format!("gatehouse_bench_{}", uuid::Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(server).await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await?;
    let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
    Ok(format!("{base}/{name}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let size = if args.large {
        seed::Size::LARGE
    } else {
        seed::Size::SMALL
    };
    let dir = tempdir()?;
    let url = database(&args, &dir).await?;
    let settings = Settings {
        bind: "127.0.0.1:0".into(),
        database_url: Some(url.clone()),
        session_key: Some("ab".repeat(64)),
        public_url: None,
        session_idle_minutes: "480".into(),
        trusted_proxy: None,
        scheduler_seconds: "3600".into(),
    };
    let config = Config::from_settings(&settings).context("settings")?;
    let seeding = std::time::Instant::now();
    let db = gatehouse::db::connect(&config.database).await?;
    gatehouse::db::migrate(&db).await?;
    gatehouse::services::catalogs::ensure_default(&db, &SystemClock).await?;
    let world = seed::seed(&db, size).await?;
    // As `gatehouse user add` does: the directory has people, so the setup link is closed.
    gatehouse::services::setup::close(&db, &SystemClock).await?;
    println!(
        "seeded {} users, {} groups, {} packages, {} assignments, {} pending in {:.1} s ({})",
        size.users,
        size.groups,
        size.packages,
        size.assignments(),
        size.pending,
        seeding.elapsed().as_secs_f64(),
        if args.database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let app = gatehouse::startup::build(config, Arc::new(SystemClock)).await?;
    let base = format!("http://127.0.0.1:{}", app.port);
    tokio::spawn(app.server);

    let sessions = |upn: String| {
        let base = base.clone();
        async move {
            let mut clients = Vec::new();
            for _ in 0..args.connections {
                clients.push(load::sign_in(&base, &upn, seed::PASSWORD).await?);
            }
            anyhow::Ok(clients)
        }
    };
    let anonymous: Vec<reqwest::Client> = (0..args.connections)
        .map(|_| load::client())
        .collect::<Result<_, _>>()?;
    let admins = sessions(world.admin.clone()).await?;
    let approvers = sessions(world.approver.clone()).await?;
    let requestors = sessions(world.requestor.clone()).await?;

    // Keyset paging: a page near the end costs what the first does.
    let deep = gatehouse::domain::page::NameKey {
        name: format!("User {:06}", size.users.saturating_sub(10)),
        id: uuid::Uuid::nil(),
    };
    use gatehouse::domain::page::CursorKey;
    let pages: Vec<(&str, &[reqwest::Client], String)> = vec![
        ("sign-in page (no database)", &anonymous, "/".into()),
        (
            "My Access → Access packages",
            &requestors,
            "/myaccess/access-packages".into(),
        ),
        (
            "My Access → Approvals → Pending",
            &approvers,
            "/myaccess/approvals".into(),
        ),
        (
            "Admin → Users, last page",
            &admins,
            format!("/admin/users?after={}", deep.to_token()),
        ),
        ("Admin → Groups", &admins, "/admin/groups".into()),
        ("Audit log", &admins, "/admin/audit".into()),
        (
            "A popular package's Assignments",
            &admins,
            format!("/admin/access-packages/{}/assignments", world.popular),
        ),
    ];
    let length = Duration::from_secs(args.seconds);
    println!(
        "\n{} clients, {} s a page\n",
        args.connections, args.seconds
    );
    println!("| page | req/s | p50 | p99 | errors | ratio to sign-in |\n|---|---|---|---|---|---|");
    let mut baseline = None;
    for (name, clients, path) in pages {
        let figures = load::hammer(clients, &format!("{base}{path}"), length).await?;
        let base_rate = *baseline.get_or_insert(figures.per_second);
        println!(
            "| {name} | {:.0} | {:.1} ms | {:.1} ms | {} | {:.0} % |",
            figures.per_second,
            figures.p50.as_secs_f64() * 1000.0,
            figures.p99.as_secs_f64() * 1000.0,
            figures.errors,
            100.0 * figures.per_second / base_rate.max(1.0),
        );
        let _ = figures.requests;
    }
    scheduler(&db, &admins, &base, size).await?;
    println!("\nresident memory of the whole run: {:.0} MB", rss_mb());
    match &args.database_url {
        Some(server) => drop_database(server, &url).await?,
        None => {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    Ok(())
}

/// The scheduler: a pass with nothing due, then one that expires a tenth of the assignments
/// while the Users page is under load.
async fn scheduler(
    db: &sea_orm::DatabaseConnection,
    admins: &[reqwest::Client],
    base: &str,
    size: seed::Size,
) -> anyhow::Result<()> {
    use gatehouse::entities::assignment;
    use gatehouse::services::scheduler::run_pass;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

    let idle = std::time::Instant::now();
    run_pass(db, &SystemClock).await?;
    let idle = idle.elapsed();

    let due = size.assignments() / 10;
    let ids: Vec<gatehouse::ids::AssignmentId> = assignment::Entity::find()
        .select_only()
        .column(assignment::Column::Id)
        .filter(assignment::Column::State.eq("delivered"))
        .limit(due as u64)
        .into_tuple()
        .all(db)
        .await?;
    let past = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
    for chunk in ids.chunks(1000) {
        assignment::Entity::update_many()
            .col_expr(assignment::Column::EndAt, Expr::value(Some(past)))
            .filter(assignment::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    let pass = {
        let db = db.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let report = run_pass(&db, &SystemClock).await;
            (report, started.elapsed())
        })
    };
    let url = format!("{base}/admin/users");
    let mut during = Vec::new();
    while !pass.is_finished() {
        during.push(
            load::hammer(
                &admins[..8.min(admins.len())],
                &url,
                Duration::from_millis(500),
            )
            .await?,
        );
    }
    let (report, took) = pass.await?;
    let report = report?;
    let worst = during.iter().map(|f| f.p99).max().unwrap_or_default();
    let errors: usize = during.iter().map(|f| f.errors).sum();
    println!(
        "\nscheduler: a pass with nothing due took {:.2} ms; expiring {} due assignments took {:.1} s; \
         Admin → Users meanwhile: p99 {:.1} ms, {} errors",
        idle.as_secs_f64() * 1000.0,
        report.expired,
        took.as_secs_f64(),
        worst.as_secs_f64() * 1000.0,
        errors,
    );
    Ok(())
}

fn tempdir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("gatehouse-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
