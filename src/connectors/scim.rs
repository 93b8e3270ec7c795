//! SCIM 2.0 service providers (RFC 7643, 7644), through `reqwest`.
use serde::Deserialize;
use serde_json::json;

use super::{Person, TestReport, http_client, http_error_words};
use crate::domain::connected::{ScimSettings, ScimUserMatch};

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

/// A SCIM 2.0 service provider, for finding users and groups and changing group members.
pub struct Provider {
    http: reqwest::Client,
    settings: ScimSettings,
    token: String,
}

const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A string for a SCIM filter: in double quotes, with `\` and `"` escaped (RFC 7644, 3.4.2.2).
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
struct ListResponse {
    #[serde(rename = "Resources")]
    resources: Vec<Resource>,
}

#[derive(Deserialize, Debug, Default, Clone)]
#[serde(rename_all = "camelCase", default)]
struct Resource {
    id: String,
    display_name: String,
}

impl Provider {
    pub fn new(settings: &ScimSettings, token: &str) -> Self {
        Self {
            http: http_client(),
            settings: settings.clone(),
            token: token.to_owned(),
        }
    }

    fn call(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let call = self
            .http
            .request(method, format!("{}{path}", self.settings.base_url))
            .header("Accept", "application/scim+json, application/json");
        if self.token.is_empty() {
            call
        } else {
            call.bearer_auth(&self.token)
        }
    }

    /// The resources of `endpoint` matching `filter`.
    async fn search(&self, endpoint: &str, filter: &str) -> Result<Vec<Resource>, String> {
        let answer = self
            .call(reqwest::Method::GET, endpoint)
            .query(&[("filter", filter)])
            .send()
            .await
            .map_err(|e| http_error_words(&e))?;
        let status = answer.status();
        if !status.is_success() {
            return Err(format!("GET {endpoint} answered {status}"));
        }
        let list: ListResponse = answer.json().await.map_err(|e| http_error_words(&e))?;
        Ok(list.resources)
    }

    /// The group whose id or display name is `name_or_id`: (id, display name).
    pub async fn find_group(&self, name_or_id: &str) -> Result<(String, String), String> {
        let by_id = self
            .call(reqwest::Method::GET, &format!("/Groups/{name_or_id}"))
            .send()
            .await
            .map_err(|e| http_error_words(&e))?;
        if by_id.status().is_success() {
            let group: Resource = by_id.json().await.map_err(|e| http_error_words(&e))?;
            return Ok((group.id, group.display_name));
        }
        let found = self
            .search("/Groups", &format!("displayName eq {}", quoted(name_or_id)))
            .await?;
        match found.as_slice() {
            [group] => Ok((group.id.clone(), group.display_name.clone())),
            [] => Err(format!(
                "{} has no group with the id or display name “{name_or_id}”",
                self.settings.base_url
            )),
            _ => Err(format!(
                "{} has several groups named “{name_or_id}”: enter the group's id",
                self.settings.base_url
            )),
        }
    }

    /// The first `count` groups, by the provider's order: (id, display name, members).
    pub async fn groups(&self, count: u32) -> Result<Vec<(String, String, usize)>, String> {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Group {
            id: String,
            #[serde(rename = "displayName")]
            display_name: String,
            members: Vec<serde_json::Value>,
        }
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Groups {
            #[serde(rename = "Resources")]
            resources: Vec<Group>,
        }
        let answer = self
            .call(reqwest::Method::GET, "/Groups")
            .query(&[("count", count.to_string())])
            .send()
            .await
            .map_err(|e| http_error_words(&e))?;
        let status = answer.status();
        if !status.is_success() {
            return Err(format!("GET /Groups answered {status}"));
        }
        let groups: Groups = answer.json().await.map_err(|e| http_error_words(&e))?;
        Ok(groups
            .resources
            .into_iter()
            .map(|g| (g.id, g.display_name, g.members.len()))
            .collect())
    }

    /// The members of the group `group_id`: their user ids (twice: the normal form is the
    /// id itself).
    pub async fn group_members(&self, group_id: &str) -> Result<Vec<(String, String)>, String> {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Member {
            value: String,
        }
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Group {
            members: Vec<Member>,
        }
        let path = format!("/Groups/{group_id}");
        let answer = self
            .call(reqwest::Method::GET, &path)
            .send()
            .await
            .map_err(|e| http_error_words(&e))?;
        let status = answer.status();
        if !status.is_success() {
            return Err(format!("GET {path} answered {status}"));
        }
        let group: Group = answer.json().await.map_err(|e| http_error_words(&e))?;
        Ok(group
            .members
            .into_iter()
            .filter(|m| !m.value.is_empty())
            .map(|m| (m.value.clone(), m.value))
            .collect())
    }

    /// The id of the user `person` is there.
    pub async fn find_user(&self, person: &Person) -> Result<String, String> {
        let filter = match self.settings.user_match {
            ScimUserMatch::UserName => {
                format!("userName eq {}", quoted(&person.user_principal_name))
            }
            ScimUserMatch::PrimaryEmail => format!(
                "emails.value eq {}",
                quoted(
                    person
                        .email
                        .as_deref()
                        .unwrap_or(&person.user_principal_name)
                )
            ),
        };
        let found = self.search("/Users", &filter).await?;
        match found.as_slice() {
            [user] => Ok(user.id.clone()),
            _ => Err(format!("no single user matches {filter}")),
        }
    }

    /// Makes `person` a member of the group `group_id` (`present`) or not, with `PATCH`.
    /// Adding a member already there and removing one already gone both succeed.
    pub async fn set_member(
        &self,
        group_id: &str,
        person: &Person,
        present: bool,
    ) -> Result<(), String> {
        let user = self.find_user(person).await?;
        self.set_member_value(group_id, &user, present).await
    }

    /// Adds the user `user` (their SCIM id) to the group `group_id` or takes them away.
    pub async fn set_member_value(
        &self,
        group_id: &str,
        user: &str,
        present: bool,
    ) -> Result<(), String> {
        let operation = if present {
            json!({ "op": "add", "path": "members", "value": [{ "value": user }] })
        } else {
            json!({ "op": "remove", "path": format!("members[value eq {}]", quoted(user)) })
        };
        let answer = self
            .call(reqwest::Method::PATCH, &format!("/Groups/{group_id}"))
            .header("Content-Type", "application/scim+json")
            .body(json!({ "schemas": [PATCH_OP], "Operations": [operation] }).to_string())
            .send()
            .await
            .map_err(|e| http_error_words(&e))?;
        let status = answer.status();
        if status.is_success() {
            return Ok(());
        }
        let body = answer.text().await.unwrap_or_default();
        // Removing a member who is not there: `noTarget` (RFC 7644, 3.5.2.2).
        if !present && status == reqwest::StatusCode::BAD_REQUEST && body.contains("noTarget") {
            return Ok(());
        }
        let detail = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
            .unwrap_or_default();
        Err(format!(
            "PATCH /Groups/{group_id} answered {status}{}",
            if detail.is_empty() {
                String::new()
            } else {
                format!(": {detail}")
            }
        ))
    }
}
