//! Users over SCIM: created, found by filter, changed in place, disabled (losing their
//! access), deleted, and refused clearly.
use gatehouse::domain::principal::Principal;
use gatehouse::domain::user::DirectoryRole;
use gatehouse::entities::{assignment, user};
use gatehouse::ids::UserId;
use gatehouse::services::provisioning;
use gatehouse::store;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::{ok, provider, refused, user_body};
use crate::builders::policy;
use crate::helpers::{audit_count, spawn_app};

fn id_of(resource: &serde_json::Value) -> UserId {
    resource["id"]
        .as_str()
        .expect("an id")
        .parse()
        .expect("a UUID")
}

#[tokio::test]
async fn a_provider_creates_a_user_and_finds_them_again() {
    let app = spawn_app().await;
    let idp = provider(&app).await;
    let created = idp
        .create("/Users", user_body("Ada.Lovelace@Contoso.com"))
        .await;
    let id = id_of(&created);
    assert_eq!(created["userName"], "Ada.Lovelace@Contoso.com", "as sent");
    assert!(
        created.get("displayName").is_none(),
        "none was sent: {created}"
    );
    assert_eq!(created["active"], true);
    assert!(
        created["meta"]["location"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/scim/v2/Users/{id}"))
    );

    let person = store::users::find_by_id(&app.db, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(person.user_principal_name, "ada.lovelace@contoso.com");
    assert_eq!(person.email.as_deref(), Some("Ada.Lovelace@Contoso.com"));
    assert_eq!(person.role, DirectoryRole::User);
    assert_eq!(person.display_name, "Ada Lovelace", "from the name's parts");
    let (admin, _) = app.admin().await;
    let page = admin.get_html(&format!("/admin/users/{id}")).await;
    assert!(
        page.contains("Provisioned by your identity provider (SCIM)"),
        "{page}"
    );
    assert_eq!(
        audit_count(&app, "Add user", "ada.lovelace@contoso.com").await,
        1
    );
    let actor: Vec<String> = gatehouse::entities::audit_event::Entity::find()
        .filter(gatehouse::entities::audit_event::Column::Action.eq("Add user"))
        .filter(gatehouse::entities::audit_event::Column::TargetName.eq("ada.lovelace@contoso.com"))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.actor_name)
        .collect();
    assert_eq!(
        actor,
        vec!["Contoso Entra ID (SCIM provisioning)".to_owned()]
    );

    // Entra's first question for each person: is this userName here?
    let found = ok(
        idp.get("/Users?filter=userName%20eq%20%22ada.lovelace%40contoso.com%22")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["totalResults"], 1);
    assert_eq!(found["Resources"][0]["id"], created["id"]);
    let missing = ok(
        idp.get("/Users?filter=userName%20eq%20%22nobody%40contoso.com%22")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(missing["totalResults"], 0);
    assert_eq!(missing["Resources"], json!([]));

    // A second POST of the same person is a conflict, said as SCIM says it.
    let (kind, _) = refused(
        idp.post("/Users", user_body("ada.lovelace@contoso.com"))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(kind.as_deref(), Some("uniqueness"));

    // GET by id, with its ETag; the same ETag again is 304.
    let answer = idp.get(&format!("/Users/{id}")).await;
    let etag = answer.headers()["etag"].to_str().unwrap().to_owned();
    let again = ok(answer, StatusCode::OK).await;
    assert_eq!(again["meta"]["version"], etag.as_str());
    let unchanged = idp
        .request(reqwest::Method::GET, &format!("/Users/{id}"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn a_changed_user_name_or_email_updates_the_same_account() {
    let app = spawn_app().await;
    let idp = provider(&app).await;
    let created = idp.create("/Users", user_body("ada@contoso.com")).await;
    let id = id_of(&created);

    // A mover: new name and address at the identity provider.
    let mut body = user_body("ada.king@contoso.com");
    body["externalId"] = json!("0a21f0f2");
    let replaced = ok(idp.put(&format!("/Users/{id}"), body).await, StatusCode::OK).await;
    assert_eq!(replaced["id"], created["id"], "same id");
    assert_eq!(replaced["userName"], "ada.king@contoso.com");
    assert_eq!(replaced["externalId"], "0a21f0f2");
    let person = store::users::find_by_id(&app.db, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(person.user_principal_name, "ada.king@contoso.com");
    assert_eq!(
        audit_count(&app, "Update user", "ada.king@contoso.com").await,
        1,
        "the change is audited with before and after"
    );

    // Microsoft Entra's PATCH for a new work address.
    let patched = ok(
        idp.patch(
            &format!("/Users/{id}"),
            json!([{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "ada@king.example"}]),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(patched["emails"][0]["value"], "ada@king.example");
    let person = store::users::find_by_id(&app.db, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(person.email.as_deref(), Some("ada@king.example"));

    // Found by externalId, as Okta and Entra look people up.
    let found = ok(
        idp.get("/Users?filter=externalId%20eq%20%220a21f0f2%22")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["totalResults"], 1);
}

#[tokio::test]
async fn a_user_the_provider_deactivates_loses_every_assignment_and_keeps_history() {
    let app = spawn_app().await;
    let idp = provider(&app).await;
    let created = idp
        .create("/Users", user_body("user1@woodgrove.test"))
        .await;
    let user = id_of(&created);
    let group = app.create_group("Engineering Group").await;
    let catalog = app.default_catalog().await;
    let package = app.create_package(catalog, "Web project", &[group]).await;
    app.create_policy(package, policy("No approval", &[user], &[]))
        .await;
    app.submit_request(user, package).await;
    assert!(
        store::groups::members(&app.db, group)
            .await
            .unwrap()
            .iter()
            .any(|m| m.user_id == user)
    );

    // Microsoft Entra: a string for a boolean, and a capital letter in op.
    let patched = ok(
        idp.patch(
            &format!("/Users/{user}"),
            json!([{"op": "Replace", "path": "active", "value": "False"}]),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(patched["active"], false);
    let row = user::Entity::find_by_id(user)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!row.account_enabled);
    assert!(
        !store::groups::members(&app.db, group)
            .await
            .unwrap()
            .iter()
            .any(|m| m.user_id == user),
        "the membership is gone"
    );
    let kept = assignment::Entity::find()
        .filter(assignment::Column::TargetId.eq(user))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(kept.len(), 1, "the assignment stays as history");
    assert_eq!(kept[0].state, "removed");
    let disabled: Vec<String> = gatehouse::entities::audit_event::Entity::find()
        .filter(gatehouse::entities::audit_event::Column::Action.eq("Disable account"))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.actor_name)
        .collect();
    assert_eq!(
        disabled,
        vec!["Contoso Entra ID (SCIM provisioning)".to_owned()]
    );

    // Active again at the provider: enabled (the provider disabled them, not an admin).
    let enabled = ok(
        idp.patch(
            &format!("/Users/{user}"),
            json!([{"op": "replace", "value": {"active": true}}]),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(enabled["active"], true);

    // An administrator's disable stands against the provider's `active: true`.
    gatehouse::services::users::set_enabled(
        &app.db,
        &app.clock,
        &Principal::console(),
        user,
        false,
    )
    .await
    .unwrap();
    let still = ok(
        idp.put(&format!("/Users/{user}"), user_body("user1@woodgrove.test"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(still["active"], false);
}

#[tokio::test]
async fn a_deleted_user_is_gone_for_scim_and_kept_as_history() {
    let app = spawn_app().await;
    let idp = provider(&app).await;
    let created = idp
        .create("/Users", user_body("leaver@woodgrove.test"))
        .await;
    let id = id_of(&created);
    let gone = idp.delete(&format!("/Users/{id}")).await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    refused(
        idp.get(&format!("/Users/{id}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    refused(
        idp.delete(&format!("/Users/{id}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let row = user::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        row.deleted_at.is_some(),
        "a tombstone keeps the name in history"
    );
    // The name is free for a new person.
    idp.create("/Users", user_body("leaver@woodgrove.test"))
        .await;
}

#[tokio::test]
async fn provisioning_never_changes_an_administrator_or_a_directory_import() {
    let app = spawn_app().await;
    let idp = provider(&app).await;
    let admin = app
        .create_user(
            "admin1@woodgrove.test",
            "Admin1",
            DirectoryRole::GlobalAdministrator,
        )
        .await;
    // Visible, so that the provider can match them…
    let seen = ok(idp.get(&format!("/Users/{admin}")).await, StatusCode::OK).await;
    assert_eq!(seen["userName"], "admin1@woodgrove.test");
    // …but never disabled, changed or deleted by it.
    refused(
        idp.patch(
            &format!("/Users/{admin}"),
            json!([{"op": "replace", "path": "active", "value": false}]),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    refused(
        idp.delete(&format!("/Users/{admin}")).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let row = user::Entity::find_by_id(admin)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.account_enabled && row.deleted_at.is_none());

    // Someone an LDAP directory's sync imported is that directory's to change.
    let imported = app
        .create_user("user9@woodgrove.test", "User9", DirectoryRole::User)
        .await;
    let mut row: user::ActiveModel = user::Entity::find_by_id(imported)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    row.source_system_id =
        sea_orm::ActiveValue::Set(Some(gatehouse::ids::ConnectedSystemId::new()));
    sea_orm::ActiveModelTrait::update(row, &app.db)
        .await
        .unwrap();
    let (_, detail) = refused(
        idp.put(
            &format!("/Users/{imported}"),
            user_body("user9@woodgrove.test"),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(
        detail.contains("imported from a connected directory"),
        "{detail}"
    );
}

#[tokio::test]
async fn bad_input_gets_a_scim_error_and_changes_nothing() {
    let app = spawn_app().await;
    let idp = provider(&app).await;
    let created = idp.create("/Users", user_body("ada@contoso.com")).await;
    let id = id_of(&created);

    let not_json = idp
        .request(reqwest::Method::POST, "/Users")
        .header("Content-Type", "application/scim+json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (kind, _) = refused(not_json, StatusCode::BAD_REQUEST).await;
    assert_eq!(kind.as_deref(), Some("invalidSyntax"));

    let (kind, detail) = refused(
        idp.post("/Users", user_body("jdoe")).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(kind.as_deref(), Some("invalidValue"));
    assert!(detail.contains("user principal name domain"), "{detail}");

    let mut long = user_body("long@contoso.com");
    long["displayName"] = json!("x".repeat(300));
    refused(idp.post("/Users", long).await, StatusCode::BAD_REQUEST).await;

    let (kind, _) = refused(
        idp.get("/Users?filter=userName%20co%20%22ada%22").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(kind.as_deref(), Some("invalidFilter"));
    let (kind, _) = refused(
        idp.get("/Users?filter=title%20eq%20%22x%22").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(kind.as_deref(), Some("invalidFilter"));

    let (kind, _) = refused(
        idp.patch(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "path": "id", "value": "x"}]),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(kind.as_deref(), Some("mutability"));

    refused(idp.get("/Users/not-a-uuid").await, StatusCode::NOT_FOUND).await;
    refused(
        idp.get(&format!("/Users/{}", UserId::new())).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    refused(idp.get("/Nothing/here").await, StatusCode::NOT_FOUND).await;
    refused(
        idp.send(reqwest::Method::DELETE, "/ServiceProviderConfig", None)
            .await,
        StatusCode::METHOD_NOT_ALLOWED,
    )
    .await;

    // A stale ETag: 412, nothing changed.
    let stale = idp
        .request(reqwest::Method::PUT, &format!("/Users/{id}"))
        .header("If-Match", "W/\"1\"")
        .header("Content-Type", "application/scim+json")
        .body(user_body("renamed@contoso.com").to_string())
        .send()
        .await
        .unwrap();
    refused(stale, StatusCode::PRECONDITION_FAILED).await;
    let person = store::users::find_by_id(&app.db, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(person.user_principal_name, "ada@contoso.com");
}

#[tokio::test]
async fn bare_user_names_take_the_configured_domain() {
    let app = spawn_app().await;
    let idp = provider(&app).await;
    provisioning::set_upn_domain(&app.db, &app.clock, &Principal::console(), "contoso.com")
        .await
        .unwrap();
    let mut body = user_body("jdoe");
    body["emails"] = json!([]);
    let created = idp.create("/Users", body).await;
    assert_eq!(created["userName"], "jdoe", "shown as the provider sent it");
    let person = store::users::find_by_id(&app.db, id_of(&created))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(person.user_principal_name, "jdoe@contoso.com");
    let found = ok(
        idp.get("/Users?filter=userName%20eq%20%22jdoe%22").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["totalResults"], 1);
}

#[tokio::test]
async fn lists_page_with_start_index_and_count() {
    let app = spawn_app().await;
    let idp = provider(&app).await;
    for n in 0..5 {
        idp.create("/Users", user_body(&format!("user{n}@woodgrove.test")))
            .await;
    }
    let first = ok(idp.get("/Users?startIndex=1&count=2").await, StatusCode::OK).await;
    assert_eq!(first["totalResults"], 5);
    assert_eq!(first["itemsPerPage"], 2);
    assert_eq!(first["startIndex"], 1);
    let last = ok(idp.get("/Users?startIndex=5&count=2").await, StatusCode::OK).await;
    assert_eq!(last["itemsPerPage"], 1);
    assert_eq!(last["Resources"][0]["userName"], "user4@woodgrove.test");
    let none = ok(idp.get("/Users?count=0").await, StatusCode::OK).await;
    assert_eq!(none["totalResults"], 5);
    assert_eq!(none["Resources"], json!([]));
    let only = ok(
        idp.get("/Users?attributes=userName&count=1").await,
        StatusCode::OK,
    )
    .await;
    let keys: Vec<&String> = only["Resources"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3, "id, schemas and userName: {keys:?}");
    let (kind, _) = refused(idp.get("/Users?count=many").await, StatusCode::BAD_REQUEST).await;
    assert_eq!(kind.as_deref(), Some("invalidValue"));
    let searched = ok(
        idp.post(
            "/Users/.search",
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName eq \"user3@woodgrove.test\""}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(searched["totalResults"], 1);
}

#[tokio::test]
async fn entra_default_mappings_disable_a_user_along_with_attributes_not_kept() {
    let app = spawn_app().await;
    let idp = provider(&app).await;
    let created = idp
        .create("/Users", user_body("user2@woodgrove.test"))
        .await;
    let id = id_of(&created);
    // Microsoft Entra sends a user's changes in one PATCH, phone numbers and the enterprise
    // extension included; Gatehouse keeps neither, and the disable must still happen.
    let patched = ok(
        idp.patch(
            &format!("/Users/{id}"),
            json!([
                {"op": "Replace", "path": "phoneNumbers[type eq \"work\"].value", "value": "+1 555 0100"},
                {"op": "Replace", "path": "addresses[type eq \"work\"].locality", "value": "Redmond"},
                {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "m1"},
                {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:Custom:2.0:User:costCenter", "value": "7"},
                {"op": "Replace", "path": "active", "value": "False"},
            ]),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(patched["active"], false);
    assert!(patched.get("phoneNumbers").is_none());
    // Only attributes not kept: success, nothing changes.
    let same = ok(
        idp.patch(
            &format!("/Users/{id}"),
            json!([{"op": "Replace", "path": "title", "value": "Engineer"}]),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(same["meta"]["version"], patched["meta"]["version"]);
}

#[tokio::test]
async fn external_ids_are_unique_and_plain_text() {
    let app = spawn_app().await;
    let idp = provider(&app).await;
    let mut first = user_body("ada@contoso.com");
    first["externalId"] = json!("ada");
    idp.create("/Users", first).await;
    let mut second = user_body("bob@contoso.com");
    second["externalId"] = json!("ada");
    let (kind, detail) = refused(idp.post("/Users", second).await, StatusCode::CONFLICT).await;
    assert_eq!(kind.as_deref(), Some("uniqueness"));
    assert!(detail.contains("externalId"), "{detail}");
    let mut nul = user_body("carol@contoso.com");
    nul["externalId"] = json!("x\u{0}y");
    let (kind, _) = refused(idp.post("/Users", nul).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(kind.as_deref(), Some("invalidValue"));
    // A filter value no text can hold matches nothing (and is no error on PostgreSQL).
    let none = ok(
        idp.get("/Users?filter=externalId%20eq%20%22%5Cu0000%22")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(none["totalResults"], 0);
}
