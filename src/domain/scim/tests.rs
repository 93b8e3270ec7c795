use serde_json::json;

use super::*;

fn at(text: &str) -> time::OffsetDateTime {
    match time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
        Ok(at) => at,
        Err(err) => panic!("{text}: {err}"),
    }
}

fn parsed(body: serde_json::Value) -> UserInput {
    match UserInput::parse(&body) {
        Ok(input) => input,
        Err(err) => panic!("refused: {err:?}"),
    }
}

#[test]
fn a_user_as_microsoft_entra_sends_it() {
    let input = parsed(json!({
        "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": "Test_User_ab6490ee@contoso.com",
        "active": "True",
        "emails": [{"primary": true, "type": "work", "value": "Test_User_fd0ea19b@contoso.com"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": []
    }));
    assert_eq!(input.user_name, "Test_User_ab6490ee@contoso.com");
    assert_eq!(input.active, Some(true), "Entra's \"True\" is true");
    assert_eq!(
        input.email().as_deref(),
        Some("Test_User_fd0ea19b@contoso.com")
    );
    assert_eq!(
        input.shown_name(),
        "givenName familyName",
        "the formatted name when no displayName"
    );
    assert_eq!(
        input.external_id.as_deref(),
        Some("0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef")
    );
}

#[test]
fn a_user_needs_a_user_name_and_the_user_schema() {
    let missing = UserInput::parse(&json!({ "schemas": [USER_SCHEMA], "displayName": "X" }));
    assert_eq!(missing.map_err(|e| e.scim_type), Err("invalidValue"));
    let wrong = UserInput::parse(&json!({ "schemas": [GROUP_SCHEMA], "userName": "x@y.z" }));
    assert_eq!(wrong.map_err(|e| e.scim_type), Err("invalidSyntax"));
    let not_object = UserInput::parse(&json!(["userName"]));
    assert_eq!(not_object.map_err(|e| e.scim_type), Err("invalidSyntax"));
    let bad_active = UserInput::parse(&json!({ "userName": "x@y.z", "active": "maybe" }));
    assert_eq!(bad_active.map_err(|e| e.scim_type), Err("invalidValue"));
}

#[test]
fn the_primary_email_wins_then_work_then_the_first() {
    let input = parsed(json!({ "userName": "a@b.c", "emails": [
        {"value": "home@b.c", "type": "home"},
        {"value": "work@b.c", "type": "work"},
    ]}));
    assert_eq!(input.email().as_deref(), Some("work@b.c"));
    let input = parsed(json!({ "userName": "a@b.c", "emails": [
        {"value": "work@b.c", "type": "work"},
        {"value": "main@b.c", "type": "other", "primary": true},
    ]}));
    assert_eq!(input.email().as_deref(), Some("main@b.c"));
    let input = parsed(
        json!({ "userName": "a@b.c", "name": {"givenName": "Ada", "familyName": "Lovelace"} }),
    );
    assert_eq!(input.email(), None);
    assert_eq!(input.shown_name(), "Ada Lovelace");
    assert_eq!(parsed(json!({ "userName": "a@b.c" })).shown_name(), "a@b.c");
}

#[test]
fn a_user_is_shown_with_what_the_provider_sent_while_it_still_holds() {
    let sent = parsed(
        json!({ "userName": "Ada@Contoso.com", "emails": [{"value": "ada@contoso.com", "type": "home", "primary": true}], "name": {"givenName": "Ada"} }),
    );
    let view = UserView {
        id: "42".into(),
        user_name: "Ada@Contoso.com".into(),
        external_id: Some("e1"),
        display_name: "Ada",
        active: true,
        email: Some("ada@contoso.com"),
        profile: Some(sent.profile()),
        created: at("2026-11-24T09:00:00Z"),
        modified: at("2026-11-24T10:00:00Z"),
    };
    let shown = view.to_json("https://gh.test/scim/v2");
    assert_eq!(
        shown["emails"],
        json!([{"value": "ada@contoso.com", "type": "home", "primary": true}])
    );
    assert_eq!(shown["name"], json!({"givenName": "Ada"}));
    assert_eq!(
        shown["meta"]["location"],
        "https://gh.test/scim/v2/Users/42"
    );
    assert_eq!(shown["meta"]["lastModified"], "2026-11-24T10:00:00Z");
    assert_eq!(shown["externalId"], "e1");

    // An administrator changed the address since: theirs is shown.
    let changed = UserView {
        email: Some("ada.lovelace@contoso.com"),
        ..view
    };
    let shown = changed.to_json("https://gh.test/scim/v2");
    assert_eq!(
        shown["emails"],
        json!([{"value": "ada.lovelace@contoso.com", "type": "work", "primary": true}])
    );
}

#[test]
fn a_version_changes_with_the_resource() {
    let one = version(at("2026-11-24T09:00:00Z"));
    assert!(one.starts_with("W/\""));
    assert_ne!(one, version(at("2026-11-24T09:00:00.000001Z")));
}

#[test]
fn groups_take_members_by_value_or_reference() {
    let input = GroupInput::parse(&json!({
        "schemas": [GROUP_SCHEMA],
        "displayName": "Sales",
        "members": [{"value": "b"}, {"$ref": "https://x.test/scim/v2/Users/a"}, {"value": "b"}],
    }));
    let Ok(input) = input else {
        panic!("refused: {input:?}");
    };
    assert_eq!(input.members, vec!["a".to_owned(), "b".to_owned()]);
    let unnamed =
        GroupInput::parse(&json!({ "displayName": "X", "members": [{"display": "who"}] }));
    assert_eq!(unnamed.map_err(|e| e.scim_type), Err("invalidValue"));
    let nameless = GroupInput::parse(&json!({ "members": [] }));
    assert_eq!(nameless.map_err(|e| e.scim_type), Err("invalidValue"));
}

#[test]
fn attributes_and_excluded_attributes_choose_what_comes_back() {
    let resource = json!({
        "schemas": [USER_SCHEMA], "id": "1", "userName": "a@b.c", "displayName": "A",
        "name": {"givenName": "A", "familyName": "B"},
        "emails": [{"value": "a@b.c", "type": "work"}],
        "meta": {"version": "W/\"1\""},
    });
    let only = Selection::new(Some("userName,name.givenName"), None).apply(resource.clone());
    assert_eq!(
        only,
        json!({"schemas": [USER_SCHEMA], "id": "1", "userName": "a@b.c", "name": {"givenName": "A"}})
    );
    let without = Selection::new(None, Some("emails,name.familyName,id")).apply(resource.clone());
    assert_eq!(without["id"], "1", "id is always returned");
    assert!(without.get("emails").is_none());
    assert_eq!(without["name"], json!({"givenName": "A"}));
    let urn = Selection::new(Some(&format!("{USER_SCHEMA}:displayName")), None).apply(resource);
    assert_eq!(urn["displayName"], "A");
    assert!(urn.get("userName").is_none());
    assert!(!Selection::new(None, Some("members")).wants("members"));
    assert!(Selection::default().wants("members"));
}

#[test]
fn errors_follow_rfc_7644() {
    let body = error_body(409, Some("uniqueness"), "taken");
    assert_eq!(body["schemas"], json!([ERROR_SCHEMA]));
    assert_eq!(body["status"], "409", "a string, as RFC 7644 §3.12 says");
    assert_eq!(body["scimType"], "uniqueness");
    assert!(error_body(404, None, "gone").get("scimType").is_none());
}

#[test]
fn patch_operations_on_attributes_not_kept_are_left_out() {
    let body = json!({
        "schemas": [PATCH_OP],
        "Operations": [
            {"op": "Replace", "path": "phoneNumbers[type eq \"work\"].value", "value": "555"},
            {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "R&D"},
            {"op": "Replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:displayName", "value": "Ada"},
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "a@b.c"},
            {"op": "replace", "value": {"active": false, "title": "Engineer", "urn:ietf:params:scim:schemas:extension:Custom:2.0:User:costCenter": "7"}},
            {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:Custom:2.0:User:costCenter", "value": "7"},
            {"op": "add", "value": {"nickName": "Ada"}},
        ],
    });
    let Some(kept) = known_operations(&body, USER_SCHEMA, &USER_ATTRIBUTES) else {
        panic!("some operations are kept");
    };
    let paths: Vec<Option<&str>> = kept["Operations"]
        .as_array()
        .map(|ops| ops.iter().map(|op| op["path"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        paths,
        vec![
            Some("urn:ietf:params:scim:schemas:core:2.0:User:displayName"),
            Some("emails[type eq \"work\"].value"),
            None,
        ]
    );
    assert_eq!(
        kept["Operations"][2]["value"],
        json!({"active": false}),
        "a path-less value keeps only what Gatehouse keeps"
    );
    let only_phone = json!({"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "path": "phoneNumbers[type eq \"work\"].value", "value": "555"},
    ]});
    assert_eq!(
        known_operations(&only_phone, USER_SCHEMA, &USER_ATTRIBUTES),
        None
    );
    let empty = json!({"schemas": [PATCH_OP], "Operations": []});
    assert_eq!(
        known_operations(&empty, USER_SCHEMA, &USER_ATTRIBUTES),
        Some(empty.clone()),
        "an empty list stays for apply() to refuse"
    );
}
