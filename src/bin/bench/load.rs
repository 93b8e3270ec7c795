//! A small HTTP load generator: `connections` clients, each sending one request after the
//! other for a while, with the latency of every answer kept.
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// What one page did under load.
pub struct Figures {
    pub errors: usize,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// A client that keeps its session cookie, never follows redirects.
pub fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1)
        .build()?)
}

/// A client that presents a SCIM provisioning token, as an identity provider does.
pub fn provisioning_client(token: &str) -> anyhow::Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse()?,
    );
    Ok(reqwest::Client::builder()
        .default_headers(headers)
        .pool_max_idle_per_host(1)
        .build()?)
}

/// Signs in as `upn` and returns the client holding the session.
pub async fn sign_in(base: &str, upn: &str, password: &str) -> anyhow::Result<reqwest::Client> {
    let client = client()?;
    let page = client.get(format!("{base}/")).send().await?.text().await?;
    let token = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .context("no CSRF token on the sign-in page")?
        .to_owned();
    let answer = client
        .post(format!("{base}/"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("username", upn),
            ("password", password),
        ])
        .send()
        .await?;
    if answer.status() != reqwest::StatusCode::SEE_OTHER {
        bail!("signing in as {upn} answered {}", answer.status());
    }
    Ok(client)
}

/// GETs `url` from `connections` clients at once for `length`; every client has its own
/// copy of the session (a fresh sign-in each, so the pool does not serialise on one).
pub async fn hammer(
    clients: &[reqwest::Client],
    url: &str,
    length: Duration,
) -> anyhow::Result<Figures> {
    let start = Instant::now();
    let deadline = start + length;
    let mut tasks = Vec::new();
    for client in clients {
        let client = client.clone();
        let url = url.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0usize;
            while Instant::now() < deadline {
                let sent = Instant::now();
                match client.get(&url).send().await {
                    Ok(answer) if answer.status().is_success() => {
                        let _ = answer.bytes().await;
                        times.push(sent.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (times, errors)
        }));
    }
    gather(tasks, start).await
}

/// Waits for every client's task and puts their latencies and errors together.
pub async fn gather(
    tasks: Vec<tokio::task::JoinHandle<(Vec<Duration>, usize)>>,
    start: Instant,
) -> anyhow::Result<Figures> {
    let mut times = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (t, e) = task.await?;
        times.extend(t);
        errors += e;
    }
    Ok(figures(times, errors, start.elapsed()))
}

impl Figures {
    /// The benchmark table's line for `name`.
    pub fn line(&self, name: &str, baseline: f64) -> String {
        format!(
            "| {name} | {:.0} | {:.1} ms | {:.1} ms | {} | {:.0} % |",
            self.per_second,
            self.p50.as_secs_f64() * 1000.0,
            self.p99.as_secs_f64() * 1000.0,
            self.errors,
            100.0 * self.per_second / baseline.max(1.0),
        )
    }
}

/// The figures of a run from each answer's latency.
pub fn figures(mut times: Vec<Duration>, errors: usize, elapsed: Duration) -> Figures {
    times.sort();
    let at = |q: f64| {
        times
            .get(((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Figures {
        errors,
        per_second: times.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}
