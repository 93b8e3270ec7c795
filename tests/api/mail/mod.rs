//! Email against a real SMTP server: `aiosmtpd` from PyPI (installed by `.ci/run` into
//! `.ci/venv`), started on a free port with a Maildir it writes every message into.
mod notifications;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpServer {
    pub port: u16,
    maildir: tempfile::TempDir,
    child: Child,
    /// With TLS: the certificate (self-signed for `localhost`), PEM.
    pub certificate: Option<String>,
}

/// How a server speaks TLS.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Security {
    Plain,
    /// STARTTLS, required before any mail.
    StartTls,
    /// TLS from the first byte.
    Smtps,
    /// STARTTLS, then this user name and password (`tests/mail/auth_server.py`).
    StartTlsWithPassword(&'static str, &'static str),
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn python() -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".ci/venv/bin/python");
    let installed = Command::new(&venv)
        .args(["-c", "import aiosmtpd"])
        .output()
        .is_ok_and(|o| o.status.success());
    installed.then_some(venv)
}

/// One message as the server received it: its headers and its text.
pub struct Received {
    pub raw: String,
}

impl Received {
    /// The message's parts decoded (base64 and quoted-printable), one after the other.
    pub fn body(&self) -> String {
        use base64::Engine;
        let mut out = String::new();
        for part in self.raw.split("\r\n--") {
            let (head, body) = part.split_once("\r\n\r\n").unwrap_or((part, ""));
            let head = head.to_lowercase();
            if head.contains("content-transfer-encoding: base64") {
                let joined: String = body.split_whitespace().collect();
                let joined = joined.split("--").next().unwrap_or_default().to_owned();
                if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(joined) {
                    out.push_str(&String::from_utf8_lossy(&bytes));
                }
            } else if head.contains("content-transfer-encoding: quoted-printable") {
                let joined = body.replace("=\r\n", "");
                let bytes = joined.as_bytes();
                let mut decoded = Vec::with_capacity(bytes.len());
                let mut i = 0;
                while i < bytes.len() {
                    if bytes[i] == b'='
                        && i + 2 < bytes.len()
                        && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
                    {
                        decoded.push(b);
                        i += 3;
                        continue;
                    }
                    decoded.push(bytes[i]);
                    i += 1;
                }
                out.push_str(&String::from_utf8_lossy(&decoded));
            } else {
                out.push_str(body);
            }
            out.push('\n');
        }
        out
    }

    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.raw.split("\r\n\r\n").next().unwrap_or_default();
        let prefix = format!("{}:", name.to_lowercase());
        head.replace("\r\n ", " ")
            .lines()
            .find(|l| l.to_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_owned())
    }
}

impl SmtpServer {
    /// A running server, or `None` (with a line saying how to run the suite) when aiosmtpd
    /// is not installed and the suite is not required.
    pub fn start(suite: &str) -> Option<Self> {
        Self::start_with(suite, Security::Plain)
    }

    pub fn start_with(suite: &str, security: Security) -> Option<Self> {
        let Some(python) = python() else {
            assert!(
                std::env::var("GATEHOUSE_REAL_SERVERS").map_or(true, |v| v != "required"),
                "{suite}: aiosmtpd is not installed (.ci/venv/bin/pip install aiosmtpd)"
            );
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {suite}: needs aiosmtpd. Install it with `python3 -m venv .ci/venv && \
                 .ci/venv/bin/pip install aiosmtpd` (`.ci/run` does) and run cargo test again."
            );
            return None;
        };
        let openssl = Command::new("openssl")
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success());
        if security != Security::Plain && !openssl {
            assert!(
                std::env::var("GATEHOUSE_REAL_SERVERS").map_or(true, |v| v != "required"),
                "{suite}: openssl is not installed"
            );
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {suite}: needs openssl to make a certificate (apt-get install openssl)."
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let maildir = tempfile::tempdir().expect("a maildir");
        let (cert, key) = (
            maildir.path().join("cert.pem"),
            maildir.path().join("key.pem"),
        );
        let mut command = Command::new(python);
        if security != Security::Plain {
            let made = Command::new("openssl")
                .args([
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                ])
                .args(["-subj", "/CN=localhost"])
                .args(["-addext", "subjectAltName=DNS:localhost"])
                .args(["-addext", "basicConstraints=critical,CA:FALSE"])
                .arg("-keyout")
                .arg(&key)
                .arg("-out")
                .arg(&cert)
                .output()
                .expect("openssl runs");
            assert!(made.status.success(), "{made:?}");
        }
        let mailbox = maildir.path().join("mail");
        match security {
            Security::StartTlsWithPassword(user, password) => {
                let script =
                    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mail/auth_server.py");
                command
                    .arg(script)
                    .arg(port.to_string())
                    .arg(&mailbox)
                    .arg(&cert)
                    .arg(&key)
                    .args([user, password]);
            }
            other => {
                command.args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")]);
                match other {
                    Security::Smtps => {
                        command
                            .arg("--smtpscert")
                            .arg(&cert)
                            .arg("--smtpskey")
                            .arg(&key);
                    }
                    Security::StartTls => {
                        command
                            .arg("--tlscert")
                            .arg(&cert)
                            .arg("--tlskey")
                            .arg(&key);
                    }
                    _ => {}
                }
                command
                    .args(["-c", "aiosmtpd.handlers.Mailbox"])
                    .arg(&mailbox);
            }
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        let ready = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < ready, "aiosmtpd did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        let certificate = std::fs::read_to_string(&cert).ok();
        Some(Self {
            port,
            maildir,
            child,
            certificate,
        })
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far (the server has written each before it said 250).
    pub fn messages(&self) -> Vec<Received> {
        let new = self.maildir.path().join("mail").join("new");
        let mut found: Vec<Received> = std::fs::read_dir(new)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .map(|raw| Received {
                        raw: raw.replace("\r\n", "\n").replace('\n', "\r\n"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        found.sort_by(|a, b| a.raw.cmp(&b.raw));
        found
    }
}
