//! Starting chromedriver and Gatehouse, and driving pages by their words: fields by label,
//! buttons and links by text. Each page is checked for console errors and, with axe-core,
//! for serious or critical accessibility violations.
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A child process that is killed when dropped.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("screenshots");
    std::fs::create_dir_all(&dir).expect("target/screenshots");
    dir
}

/// Gatehouse on a free port with a fresh SQLite database; returns the printed setup link.
pub fn start_gatehouse(dir: &std::path::Path) -> (Process, String, String) {
    let port = free_port();
    start_gatehouse_with(
        dir,
        port,
        &[("GATEHOUSE_PUBLIC_URL", format!("http://127.0.0.1:{port}"))],
    )
}

/// Like [`start_gatehouse`], on `port` and with more settings (`GATEHOUSE_*` variables).
pub fn start_gatehouse_with(
    dir: &std::path::Path,
    port: u16,
    settings: &[(&str, String)],
) -> (Process, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
    for (name, value) in settings {
        command.env(name, value);
    }
    let mut child = command
        .arg("serve")
        .env("GATEHOUSE_BIND", format!("127.0.0.1:{port}"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/gatehouse.db?mode=rwc", dir.display()),
        )
        .env_remove("GATEHOUSE_SESSION_KEY")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the gatehouse binary starts");
    let stdout = child.stdout.take().expect("its output");
    let mut lines = BufReader::new(stdout).lines();
    let mut setup = None;
    for line in lines.by_ref() {
        let line = line.expect("a line of output");
        if let Some(at) = line.find("/setup?token=") {
            let start = line[..at].rfind("http").expect("a link");
            setup = Some(line[start..].trim().to_owned());
            break;
        }
    }
    // Keep reading what the server prints, so its writes never meet a closed pipe.
    std::thread::spawn(move || for _ in lines {});
    let base = format!("http://127.0.0.1:{port}");
    (
        Process(child),
        base,
        setup.expect("Gatehouse printed a setup link"),
    )
}

/// chromedriver on a free port, ready for sessions.
pub async fn start_chromedriver() -> (Process, String) {
    let port = free_port();
    let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
    let process = Process(
        Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "could not start {binary} ({e}): install chromium-driver, or set CHROMEDRIVER"
                )
            }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    // Waiting for a process to listen is not a timed behaviour under test: poll, bounded.
    for _ in 0..200 {
        if http.get(format!("{url}/status")).send().await.is_ok() {
            return (process, url);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("chromedriver did not start listening on {url}");
}

/// One headless Chromium window with its own profile (so its own cookies).
pub async fn browser(driver: &str, width: u32, height: u32) -> Client {
    let profile = tempfile::tempdir().expect("a profile dir").keep();
    let chrome = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        json!({
            "binary": chrome,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--lang=en-US", format!("--user-data-dir={}", profile.display()), format!("--window-size={width},{height}"),
            ],
        }),
    );
    if width < 500 {
        // Headless windows do not go narrower than 500 px: emulate the phone's screen instead.
        caps["goog:chromeOptions"]["mobileEmulation"] =
            json!({ "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1 } });
    }
    caps.insert("goog:loggingPrefs".to_owned(), json!({ "browser": "ALL" }));
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(driver)
        .await
        .expect("a Chromium session")
}

/// A failed step: which one, and what could not be found or was wrong.
#[derive(Debug)]
pub struct StepError(pub String);

impl<E: std::fmt::Display> From<E> for StepError {
    fn from(err: E) -> Self {
        StepError(err.to_string())
    }
}

pub type Step<T = ()> = Result<T, StepError>;

fn literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else {
        format!("concat('{}')", text.replace('\'', "', \"'\", '"))
    }
}

/// A page driver: the client, where Gatehouse is, and the checks run on every page.
pub struct Page {
    pub client: Client,
    pub base: String,
    pub driver: String,
    pub axe: String,
    pub name: &'static str,
    pub shots: u32,
}

impl Page {
    pub async fn open(&mut self, path: &str) -> Step {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        self.client.goto(&url).await?;
        self.check_page(&format!("opening {path}")).await
    }

    async fn find(&self, xpath: &str, what: &str) -> Step<Element> {
        self.client
            .find(Locator::XPath(xpath))
            .await
            .map_err(|_| StepError(format!("could not find {what}")))
    }

    /// The input, select or textarea whose `<label>` reads `label`.
    pub async fn field(&self, label: &str) -> Step<Element> {
        let label_el = self
            .find(
                &format!("//label[normalize-space()={}]", literal(label)),
                &format!("the label “{label}”"),
            )
            .await?;
        let id = label_el
            .attr("for")
            .await?
            .ok_or_else(|| StepError(format!("the label “{label}” is not tied to a field")))?;
        self.find(
            &format!("//*[@id={}]", literal(&id)),
            &format!("the field labelled “{label}”"),
        )
        .await
    }

    pub async fn fill(&self, label: &str, text: &str) -> Step {
        let field = self.field(label).await?;
        field.clear().await?;
        field.send_keys(text).await?;
        Ok(())
    }

    /// Picks the option reading `option` in the drop-down labelled `label`.
    pub async fn select(&self, label: &str, option: &str) -> Step {
        let field = self.field(label).await?;
        let choice = field
            .find(Locator::XPath(&format!(
                ".//option[normalize-space()={}]",
                literal(option)
            )))
            .await
            .map_err(|_| StepError(format!("the drop-down “{label}” has no option “{option}”")))?;
        choice.click().await?;
        Ok(())
    }

    /// The radio button or checkbox reading `option`, inside the group titled `legend` when given.
    pub async fn choose(&mut self, legend: Option<&str>, option: &str) -> Step {
        let scope = legend.map_or(String::new(), |l| {
            format!("//fieldset[legend[normalize-space()={}]]", literal(l))
        });
        let xpath = format!(
            "{scope}//label[contains(@class,'choice')][normalize-space()={}]//input",
            literal(option)
        );
        let input = self
            .find(
                &xpath,
                &format!(
                    "the choice “{option}”{}",
                    legend.map_or(String::new(), |l| format!(" under “{l}”"))
                ),
            )
            .await?;
        if input.is_selected().await? {
            return Ok(());
        }
        // A choice that shows its result at once loads the page again, as a person sees.
        let reloads = input.attr("data-submit-on-change").await?.is_some();
        input.click().await?;
        if reloads {
            self.wait_until_gone(&input, &format!("choosing “{option}”"))
                .await?;
            self.check_page(&format!("choosing {option}")).await?;
        }
        Ok(())
    }

    /// The choice in the group titled `legend` is the one reading `option`, untouched.
    pub async fn expect_chosen(&self, legend: &str, option: &str) -> Step {
        let xpath = format!(
            "//fieldset[legend[normalize-space()={}]]//label[contains(@class,'choice')][normalize-space()={}]//input",
            literal(legend),
            literal(option)
        );
        let input = self
            .find(&xpath, &format!("the choice “{option}” under “{legend}”"))
            .await?;
        if input.is_selected().await? {
            Ok(())
        } else {
            Err(StepError(format!(
                "“{option}” is not already chosen under “{legend}”"
            )))
        }
    }

    /// Waits for the page holding `element` to be replaced by the next one.
    async fn wait_until_gone(&self, element: &Element, doing: &str) -> Step {
        // Waiting for the browser to load a page is not a timed behaviour under test: poll,
        // bounded. A stale element means its page has gone.
        for _ in 0..200 {
            if element.is_selected().await.is_err() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(StepError(format!("{doing} did not show a new page")))
    }

    /// A visible button whose words are exactly `text`, then the page it leads to is checked.
    pub async fn press(&mut self, text: &str) -> Step {
        let xpath = format!(
            "//button[normalize-space()={} and not(contains(@class,'visually-hidden'))]",
            literal(text)
        );
        self.find(&xpath, &format!("the button “{text}”"))
            .await?
            .click()
            .await?;
        self.check_page(&format!("pressing {text}")).await
    }

    /// A link whose words are exactly `text`, inside `within` (an XPath prefix) when given.
    pub async fn follow(&mut self, within: &str, text: &str) -> Step {
        let xpath = format!("{within}//a[normalize-space()={}]", literal(text));
        self.find(&xpath, &format!("the link “{text}”"))
            .await?
            .click()
            .await?;
        self.check_page(&format!("following {text}")).await
    }

    /// A side navigation entry by its words (a count beside them, as next to `Approvals`,
    /// is not part of them).
    pub async fn nav(&mut self, text: &str) -> Step {
        let xpath = format!(
            "//nav[contains(@class,'sidenav')]//a[normalize-space(text()[1])={}]",
            literal(text)
        );
        self.find(&xpath, &format!("the link “{text}”"))
            .await?
            .click()
            .await?;
        self.check_page(&format!("following {text}")).await
    }

    pub async fn subnav(&mut self, text: &str) -> Step {
        self.follow("//nav[contains(@class,'subnav')]", text).await
    }

    /// The page's words. A page that is still loading (a redirect on its way) may replace
    /// its body between finding and reading it: read again then.
    pub async fn text(&self) -> Step<String> {
        let mut last = None;
        for _ in 0..10 {
            match self.find("//body", "the page").await?.text().await {
                Ok(text) => return Ok(text),
                Err(err) => last = Some(err),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err(last.map_or_else(|| StepError("the page has no words".into()), Into::into))
    }

    /// Waits (bounded) for the page to say `words` by itself: a page that updates as a
    /// background run goes on.
    pub async fn wait_for_text(&self, words: &str, seconds: u64) -> Step {
        for _ in 0..seconds * 4 {
            if self.text().await?.contains(words) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Err(StepError(format!(
            "the page did not come to say “{words}” within {seconds} s"
        )))
    }

    pub async fn expect_text(&self, words: &str) -> Step {
        let text = self.text().await?;
        if text.contains(words) {
            Ok(())
        } else {
            Err(StepError(format!("the page does not say “{words}”")))
        }
    }

    pub async fn key(&self, key: Key) -> Step {
        let active = self.client.active_element().await?;
        active.send_keys(&char::from(key).to_string()).await?;
        Ok(())
    }

    /// Presses Tab until the focused element matches `css`, at most 40 times.
    pub async fn tab_to(&self, css: &str, what: &str) -> Step {
        for _ in 0..40 {
            self.key(Key::Tab).await?;
            let hit = self
                .client
                .execute(
                    "return document.activeElement.matches(arguments[0]);",
                    vec![json!(css)],
                )
                .await?;
            if hit == Value::Bool(true) {
                return Ok(());
            }
        }
        Err(StepError(format!(
            "could not reach {what} with the Tab key"
        )))
    }

    pub async fn screenshot(&mut self, label: &str) -> Step {
        self.shots += 1;
        let png = self.client.screenshot().await?;
        let file = screenshots_dir().join(format!("{}-{:02}-{label}.png", self.name, self.shots));
        std::fs::write(&file, png)?;
        Ok(())
    }

    /// After every page: no console errors, no serious or critical axe violations.
    pub async fn check_page(&mut self, doing: &str) -> Step {
        self.console_errors(doing).await?;
        self.axe(doing).await
    }

    /// Drops what the console said so far: another site's page (an identity provider's)
    /// is not Gatehouse's to answer for.
    pub async fn forget_console(&self) -> Step {
        let _ = self.console_errors("another site's page").await;
        Ok(())
    }

    async fn console_errors(&self, doing: &str) -> Step {
        let session = self.client.session_id().await?.unwrap_or_default();
        let logs: Value = reqwest::Client::new()
            .post(format!("{}/session/{session}/se/log", self.driver))
            .json(&json!({ "type": "browser" }))
            .send()
            .await?
            .json()
            .await?;
        let severe: Vec<String> = logs["value"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        if severe.is_empty() {
            Ok(())
        } else {
            Err(StepError(format!(
                "console errors after {doing}: {severe:?}"
            )))
        }
    }

    async fn axe(&self, doing: &str) -> Step {
        self.client.execute(&self.axe, vec![]).await?;
        let script = "const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] })
              .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
              .catch(e => done(['axe could not run: ' + e]));";
        let found = self.client.execute_async(script, vec![]).await?;
        let problems: Vec<String> = found
            .as_array()
            .map(|v| {
                v.iter()
                    .filter_map(|p| p.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(StepError(format!(
                "accessibility violations after {doing}: {problems:#?}"
            )))
        }
    }

    /// Saves what the page looked like when a step failed.
    pub async fn save_failure(&self, step: &str) {
        let dir = screenshots_dir();
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(dir.join(format!("FAILED-{step}.png")), png);
        }
        if let Ok(html) = self.client.source().await {
            let _ = std::fs::write(dir.join(format!("FAILED-{step}.html")), html);
        }
    }
}

/// axe-core's script: from AXE_CORE_JS, or where `.ci/run` installs it.
pub fn axe_source() -> String {
    let path = std::env::var("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".ci/node_modules/axe-core/axe.min.js")
        });
    std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("axe-core not found at {}: run `npm install --prefix .ci axe-core@4` or set AXE_CORE_JS", path.display()))
}
