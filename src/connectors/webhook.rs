//! Webhooks, signed as the Standard Webhooks specification says: `webhook-id`,
//! `webhook-timestamp` and `webhook-signature` (`v1,` + base64 of HMAC-SHA256 over
//! `{id}.{timestamp}.{body}`). A secret written `whsec_…` is base64 after the prefix (as
//! the specification's libraries make them); any other secret is used as its UTF-8 bytes.
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use super::{TestReport, http_client, http_error_words};
use crate::domain::connected::WebhookSettings;

/// The signing key a secret stands for.
fn key_bytes(secret: &str) -> Vec<u8> {
    secret
        .strip_prefix("whsec_")
        .and_then(|b| STANDARD.decode(b).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec())
}

/// The `webhook-signature` header's value for a message.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length.
    let mut mac = match Hmac::<Sha256>::new_from_slice(&key_bytes(secret)) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// A signed message, ready to post.
pub struct Message {
    pub id: String,
    pub timestamp: i64,
    pub body: String,
}

/// Posts `message` to the hook; the answer's status, or what went wrong in words.
pub async fn send(
    settings: &WebhookSettings,
    secret: &str,
    message: &Message,
) -> Result<reqwest::StatusCode, String> {
    http_client()
        .post(&settings.url)
        .header("content-type", "application/json")
        .header("webhook-id", &message.id)
        .header("webhook-timestamp", message.timestamp.to_string())
        .header(
            "webhook-signature",
            signature(secret, &message.id, message.timestamp, &message.body),
        )
        .body(message.body.clone())
        .send()
        .await
        .map(|answer| answer.status())
        .map_err(|e| http_error_words(&e))
}

/// Sends a signed `gatehouse.ping`; any 2xx answer passes.
pub async fn test_connection(
    settings: &WebhookSettings,
    secret: &str,
    now: time::OffsetDateTime,
) -> TestReport {
    let mut report = TestReport::default();
    if secret.is_empty() {
        report.fail("There is no signing secret: the receiver could not tell Gatehouse's messages from anyone's");
        return report;
    }
    let id = format!("msg_{}", uuid::Uuid::now_v7().simple());
    let stamp = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let message = Message {
        id,
        timestamp: now.unix_timestamp(),
        body: json!({ "type": "gatehouse.ping", "timestamp": stamp, "data": {} }).to_string(),
    };
    match send(settings, secret, &message).await {
        Ok(status) if status.is_success() => {
            report.pass(format!("Sent a signed ping to {}", settings.url));
            report.pass(format!("The receiver answered {status}"));
        }
        Ok(status) => {
            report.pass(format!("Sent a signed ping to {}", settings.url));
            report.fail(format!(
                "The receiver answered {status}{}",
                if status == reqwest::StatusCode::UNAUTHORIZED
                    || status == reqwest::StatusCode::FORBIDDEN
                {
                    ": does it have the same signing secret?"
                } else {
                    ""
                }
            ));
        }
        Err(words) => report.fail(format!("Could not reach {}: {words}", settings.url)),
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification's reference libraries.
    #[test]
    fn signatures_match_the_specification_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let timestamp = 1614265330;
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(secret, id, timestamp, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }
}
