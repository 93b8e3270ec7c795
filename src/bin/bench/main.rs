//! `cargo run --release --bin bench -- [--large] [--database-url URL] [--seconds N]`:
//! seeds a directory, starts Gatehouse on it, drives its list pages with concurrent signed-in
//! clients and prints req/s, p50, p99 and the ratio to the sign-in page measured in the same
//! run, with the process's memory.
#![allow(clippy::print_stdout)]
mod delivery;
mod load;
mod seed;
mod writes;

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
    /// SQLite only: a folder that keeps a copy of the seeded directory, so that the next run
    /// with the same size copies it instead of seeding again (the run itself changes a copy).
    #[arg(long)]
    seed_cache: Option<std::path::PathBuf>,
    /// Drive only the pages whose name contains this (and skip the writes and the
    /// scheduler), or only the scheduler with `scheduler`, or only the directory import
    /// with `import`: for profiling one part.
    #[arg(long)]
    only: Option<String>,
    /// Internal: serve Gatehouse on this database and print the port (the benchmark runs the
    /// server as a child process, so that its memory is the server's alone).
    #[arg(long, hide = true)]
    serve: Option<String>,
    /// Internal: where the served child writes its log.
    #[arg(long, hide = true)]
    serve_log: Option<std::path::PathBuf>,
}

/// The server's allocator, as in `gatehouse serve`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
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

fn settings(url: &str) -> Settings {
    Settings {
        bind: "127.0.0.1:0".into(),
        database_url: Some(url.to_owned()),
        // The delivery measurement derives the same secrets key from these bytes (0xab × 64).
        session_key: Some("ab".repeat(64)),
        scheduler_seconds: "3600".into(),
        // The load generator is one client per connection with one token.
        api_calls_per_minute: "1000000".into(),
        ..Settings::default()
    }
}

/// The child process: Gatehouse's server on `url`, its port on the first line of output,
/// logging as `gatehouse serve` does (a line per request), into `log`.
async fn serve(url: &str, log: &std::path::Path) -> anyhow::Result<()> {
    let log = std::fs::File::create(log)?;
    tracing_subscriber::fmt()
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "info,sqlx=warn,sea_orm=warn",
        ))
        .with_writer(std::sync::Mutex::new(log))
        .init();
    let config = Config::from_settings(&settings(url)).context("settings")?;
    let app = gatehouse::startup::build(config, Arc::new(SystemClock)).await?;
    println!("port {}", app.port);
    app.server.await?;
    Ok(())
}

/// Gatehouse's server as a child process of the benchmark; killed when dropped.
struct Server {
    child: std::process::Child,
    base: String,
}

impl Server {
    fn start(url: &str, log: &std::path::Path) -> anyhow::Result<Server> {
        use std::io::BufRead;
        let mut child = std::process::Command::new(std::env::current_exe()?)
            .args(["--serve", url])
            .arg("--serve-log")
            .arg(log)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .spawn()?;
        let out = child.stdout.take().context("no output from the server")?;
        let mut line = String::new();
        std::io::BufReader::new(out).read_line(&mut line)?;
        let port = line
            .trim()
            .strip_prefix("port ")
            .with_context(|| format!("the server said {line:?}"))?;
        Ok(Server {
            base: format!("http://127.0.0.1:{port}"),
            child,
        })
    }

    fn rss_mb(&self) -> f64 {
        rss_mb(self.child.id())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(url) = &args.serve {
        let log = args
            .serve_log
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("gatehouse-bench-server.log"));
        return serve(url, &log).await;
    }
    let size = if args.large {
        seed::Size::LARGE
    } else {
        seed::Size::SMALL
    };
    let dir = tempdir()?;
    let url = database(&args, &dir).await?;
    let config = Config::from_settings(&settings(&url)).context("settings")?;
    let seeding = std::time::Instant::now();
    let cached = match (&args.seed_cache, &args.database_url) {
        (Some(cache), None) => {
            let file = cache.join(if args.large { "large.db" } else { "small.db" });
            if file.exists() {
                std::fs::copy(&file, dir.join("bench.db"))?;
            }
            Some(file)
        }
        _ => None,
    };
    let db = gatehouse::db::connect(&config.database).await?;
    gatehouse::db::migrate(&db).await?;
    let world = match cached.as_ref().filter(|f| f.exists()) {
        Some(_) => seed::world(&db).await?,
        None => {
            gatehouse::services::catalogs::ensure_default(&db, &SystemClock).await?;
            let world = seed::seed(&db, size).await?;
            // As `gatehouse user add` does: the directory has people, so the setup link is
            // closed.
            gatehouse::services::setup::close(&db, &SystemClock).await?;
            if args.database_url.is_some() {
                // After a bulk load PostgreSQL plans from empty statistics until autovacuum
                // gets round to it (measured: My Access took 79 ms a page before, 2 ms after).
                use sea_orm::ConnectionTrait;
                db.execute_unprepared("ANALYZE").await?;
            }
            if let Some(file) = &cached {
                use sea_orm::ConnectionTrait;
                std::fs::create_dir_all(file.parent().unwrap_or(std::path::Path::new(".")))?;
                db.execute_unprepared(&format!(
                    "VACUUM INTO '{}'",
                    file.display().to_string().replace('\'', "''")
                ))
                .await?;
            }
            world
        }
    };
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
    let server = Server::start(&url, &dir.join("server.log"))?;
    let base = server.base.clone();
    println!("server started: {:.0} MB resident", server.rss_mb());

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
    println!(
        "after {} sign-ins: {:.0} MB resident",
        args.connections * 3,
        server.rss_mb()
    );

    // An identity provider's token, for the SCIM endpoint.
    let (_, token) = gatehouse::services::provisioning::create_token(
        &db,
        &SystemClock,
        &gatehouse::domain::principal::Principal::console(),
        "Bench identity provider",
        "90",
    )
    .await?;
    let providers: Vec<reqwest::Client> = (0..args.connections)
        .map(|_| load::provisioning_client(&token))
        .collect::<Result<_, _>>()?;

    // Scripts with personal API tokens, for the Graph-compatible API.
    let api_token = |upn: String| {
        let db = db.clone();
        async move {
            let (user, _) = gatehouse::store::users::find_credentials(&db, &upn)
                .await?
                .context("a seeded person")?;
            let (user, roles) = gatehouse::store::users::signed_in(&db, user.id)
                .await?
                .context("a seeded person")?;
            let principal = gatehouse::domain::principal::Principal::session(&user, roles, None);
            let input = gatehouse::services::api_tokens::NewToken {
                name: "Bench script".into(),
                valid_days: "7".into(),
                scopes: gatehouse::domain::principal::Scope::ALL
                    .iter()
                    .map(|s| s.as_str().to_owned())
                    .collect(),
            };
            let (_, secret) =
                gatehouse::services::api_tokens::create(&db, &SystemClock, &principal, &input)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            anyhow::Ok(secret)
        }
    };
    let scripts = |token: String| -> anyhow::Result<Vec<reqwest::Client>> {
        (0..args.connections)
            .map(|_| load::provisioning_client(&token))
            .collect()
    };
    let admin_scripts = scripts(api_token(world.admin.clone()).await?)?;
    let approver_scripts = scripts(api_token(world.approver.clone()).await?)?;
    let requestor_scripts = scripts(api_token(world.requestor.clone()).await?)?;
    const EM: &str = "/v1.0/identityGovernance/entitlementManagement";

    // Keyset paging: a page near the end costs what the first does.
    let deep = gatehouse::domain::page::NameKey {
        name: format!("User {:06}", size.users.saturating_sub(10)),
        id: uuid::Uuid::nil(),
    };
    use gatehouse::domain::page::CursorKey;
    let pages: Vec<(&str, &[reqwest::Client], String)> = vec![
        ("sign-in page (no database)", &anonymous, "/".into()),
        // The floor of a signed-in page: one statement (who is signed in) and a form.
        (
            "Admin → New user form (one statement)",
            &admins,
            "/admin/users/new".into(),
        ),
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
        // The requestor's assignments, with `Extend` and "Ends in …" worked out.
        (
            "My Access → My access",
            &requestors,
            "/myaccess/access".into(),
        ),
        (
            "A popular package's Requests",
            &admins,
            format!("/admin/access-packages/{}/requests", world.popular),
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
        // What an identity provider asks before each change: is this person here?
        (
            "SCIM → Users?filter=userName eq",
            &providers,
            format!(
                "/scim/v2/Users?filter=userName%20eq%20%22user{:06}%40bench.test%22",
                size.users / 2
            ),
        ),
        (
            "SCIM → Users, 100 from the last thousand",
            &providers,
            format!(
                "/scim/v2/Users?startIndex={}&count=100",
                size.users.saturating_sub(1_000)
            ),
        ),
        (
            "SCIM → Groups?excludedAttributes=members",
            &providers,
            "/scim/v2/Groups?excludedAttributes=members".into(),
        ),
        (
            "API → users?$top=100",
            &admin_scripts,
            "/v1.0/users?$top=100".into(),
        ),
        (
            "API → users?$filter=startswith(displayName)",
            &admin_scripts,
            format!(
                "/v1.0/users?$filter=startswith(displayName,'User%20{:06}')",
                size.users / 2
            ),
        ),
        (
            "API → users?$filter=userPrincipalName eq",
            &admin_scripts,
            format!(
                "/v1.0/users?$filter=userPrincipalName%20eq%20'user{:06}@bench.test'",
                size.users / 2
            ),
        ),
        (
            "API → assignments?$top=100 (of all)",
            &admin_scripts,
            format!("{EM}/assignments?$top=100"),
        ),
        (
            "API → assignments, newest 100 delivered",
            &admin_scripts,
            format!(
                "{EM}/assignments?$top=100&$orderby=createdDateTime%20desc&$filter=state%20eq%20'delivered'"
            ),
        ),
        (
            "API → assignmentRequests?$top=100 (of all)",
            &admin_scripts,
            format!("{EM}/assignmentRequests?$top=100"),
        ),
        (
            "API → my assignments (filterByCurrentUser)",
            &requestor_scripts,
            format!("{EM}/assignments/filterByCurrentUser(on='target')"),
        ),
        (
            "API → approvals waiting for me",
            &approver_scripts,
            format!("{EM}/accessPackageAssignmentApprovals/filterByCurrentUser(on='approver')"),
        ),
    ];
    let length = Duration::from_secs(args.seconds);
    println!(
        "\n{} clients, {} s a page\n",
        args.connections, args.seconds
    );
    println!("| page | req/s | p50 | p99 | errors | ratio to sign-in |\n|---|---|---|---|---|---|");
    let mut baseline = None;
    let scheduler_only = args.only.as_deref() == Some("scheduler");
    let import_only = args.only.as_deref() == Some("import");
    for (name, clients, path) in pages {
        if (scheduler_only || import_only) && baseline.is_some() {
            break;
        }
        if args
            .only
            .as_deref()
            .is_some_and(|only| baseline.is_some() && !name.contains(only))
        {
            continue;
        }
        let figures = load::hammer(clients, &format!("{base}{path}"), length).await?;
        let base_rate = *baseline.get_or_insert(figures.per_second);
        println!("{}", figures.line(name, base_rate));
    }
    if scheduler_only {
        scheduler(&db, &admins, &base, size).await?;
    } else if import_only {
        delivery::measure_import(&db, &[0xab; 64], size.users).await?;
    } else if args.only.is_none() {
        writes_and_scheduler(&db, &base, &approvers, &admins, &args, size, baseline).await?;
    }
    println!(
        "\nserver's resident memory after the whole run: {:.0} MB",
        server.rss_mb()
    );
    drop(server);
    match &args.database_url {
        Some(server) => drop_database(server, &url).await?,
        None => {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    Ok(())
}

/// Request submission and approval, then the scheduler.
async fn writes_and_scheduler(
    db: &sea_orm::DatabaseConnection,
    base: &str,
    approvers: &[reqwest::Client],
    admins: &[reqwest::Client],
    args: &Args,
    size: seed::Size,
    baseline: Option<f64>,
) -> anyhow::Result<()> {
    let length = Duration::from_secs(args.seconds);
    let (submitted, approved) = writes::submit_and_approve(
        db,
        base,
        approvers,
        (args.connections, size.users),
        seed::PASSWORD,
        length,
    )
    .await?;
    for (name, figures) in [("Request (submit)", submitted), ("Approve", approved)] {
        println!("{}", figures.line(name, baseline.unwrap_or(1.0)));
    }
    scheduler(db, admins, base, size).await?;
    delivery::measure(db, &[0xab; 64], 2_000.min(size.users)).await?;
    delivery::measure_import(db, &[0xab; 64], size.users).await
}

/// Sets the end of `count` delivered assignments a minute ago.
async fn make_due(db: &sea_orm::DatabaseConnection, count: usize) -> anyhow::Result<()> {
    use gatehouse::entities::assignment;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    let ids: Vec<gatehouse::ids::AssignmentId> = assignment::Entity::find()
        .select_only()
        .column(assignment::Column::Id)
        .filter(assignment::Column::State.eq("delivered"))
        .filter(assignment::Column::EndAt.gt(time::OffsetDateTime::now_utc()))
        .limit(count as u64)
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
    Ok(())
}

/// The scheduler: a pass with nothing due; one that expires a tenth of the assignments on
/// its own (the work it takes); and one that expires another tenth while the Users page is
/// under load (what readers see meanwhile).
async fn scheduler(
    db: &sea_orm::DatabaseConnection,
    admins: &[reqwest::Client],
    base: &str,
    size: seed::Size,
) -> anyhow::Result<()> {
    use gatehouse::services::scheduler::run_pass;

    let idle = std::time::Instant::now();
    run_pass(db, &SystemClock).await?;
    let idle = idle.elapsed();

    let due = size.assignments() / 10;
    make_due(db, due).await?;
    let alone = std::time::Instant::now();
    let report = run_pass(db, &SystemClock).await?;
    let alone = alone.elapsed();
    println!(
        "\nscheduler: a pass with nothing due took {:.2} ms; expiring {} due assignments took {:.1} s \
         ({:.0} a second)",
        idle.as_secs_f64() * 1000.0,
        report.expired,
        alone.as_secs_f64(),
        report.expired as f64 / alone.as_secs_f64(),
    );

    make_due(db, due).await?;
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
        "scheduler under load: expiring {} more took {:.1} s while Admin → Users (8 clients) \
         kept p99 {:.1} ms with {} errors",
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
