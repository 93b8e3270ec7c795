//! Sending one email over SMTP with `lettre` (STARTTLS or SMTPS as the URL says).
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Mail;

/// How long one message may take, from connecting to the server's last answer.
const SEND_LIMIT: std::time::Duration = std::time::Duration::from_secs(45);

/// The configured SMTP server and sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// The TLS the URL asks for (SMTPS, or STARTTLS required or when offered), trusting the
/// authority in `pem` as well; a plain `smtp://` URL stays plain.
fn with_authority(url: &str, pem: &str) -> Result<Tls, String> {
    let url = url::Url::parse(url).map_err(|e| format!("the SMTP URL cannot be used: {e}"))?;
    let host = url.host_str().unwrap_or_default().to_owned();
    let authority = Certificate::from_pem(pem.as_bytes())
        .map_err(|e| format!("the SMTP CA file cannot be used: {e}"))?;
    let parameters = || {
        TlsParameters::builder(host.clone())
            .add_root_certificate(authority.clone())
            .build_rustls()
            .map_err(|e| format!("TLS for the SMTP server cannot be set up: {e}"))
    };
    let tls = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    Ok(match (url.scheme(), tls.as_deref()) {
        ("smtps", _) => Tls::Wrapper(parameters()?),
        (_, Some("required")) => Tls::Required(parameters()?),
        (_, Some("opportunistic")) => Tls::Opportunistic(parameters()?),
        _ => Tls::None,
    })
}

/// A message ready to go: a text part and an HTML part.
pub struct Outgoing<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

impl Mailer {
    pub fn new(mail: &Mail) -> Result<Self, String> {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&mail.url)
            .map_err(|e| format!("the SMTP URL cannot be used: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)));
        if let Some(pem) = &mail.ca_pem {
            builder = builder.tls(with_authority(&mail.url, pem)?);
        }
        let transport = builder.build();
        let from = mail
            .from
            .parse()
            .map_err(|e| format!("the sender cannot be used: {e}"))?;
        Ok(Self { transport, from })
    }

    /// Sends `message`; the error says what the server (or the network) answered.
    pub async fn send(&self, message: Outgoing<'_>) -> Result<(), String> {
        let to: Mailbox = message
            .to
            .parse()
            .map_err(|e| format!("{} is not an address mail can go to: {e}", message.to))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject)
            .multipart(MultiPart::alternative_plain_html(
                message.text.to_owned(),
                message.html.to_owned(),
            ))
            .map_err(|e| format!("the message could not be built: {e}"))?;
        // A whole conversation is bounded too: a server that stops answering midway (seen
        // after a refused password) must not hold the mail worker until its own timeout.
        match tokio::time::timeout(SEND_LIMIT, self.transport.send(email)).await {
            Ok(sent) => sent
                .map(|_| ())
                .map_err(|e| format!("the SMTP server refused or could not be reached: {e}")),
            Err(_) => Err(format!(
                "the SMTP server did not finish within {} s",
                SEND_LIMIT.as_secs()
            )),
        }
    }
}
