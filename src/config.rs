//! Settings from flags and `GATEHOUSE_*` environment variables, checked once at start.
use std::net::SocketAddr;
use std::path::PathBuf;

/// The settings every command shares. Each has a flag and an environment variable.
#[derive(clap::Args, Clone, Debug)]
pub struct Settings {
    /// Address and port to listen on.
    #[arg(
        long,
        env = "GATEHOUSE_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,

    /// Database to use: `sqlite://path.db` or `postgres://user@host/db`. Unset: the SQLite
    /// file `gatehouse.db` in the working directory, created if missing.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Key that signs and encrypts session cookies, as at least 128 hex digits (64 bytes),
    /// e.g. from `openssl rand -hex 64`. Unset: a key is generated once and kept beside the
    /// SQLite database (or in the PostgreSQL database), so sessions survive restarts.
    #[arg(
        long,
        env = "GATEHOUSE_SESSION_KEY",
        hide_env_values = true,
        global = true
    )]
    pub session_key: Option<String>,

    /// The address people use to reach Gatehouse, for links such as the setup link and the
    /// My Access portal link. Unset: http:// plus the bind address. Cookies are marked
    /// Secure when it starts with https://.
    #[arg(long, env = "GATEHOUSE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// The address of a reverse proxy in front of Gatehouse. Requests from it are taken to
    /// come from the last address in their X-Forwarded-For header (for sign-in throttling
    /// and the audit log); unset, the connecting address is the client.
    #[arg(long, env = "GATEHOUSE_TRUSTED_PROXY", global = true)]
    pub trusted_proxy: Option<String>,

    /// Seconds between scheduler passes (deliver scheduled access, expire ended access, time
    /// out requests nobody decided).
    #[arg(
        long,
        env = "GATEHOUSE_SCHEDULER_SECONDS",
        default_value = "30",
        global = true
    )]
    pub scheduler_seconds: String,

    /// Calls one API token may make per minute to the Graph-compatible API (per instance);
    /// more get 429 Too Many Requests with Retry-After.
    #[arg(
        long,
        env = "GATEHOUSE_API_CALLS_PER_MINUTE",
        default_value = "600",
        global = true
    )]
    pub api_calls_per_minute: String,

    /// Minutes without activity after which a signed-in session ends.
    #[arg(
        long,
        env = "GATEHOUSE_SESSION_IDLE_MINUTES",
        default_value = "480",
        global = true
    )]
    pub session_idle_minutes: String,

    /// The OpenID Connect provider people sign in with, as its issuer URL (what
    /// `/.well-known/openid-configuration` is under). Unset: no single sign-on.
    #[arg(long, env = "GATEHOUSE_OIDC_ISSUER", global = true)]
    pub oidc_issuer: Option<String>,

    /// The client id Gatehouse is registered under at the provider.
    #[arg(long, env = "GATEHOUSE_OIDC_CLIENT_ID", global = true)]
    pub oidc_client_id: Option<String>,

    /// The client secret that goes with the client id.
    #[arg(
        long,
        env = "GATEHOUSE_OIDC_CLIENT_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub oidc_client_secret: Option<String>,

    /// The provider's name on the sign-in button: `Sign in with <name>`.
    #[arg(
        long,
        env = "GATEHOUSE_OIDC_NAME",
        default_value = "your identity provider",
        global = true
    )]
    pub oidc_name: String,

    /// The ID token claim that holds a Gatehouse user principal name: `email`,
    /// `preferred_username` or `upn`.
    #[arg(
        long,
        env = "GATEHOUSE_OIDC_CLAIM",
        default_value = "email",
        global = true
    )]
    pub oidc_claim: String,

    /// What happens to someone the provider vouches for who has no Gatehouse account:
    /// `create` makes them a User (just in time), `refuse` turns them away.
    #[arg(
        long,
        env = "GATEHOUSE_OIDC_NEW_USERS",
        default_value = "refuse",
        global = true
    )]
    pub oidc_new_users: String,

    /// Password sign-in: `on`, `admins` (Global administrators only, to get in when the
    /// provider is down) or `off`.
    #[arg(
        long,
        env = "GATEHOUSE_LOCAL_SIGN_IN",
        default_value = "on",
        global = true
    )]
    pub local_sign_in: String,

    /// Where email goes out: `smtp://user:pass@host:587?tls=required` (STARTTLS),
    /// `smtps://user:pass@host:465` (TLS) or `smtp://host:25` (no encryption;
    /// `?tls=opportunistic` uses STARTTLS when offered). Unset: no email.
    #[arg(long, env = "GATEHOUSE_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,

    /// The sender of every email, such as `Gatehouse <gatehouse@contoso.com>`.
    #[arg(long, env = "GATEHOUSE_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,

    /// A PEM file of the certificate authority that signed the SMTP server's certificate,
    /// for a server with a private CA. Unset: the usual public authorities.
    #[arg(long, env = "GATEHOUSE_SMTP_CA_FILE", global = true)]
    pub smtp_ca_file: Option<String>,
}

impl Default for Settings {
    /// The defaults the flags have, for code that builds settings itself (tests, the
    /// benchmark).
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            database_url: None,
            session_key: None,
            public_url: None,
            session_idle_minutes: "480".into(),
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            oidc_name: "your identity provider".into(),
            oidc_claim: "email".into(),
            oidc_new_users: "refuse".into(),
            local_sign_in: "on".into(),
            trusted_proxy: None,
            scheduler_seconds: "30".into(),
            api_calls_per_minute: "600".into(),
            smtp_url: None,
            mail_from: None,
            smtp_ca_file: None,
        }
    }
}

/// Email: the SMTP server and the sender.
#[derive(Clone, PartialEq, Eq)]
pub struct Mail {
    /// As configured; it may hold a password, so it is never printed whole.
    pub url: String,
    pub from: String,
    /// The PEM of `GATEHOUSE_SMTP_CA_FILE`, trusted for the server's certificate.
    pub ca_pem: Option<String>,
}

impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mail")
            .field("server", &self.server())
            .field("from", &self.from)
            .finish()
    }
}

impl Mail {
    /// The server as the admin portal shows it: scheme, host and port, no password.
    pub fn server(&self) -> String {
        match url::Url::parse(&self.url) {
            Ok(url) => format!(
                "{}://{}{}",
                url.scheme(),
                url.host_str().unwrap_or_default(),
                url.port().map(|p| format!(":{p}")).unwrap_or_default()
            ),
            Err(_) => "(unreadable)".to_owned(),
        }
    }
}

fn parse_mail(settings: &Settings) -> Result<Option<Mail>, ConfigError> {
    let url = settings
        .smtp_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let from = settings
        .mail_from
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty());
    let Some(url) = url else {
        if from.is_some() {
            return Err(refuse(
                "GATEHOUSE_MAIL_FROM",
                "needs GATEHOUSE_SMTP_URL as well",
            ));
        }
        return Ok(None);
    };
    let scheme_ok = url.starts_with("smtp://") || url.starts_with("smtps://");
    if !scheme_ok || lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url).is_err() {
        return Err(refuse(
            "GATEHOUSE_SMTP_URL",
            "not an SMTP URL like smtp://mail.contoso.com:587 or smtps://user:pass@mail.contoso.com",
        ));
    }
    let Some(from) = from else {
        return Err(refuse(
            "GATEHOUSE_MAIL_FROM",
            "needed with GATEHOUSE_SMTP_URL: the sender, like Gatehouse <gatehouse@contoso.com>",
        ));
    };
    if from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(refuse(
            "GATEHOUSE_MAIL_FROM",
            format!("'{from}' is not an address like Gatehouse <gatehouse@contoso.com>"),
        ));
    }
    let ca_pem = match settings
        .smtp_ca_file
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
    {
        None => None,
        Some(path) => {
            let pem = std::fs::read_to_string(path).map_err(|e| {
                refuse(
                    "GATEHOUSE_SMTP_CA_FILE",
                    format!("'{path}' cannot be read: {e}"),
                )
            })?;
            let readable =
                lettre::transport::smtp::client::Certificate::from_pem(pem.as_bytes()).is_ok();
            if !readable || !pem.contains("-----BEGIN CERTIFICATE-----") {
                return Err(refuse(
                    "GATEHOUSE_SMTP_CA_FILE",
                    format!("'{path}' holds no PEM certificate"),
                ));
            }
            Some(pem)
        }
    };
    Ok(Some(Mail {
        url: url.to_owned(),
        from: from.to_owned(),
        ca_pem,
    }))
}

/// Single sign-on with an OpenID Connect provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Oidc {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// The button says `Sign in with {name}`.
    pub name: String,
    pub claim: OidcClaim,
    pub create_users: bool,
}

/// The ID token claim that names the Gatehouse user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OidcClaim {
    Email,
    PreferredUsername,
    Upn,
}

impl OidcClaim {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::PreferredUsername => "preferred_username",
            Self::Upn => "upn",
        }
    }
}

/// Who may still sign in with a password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalSignIn {
    On,
    AdminsOnly,
    Off,
}

/// Where the data lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file (`path` is None for an in-memory database).
    Sqlite {
        url: String,
        path: Option<PathBuf>,
    },
    Postgres {
        url: String,
    },
}

impl Database {
    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url } => url,
        }
    }
}

/// Checked settings.
#[derive(Clone, Debug)]
pub struct Config {
    pub bind: SocketAddr,
    pub database: Database,
    pub session_key: Option<Vec<u8>>,
    pub public_url: String,
    pub idle_timeout: time::Duration,
    pub trusted_proxy: Option<std::net::IpAddr>,
    pub scheduler_interval: std::time::Duration,
    /// Per API token and instance.
    pub api_calls_per_minute: u32,
    pub oidc: Option<Oidc>,
    pub local_sign_in: LocalSignIn,
    /// Email, when an SMTP server is configured.
    pub mail: Option<Mail>,
}

/// A setting that cannot be used, said in one line.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{name}: {message}")]
pub struct ConfigError {
    pub name: &'static str,
    pub message: String,
}

fn refuse(name: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        name,
        message: message.into(),
    }
}

pub const DEFAULT_SQLITE_URL: &str = "sqlite://gatehouse.db?mode=rwc";
pub const SESSION_KEY_MIN_BYTES: usize = 64;

impl Config {
    pub fn from_settings(settings: &Settings) -> Result<Self, ConfigError> {
        let bind: SocketAddr = settings.bind.trim().parse().map_err(|_| {
            refuse(
                "GATEHOUSE_BIND",
                format!("'{}' is not an address like 127.0.0.1:8080", settings.bind),
            )
        })?;
        let database = parse_database_url(settings.database_url.as_deref())?;
        let session_key = settings
            .session_key
            .as_deref()
            .map(parse_session_key)
            .transpose()?;
        let public_url = match settings.public_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => parse_public_url(url)?,
            _ => default_public_url(bind),
        };
        let minutes: i64 = settings
            .session_idle_minutes
            .trim()
            .parse()
            .ok()
            .filter(|m| (1..=43_200).contains(m))
            .ok_or_else(|| {
                refuse(
                    "GATEHOUSE_SESSION_IDLE_MINUTES",
                    format!(
                        "'{}' is not a number of minutes from 1 to 43200",
                        settings.session_idle_minutes
                    ),
                )
            })?;
        let trusted_proxy = match settings.trusted_proxy.as_deref().map(str::trim) {
            Some(ip) if !ip.is_empty() => Some(ip.parse().map_err(|_| {
                refuse(
                    "GATEHOUSE_TRUSTED_PROXY",
                    format!("'{ip}' is not an IP address like 10.0.0.5"),
                )
            })?),
            _ => None,
        };
        let scheduler_seconds: u64 = settings
            .scheduler_seconds
            .trim()
            .parse()
            .ok()
            .filter(|s| (1..=3600).contains(s))
            .ok_or_else(|| {
                refuse(
                    "GATEHOUSE_SCHEDULER_SECONDS",
                    format!(
                        "'{}' is not a number of seconds from 1 to 3600",
                        settings.scheduler_seconds
                    ),
                )
            })?;
        let api_calls_per_minute: u32 = settings
            .api_calls_per_minute
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .ok_or_else(|| {
                refuse(
                    "GATEHOUSE_API_CALLS_PER_MINUTE",
                    format!(
                        "'{}' is not a number of calls from 1 to 1000000",
                        settings.api_calls_per_minute
                    ),
                )
            })?;
        let oidc = parse_oidc(settings)?;
        let mail = parse_mail(settings)?;
        let local_sign_in = match settings.local_sign_in.trim() {
            "on" => LocalSignIn::On,
            "admins" => LocalSignIn::AdminsOnly,
            "off" => LocalSignIn::Off,
            other => {
                return Err(refuse(
                    "GATEHOUSE_LOCAL_SIGN_IN",
                    format!("'{other}' is not on, admins or off"),
                ));
            }
        };
        if local_sign_in == LocalSignIn::Off && oidc.is_none() {
            return Err(refuse(
                "GATEHOUSE_LOCAL_SIGN_IN",
                "off needs GATEHOUSE_OIDC_ISSUER: nobody could sign in",
            ));
        }
        Ok(Self {
            oidc,
            mail,
            local_sign_in,
            scheduler_interval: std::time::Duration::from_secs(scheduler_seconds),
            api_calls_per_minute,
            trusted_proxy,
            bind,
            database,
            session_key,
            public_url,
            idle_timeout: time::Duration::minutes(minutes),
        })
    }

    /// People reach Gatehouse over https: session cookies carry the Secure flag and
    /// browsers are told to keep to https (Strict-Transport-Security).
    pub fn served_over_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_oidc(settings: &Settings) -> Result<Option<Oidc>, ConfigError> {
    let Some(issuer) = given(&settings.oidc_issuer) else {
        return Ok(None);
    };
    let parsed = url::Url::parse(issuer).map_err(|_| {
        refuse(
            "GATEHOUSE_OIDC_ISSUER",
            format!("'{issuer}' is not a URL like https://login.contoso.com"),
        )
    })?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(refuse(
            "GATEHOUSE_OIDC_ISSUER",
            "the issuer is an https:// URL",
        ));
    }
    let client_id = given(&settings.oidc_client_id).ok_or_else(|| {
        refuse(
            "GATEHOUSE_OIDC_CLIENT_ID",
            "needed with GATEHOUSE_OIDC_ISSUER",
        )
    })?;
    let client_secret = given(&settings.oidc_client_secret).ok_or_else(|| {
        refuse(
            "GATEHOUSE_OIDC_CLIENT_SECRET",
            "needed with GATEHOUSE_OIDC_ISSUER",
        )
    })?;
    let claim = match settings.oidc_claim.trim() {
        "email" => OidcClaim::Email,
        "preferred_username" => OidcClaim::PreferredUsername,
        "upn" => OidcClaim::Upn,
        other => {
            return Err(refuse(
                "GATEHOUSE_OIDC_CLAIM",
                format!("'{other}' is not email, preferred_username or upn"),
            ));
        }
    };
    let create_users = match settings.oidc_new_users.trim() {
        "create" => true,
        "refuse" => false,
        other => {
            return Err(refuse(
                "GATEHOUSE_OIDC_NEW_USERS",
                format!("'{other}' is not create or refuse"),
            ));
        }
    };
    let name = settings.oidc_name.trim();
    Ok(Some(Oidc {
        issuer: issuer.trim_end_matches('/').to_owned(),
        client_id: client_id.to_owned(),
        client_secret: client_secret.to_owned(),
        name: if name.is_empty() {
            "your identity provider".to_owned()
        } else {
            name.chars().take(64).collect()
        },
        claim,
        create_users,
    }))
}

fn parse_database_url(url: Option<&str>) -> Result<Database, ConfigError> {
    let url = match url.map(str::trim) {
        None | Some("") => DEFAULT_SQLITE_URL,
        Some(url) => url,
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Database::Postgres {
            url: url.to_owned(),
        });
    }
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let file = rest.trim_start_matches("//");
        let file = file.split('?').next().unwrap_or_default();
        let path = if file.is_empty() || file == ":memory:" {
            None
        } else {
            Some(PathBuf::from(file))
        };
        return Ok(Database::Sqlite {
            url: url.to_owned(),
            path,
        });
    }
    Err(refuse(
        "DATABASE_URL",
        "must start with sqlite:// or postgres:// (or be unset for the SQLite file gatehouse.db)",
    ))
}

fn parse_session_key(key: &str) -> Result<Vec<u8>, ConfigError> {
    let bytes = hex::decode(key.trim()).map_err(|_| {
        refuse(
            "GATEHOUSE_SESSION_KEY",
            "must be hex digits (try `openssl rand -hex 64`)",
        )
    })?;
    if bytes.len() < SESSION_KEY_MIN_BYTES {
        return Err(refuse(
            "GATEHOUSE_SESSION_KEY",
            format!(
                "must be at least {SESSION_KEY_MIN_BYTES} bytes ({} hex digits); got {} bytes",
                SESSION_KEY_MIN_BYTES * 2,
                bytes.len()
            ),
        ));
    }
    Ok(bytes)
}

fn parse_public_url(url: &str) -> Result<String, ConfigError> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(url.trim_end_matches('/').to_owned())
        }
        _ => Err(refuse(
            "GATEHOUSE_PUBLIC_URL",
            format!("'{url}' is not a URL like https://gatehouse.example.com"),
        )),
    }
}

fn default_public_url(bind: SocketAddr) -> String {
    if bind.ip().is_unspecified() {
        format!("http://localhost:{}", bind.port())
    } else {
        format!("http://{bind}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings::default()
    }

    fn refusal(s: &Settings) -> ConfigError {
        match Config::from_settings(s) {
            Ok(_) => panic!("the settings were taken"),
            Err(e) => e,
        }
    }

    #[test]
    fn single_sign_on_needs_its_client_and_password_sign_in_can_only_go_with_it() {
        let mut s = settings();
        s.local_sign_in = "off".into();
        let refused = refusal(&s);
        assert_eq!(refused.name, "GATEHOUSE_LOCAL_SIGN_IN");
        s.oidc_issuer = Some("https://login.contoso.com/".into());
        let refused = refusal(&s);
        assert_eq!(refused.name, "GATEHOUSE_OIDC_CLIENT_ID");
        s.oidc_client_id = Some("gatehouse".into());
        s.oidc_client_secret = Some("secret".into());
        s.oidc_claim = "sub".into();
        let refused = refusal(&s);
        assert_eq!(refused.name, "GATEHOUSE_OIDC_CLAIM");
        s.oidc_claim = "preferred_username".into();
        let Ok(config) = Config::from_settings(&s) else {
            panic!("valid settings refused")
        };
        let Some(oidc) = config.oidc else {
            panic!("no single sign-on")
        };
        assert_eq!(oidc.issuer, "https://login.contoso.com");
        assert_eq!(oidc.claim, OidcClaim::PreferredUsername);
        assert!(!oidc.create_users);
        assert_eq!(config.local_sign_in, LocalSignIn::Off);
    }

    #[test]
    fn the_scheduler_runs_every_few_seconds_to_an_hour() {
        let mut s = settings();
        assert_eq!(
            Config::from_settings(&s).map(|c| c.scheduler_interval),
            Ok(std::time::Duration::from_secs(30))
        );
        s.scheduler_seconds = "0".into();
        assert_eq!(
            Config::from_settings(&s).err().map(|e| e.name),
            Some("GATEHOUSE_SCHEDULER_SECONDS")
        );
    }

    #[test]
    fn a_trusted_proxy_must_be_an_ip_address() {
        let mut s = settings();
        s.trusted_proxy = Some("proxy.local".into());
        assert_eq!(
            Config::from_settings(&s).err().map(|e| e.name),
            Some("GATEHOUSE_TRUSTED_PROXY")
        );
        s.trusted_proxy = Some("10.0.0.5".into());
        assert_eq!(
            Config::from_settings(&s).ok().and_then(|c| c.trusted_proxy),
            "10.0.0.5".parse().ok()
        );
    }

    #[test]
    fn the_defaults_are_a_local_sqlite_file_on_port_8080() {
        let config = Config::from_settings(&settings());
        let config = config
            .as_ref()
            .map(|c| (c.database.clone(), c.public_url.clone(), c.idle_timeout));
        assert_eq!(
            config,
            Ok((
                Database::Sqlite {
                    url: DEFAULT_SQLITE_URL.into(),
                    path: Some(PathBuf::from("gatehouse.db"))
                },
                "http://127.0.0.1:8080".to_owned(),
                time::Duration::hours(8)
            ))
        );
    }

    #[test]
    fn a_bad_bind_address_is_named_in_the_error() {
        let mut s = settings();
        s.bind = "localhost".into();
        let err = Config::from_settings(&s)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("GATEHOUSE_BIND:"), "{err}");
    }

    #[test]
    fn a_database_url_must_be_sqlite_or_postgres() {
        let mut s = settings();
        s.database_url = Some("mysql://root@localhost/db".into());
        assert_eq!(
            Config::from_settings(&s).err().map(|e| e.name),
            Some("DATABASE_URL")
        );
        s.database_url = Some("postgres://postgres@127.0.0.1/test".into());
        assert!(matches!(
            Config::from_settings(&s).map(|c| c.database),
            Ok(Database::Postgres { .. })
        ));
        s.database_url = Some("sqlite:///tmp/x/gh.db?mode=rwc".into());
        assert_eq!(
            Config::from_settings(&s)
                .ok()
                .and_then(|c| match c.database {
                    Database::Sqlite { path, .. } => path,
                    _ => None,
                }),
            Some(PathBuf::from("/tmp/x/gh.db"))
        );
    }

    #[test]
    fn a_session_key_must_be_long_hex() {
        let mut s = settings();
        s.session_key = Some("abcd".into());
        assert_eq!(
            Config::from_settings(&s).err().map(|e| e.name),
            Some("GATEHOUSE_SESSION_KEY")
        );
        s.session_key = Some("zz".repeat(64));
        assert!(Config::from_settings(&s).is_err());
        s.session_key = Some("ab".repeat(64));
        assert_eq!(
            Config::from_settings(&s)
                .ok()
                .and_then(|c| c.session_key)
                .map(|k| k.len()),
            Some(64)
        );
    }

    #[test]
    fn an_https_public_url_means_secure_cookies_and_strict_transport_security() {
        let mut s = settings();
        s.public_url = Some("https://gatehouse.woodgrove.test/".into());
        let config = Config::from_settings(&s);
        assert_eq!(
            config.as_ref().map(|c| c.public_url.as_str()),
            Ok("https://gatehouse.woodgrove.test")
        );
        assert_eq!(config.map(|c| c.served_over_https()), Ok(true));
        s.public_url = Some("http://gatehouse.woodgrove.test/".into());
        assert_eq!(
            Config::from_settings(&s).map(|c| c.served_over_https()),
            Ok(false)
        );
        s.public_url = Some("gatehouse.woodgrove.test".into());
        assert!(Config::from_settings(&s).is_err());
    }

    #[test]
    fn the_idle_timeout_is_a_sane_number_of_minutes() {
        let mut s = settings();
        s.session_idle_minutes = "0".into();
        assert!(Config::from_settings(&s).is_err());
        s.session_idle_minutes = "15".into();
        assert_eq!(
            Config::from_settings(&s).map(|c| c.idle_timeout),
            Ok(time::Duration::minutes(15))
        );
    }

    #[test]
    fn email_needs_an_smtp_url_and_a_sender_and_hides_the_password() {
        let mut s = settings();
        assert!(matches!(Config::from_settings(&s), Ok(c) if c.mail.is_none()));
        s.mail_from = Some("Gatehouse <gatehouse@contoso.com>".into());
        assert_eq!(refusal(&s).name, "GATEHOUSE_MAIL_FROM");
        s.smtp_url = Some("http://mail.contoso.com".into());
        assert_eq!(refusal(&s).name, "GATEHOUSE_SMTP_URL");
        s.smtp_url = Some("smtps://gatehouse:s3cret@mail.contoso.com:465".into());
        let mail = match Config::from_settings(&s) {
            Ok(Config {
                mail: Some(mail), ..
            }) => mail,
            other => panic!("not taken: {other:?}"),
        };
        assert_eq!(mail.server(), "smtps://mail.contoso.com:465");
        assert!(!format!("{mail:?}").contains("s3cret"), "never printed");
        s.mail_from = Some("not an address".into());
        assert_eq!(refusal(&s).name, "GATEHOUSE_MAIL_FROM");
        s.mail_from = None;
        assert_eq!(refusal(&s).name, "GATEHOUSE_MAIL_FROM");
        s.mail_from = Some("Gatehouse <gatehouse@contoso.com>".into());
        s.smtp_ca_file = Some("/nonexistent/ca.pem".into());
        assert_eq!(refusal(&s).name, "GATEHOUSE_SMTP_CA_FILE");
        s.smtp_ca_file = Some("Cargo.toml".into());
        assert_eq!(
            refusal(&s).name,
            "GATEHOUSE_SMTP_CA_FILE",
            "not a certificate"
        );
    }
}
