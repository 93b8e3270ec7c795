//! A real SCIM 2.0 service provider for the tests: `scim2-server` from PyPI (installed by
//! `.ci/run` into `.ci/venv`), on a free port, in memory, killed when dropped.
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const TOKEN: &str = "scim test token";

pub struct ScimServer {
    /// The base URL, before `/Users` and `/Groups`.
    pub url: String,
    child: Child,
}

impl Drop for ScimServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary() -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".ci/venv/bin/scim2-server");
    if venv.exists() {
        return Some(venv);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("scim2-server"))
            .find(|p| p.exists())
    })
}

impl ScimServer {
    /// A running server, or `None` (with a line saying how to run the suite) when
    /// scim2-server is not installed and the suite is not required.
    pub fn start(suite: &str) -> Option<Self> {
        let Some(server) = binary() else {
            assert!(
                std::env::var("GATEHOUSE_REAL_SERVERS").map_or(true, |v| v != "required"),
                "{suite}: scim2-server is not installed (python3 -m venv .ci/venv && .ci/venv/bin/pip install scim2-server)"
            );
            // Straight to stderr: the test harness shows `eprintln!` of passing tests only
            // with --nocapture, and a skipped suite must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {suite}: needs scim2-server. Install it with `python3 -m venv .ci/venv && \
                 .ci/venv/bin/pip install scim2-server` (`.ci/run` does) and run cargo test again."
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(server)
            .args(["--hostname", "127.0.0.1", "--port", &port.to_string()])
            .args(["--bearer-token", TOKEN])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("scim2-server starts");
        let ready = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < ready,
                "scim2-server did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Self {
            url: format!("http://127.0.0.1:{port}/v2"),
            child,
        })
    }

    fn client(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    /// Creates a resource; its id.
    pub async fn create(&self, endpoint: &str, body: serde_json::Value) -> String {
        let created: serde_json::Value = self
            .client()
            .post(format!("{}/{endpoint}", self.url))
            .bearer_auth(TOKEN)
            .header("Content-Type", "application/scim+json")
            .body(body.to_string())
            .send()
            .await
            .expect("POST")
            .json()
            .await
            .expect("JSON");
        created["id"].as_str().expect("an id").to_owned()
    }

    /// Takes the user `user` out of the group, outside Gatehouse.
    pub async fn remove_member(&self, group: &str, user: &str) {
        let answer = self
            .client()
            .patch(format!("{}/Groups/{group}", self.url))
            .bearer_auth(TOKEN)
            .header("Content-Type", "application/scim+json")
            .body(
                serde_json::json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "remove", "path": format!("members[value eq \"{user}\"]")}],
                })
                .to_string(),
            )
            .send()
            .await
            .expect("PATCH");
        assert!(answer.status().is_success(), "PATCH: {}", answer.status());
    }

    /// The ids of the group's members, as the service provider lists them.
    pub async fn members(&self, group: &str) -> Vec<String> {
        let found: serde_json::Value = self
            .client()
            .get(format!("{}/Groups/{group}", self.url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("GET")
            .json()
            .await
            .expect("JSON");
        let mut ids: Vec<String> = found["members"]
            .as_array()
            .map(|m| {
                m.iter()
                    .filter_map(|v| v["value"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        ids.sort();
        ids
    }
}
