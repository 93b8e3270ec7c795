//! Sending one email over SMTP with `lettre` (STARTTLS or SMTPS as the URL says).
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Mail;

/// The configured SMTP server and sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
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
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&mail.url)
            .map_err(|e| format!("the SMTP URL cannot be used: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
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
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| format!("the SMTP server refused or could not be reached: {e}"))
    }
}
