//! SCIM 2.0 service providers (RFC 7643, 7644), through `reqwest`.
use serde::Deserialize;

use super::{TestReport, http_client, http_error_words};
use crate::domain::connected::ScimSettings;

/// The parts of `/ServiceProviderConfig` Gatehouse relies on.
#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
struct ServiceProviderConfig {
    patch: Supported,
    filter: Supported,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
struct Supported {
    supported: bool,
}

/// Reads `/ServiceProviderConfig` with the bearer token.
pub async fn test_connection(settings: &ScimSettings, token: &str) -> TestReport {
    let mut report = TestReport::default();
    let url = format!("{}/ServiceProviderConfig", settings.base_url);
    let mut call = http_client()
        .get(&url)
        .header("Accept", "application/scim+json, application/json");
    if !token.is_empty() {
        call = call.bearer_auth(token);
    }
    let answer = match call.send().await {
        Ok(answer) => answer,
        Err(e) => {
            report.fail(format!(
                "Could not reach {}: {}",
                settings.base_url,
                http_error_words(&e)
            ));
            return report;
        }
    };
    let status = answer.status();
    report.pass(format!("Reached {}", settings.base_url));
    if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
        report.fail(format!(
            "The service provider refused the bearer token ({status})"
        ));
        return report;
    }
    if !status.is_success() {
        report.fail(format!(
            "GET /ServiceProviderConfig answered {status}: is the base URL the one before /Users?"
        ));
        return report;
    }
    match answer.json::<ServiceProviderConfig>().await {
        Ok(config) => {
            report.pass("Read /ServiceProviderConfig");
            if config.patch.supported {
                report.pass("PATCH is supported (members are added and removed one at a time)");
            } else {
                report.fail("PATCH is not supported: Gatehouse needs it to change group members");
            }
            if !config.filter.supported {
                report.fail("Filtering is not supported: Gatehouse needs it to find users");
            }
        }
        Err(e) => report.fail(format!(
            "GET /ServiceProviderConfig: {}",
            http_error_words(&e)
        )),
    }
    report
}
