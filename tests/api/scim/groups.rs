//! Groups over SCIM: pushed with members (direct members with the provider as their
//! source), changed by PATCH as Entra and Okta send it, usable in catalogs, deleted.
use gatehouse::domain::group::MembershipSource;
use gatehouse::entities::{group, group_member};
use gatehouse::ids::{ConnectedSystemId, GroupId};
use gatehouse::store;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::{ok, provider, refused, user_body};
use crate::helpers::{audit_count, spawn_app};

fn group_body(name: &str, members: &[&str]) -> serde_json::Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": name,
        "externalId": format!("ext-{name}"),
        "members": members.iter().map(|m| json!({"value": m})).collect::<Vec<_>>(),
    })
}

fn values(group: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = group["members"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|v| v["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_provider_pushes_a_group_and_its_members() {
    let app = spawn_app().await;
    let idp = provider(&app).await;
    let ada = idp.create("/Users", user_body("ada@contoso.com")).await;
    let bob = idp.create("/Users", user_body("bob@contoso.com")).await;
    let carol = idp.create("/Users", user_body("carol@contoso.com")).await;
    let (ada, bob, carol) = (
        ada["id"].as_str().unwrap().to_owned(),
        bob["id"].as_str().unwrap().to_owned(),
        carol["id"].as_str().unwrap().to_owned(),
    );

    let created = idp
        .create("/Groups", group_body("Sales", &[&ada, &bob]))
        .await;
    let id: GroupId = created["id"].as_str().unwrap().parse().unwrap();
    let mut want = vec![ada.clone(), bob.clone()];
    want.sort();
    assert_eq!(values(&created), want);
    assert_eq!(created["externalId"], "ext-Sales");

    // Stored as direct members with the provider as their source.
    let rows = group_member::Entity::find()
        .filter(group_member::Column::GroupId.eq(id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r.source_kind == MembershipSource::Direct.as_str()
                && r.source_id == ConnectedSystemId::SCIM_PROVISIONING.0)
    );
    assert_eq!(audit_count(&app, "Add member to group", "Sales").await, 2);

    // Entra adds one and removes one, in its words.
    let patched = idp
        .patch(
            &format!("/Groups/{id}"),
            json!([
                {"op": "Add", "path": "members", "value": [{"value": carol}]},
                {"op": "Remove", "path": "members", "value": [{"value": ada}]},
            ]),
        )
        .await;
    let patched = ok(patched, StatusCode::OK).await;
    let mut want = vec![bob.clone(), carol.clone()];
    want.sort();
    assert_eq!(values(&patched), want);

    // RFC 7644's removal by filter, and a rename.
    let patched = ok(
        idp.patch(
            &format!("/Groups/{id}"),
            json!([
                {"op": "remove", "path": format!("members[value eq \"{bob}\"]")},
                {"op": "replace", "path": "displayName", "value": "Sales EMEA"},
            ]),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(values(&patched), vec![carol.clone()]);
    assert_eq!(patched["displayName"], "Sales EMEA");
    assert_eq!(audit_count(&app, "Update group", "Sales EMEA").await, 1);

    // Okta replaces the list wholesale with PUT.
    let put = ok(
        idp.put(&format!("/Groups/{id}"), group_body("Sales EMEA", &[&ada]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(values(&put), vec![ada.clone()]);

    // Filters Entra and Okta use.
    let by_name = ok(
        idp.get("/Groups?filter=displayName%20eq%20%22sales%20emea%22&excludedAttributes=members")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        by_name["totalResults"], 1,
        "displayName matches without case"
    );
    assert!(by_name["Resources"][0].get("members").is_none());
    let with_member = ok(
        idp.get(&format!(
            "/Groups?filter=id%20eq%20%22{id}%22%20and%20members%20eq%20%22{ada}%22"
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(with_member["totalResults"], 1);

    // A member who does not exist is refused, and nothing changes.
    let (kind, _) = refused(
        idp.patch(
            &format!("/Groups/{id}"),
            json!([{"op": "add", "path": "members", "value": [{"value": "nobody"}]}]),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(kind.as_deref(), Some("invalidValue"));
}

#[tokio::test]
async fn a_pushed_group_works_like_any_group_and_keeps_other_members() {
    let app = spawn_app().await;
    let idp = provider(&app).await;
    let ada = idp.create("/Users", user_body("ada@contoso.com")).await;
    let ada: gatehouse::ids::UserId = ada["id"].as_str().unwrap().parse().unwrap();
    let created = idp.create("/Groups", group_body("Finance", &[])).await;
    let id: GroupId = created["id"].as_str().unwrap().parse().unwrap();

    // An access package grants it: the assignment's membership is not the provider's.
    let catalog = app.default_catalog().await;
    let package = app.create_package(catalog, "Finance tools", &[id]).await;
    app.create_policy(package, crate::builders::policy("No approval", &[ada], &[]))
        .await;
    app.submit_request(ada, package).await;
    let shown = ok(idp.get(&format!("/Groups/{id}")).await, StatusCode::OK).await;
    assert!(
        values(&shown).is_empty(),
        "only what the provider pushed is listed"
    );
    // The provider replacing its members leaves the assignment's membership alone.
    ok(
        idp.put(&format!("/Groups/{id}"), group_body("Finance", &[]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        store::groups::members(&app.db, id)
            .await
            .unwrap()
            .iter()
            .any(|m| m.user_id == ada)
    );

    // In a catalog, it cannot be deleted from under the catalog.
    let (_, detail) = refused(
        idp.delete(&format!("/Groups/{id}")).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        detail.contains("Remove it from the catalog first"),
        "{detail}"
    );

    // A group of its own is deleted.
    let other = idp.create("/Groups", group_body("Temp", &[])).await;
    let gone = idp
        .delete(&format!("/Groups/{}", other["id"].as_str().unwrap()))
        .await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    let left = group::Entity::find().all(&app.db).await.unwrap();
    assert!(left.iter().all(|g| g.display_name != "Temp"));

    // Two groups may not share a name.
    let (kind, _) = refused(
        idp.post("/Groups", group_body("finance", &[])).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(kind.as_deref(), Some("uniqueness"));
}

#[tokio::test]
async fn a_group_made_in_gatehouse_is_not_the_providers_to_change() {
    let app = spawn_app().await;
    let idp = provider(&app).await;
    let ada = idp.create("/Users", user_body("ada@contoso.com")).await;
    let ada = ada["id"].as_str().unwrap().to_owned();
    let local = app.create_group("Engineering Group").await;
    // Visible, so that the provider can see the name is taken…
    let (kind, _) = refused(
        idp.post("/Groups", group_body("Engineering Group", &[]))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(kind.as_deref(), Some("uniqueness"));
    let found = ok(
        idp.get("/Groups?filter=displayName%20eq%20%22Engineering%20Group%22")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["totalResults"], 1);
    // …but neither its members nor the group itself are the provider's.
    let (_, detail) = refused(
        idp.patch(
            &format!("/Groups/{local}"),
            json!([{"op": "add", "path": "members", "value": [{"value": ada}]}]),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(detail.contains("made in Gatehouse"), "{detail}");
    refused(
        idp.delete(&format!("/Groups/{local}")).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(
        store::groups::members(&app.db, local)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn patches_that_arrive_together_all_count() {
    let app = spawn_app().await;
    let idp = provider(&app).await;
    let mut people = Vec::new();
    for n in 0..6 {
        let made = idp
            .create("/Users", user_body(&format!("p{n}@contoso.com")))
            .await;
        people.push(made["id"].as_str().unwrap().to_owned());
    }
    let created = idp.create("/Groups", group_body("Together", &[])).await;
    let path = format!("/Groups/{}", created["id"].as_str().unwrap());
    // Six adds at once, and the same add twice (a retry after a timeout).
    let adds = people.iter().chain(people.iter().take(1)).map(|p| {
        idp.patch(
            &path,
            json!([{"op": "Add", "path": "members", "value": [{"value": p}]}]),
        )
    });
    for answer in futures_util::future::join_all(adds).await {
        assert_eq!(answer.status(), StatusCode::OK);
    }
    let group = ok(idp.get(&path).await, StatusCode::OK).await;
    let mut want = people.clone();
    want.sort();
    assert_eq!(values(&group), want, "no add lost, none twice");
}
