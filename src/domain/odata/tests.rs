#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;
use time::macros::datetime;
use uuid::Uuid;

use super::*;

const STATES: &[&str] = &["active", "expired", "pendingApproval"];

const fn prop(name: &'static str, kind: Kind, filter: bool, order: bool) -> Property {
    Property {
        name,
        kind,
        filter,
        order,
    }
}

const USERS: Resource = Resource {
    properties: &[
        prop("id", Kind::Guid, true, false),
        prop("displayName", Kind::String, true, true),
        prop("userPrincipalName", Kind::String, true, true),
        prop("mail", Kind::String, true, false),
        prop("jobTitle", Kind::String, false, false),
        prop("accountEnabled", Kind::Bool, true, false),
        prop("createdDateTime", Kind::DateTime, true, true),
        prop("signInCount", Kind::Int, true, true),
        prop("state", Kind::Enum(STATES), true, false),
    ],
    expand: &["manager", "memberOf", "resourceRoleScopes"],
    nested: &[("resourceRoleScopes", &["role", "scope"])],
    default_order: "displayName",
};

/// A resource whose table does not list `id`, to show `$select=id` is still allowed.
const NO_ID: Resource = Resource {
    properties: &[prop("displayName", Kind::String, true, true)],
    expand: &[],
    nested: &[],
    default_order: "displayName",
};

fn ok(raw: &str) -> Query {
    match parse(raw, &USERS) {
        Ok(query) => query,
        Err(err) => panic!("{raw:?} was refused: {} {}", err.code, err.message),
    }
}

fn refused(raw: &str) -> QueryError {
    match parse(raw, &USERS) {
        Ok(query) => panic!("{raw:?} was accepted as {query:?}"),
        Err(err) => err,
    }
}

fn filter(text: &str) -> Filter {
    let raw = format!("$filter={}", encode(text));
    ok(&raw).filter.expect("a filter")
}

fn filter_refused(text: &str) -> QueryError {
    refused(&format!("$filter={}", encode(text)))
}

/// Percent-encodes as a browser would, so tests can write filters plainly.
fn encode(text: &str) -> String {
    serde_urlencoded::to_string([("x", text)])
        .expect("encodable")
        .trim_start_matches("x=")
        .to_owned()
}

fn cmp(property: &'static str, op: CompareOp, value: Literal) -> Filter {
    Filter::Compare {
        property,
        op,
        value,
    }
}

fn text(s: &str) -> Literal {
    Literal::String(s.to_owned())
}

fn name_is(s: &str) -> Filter {
    cmp("displayName", CompareOp::Eq, text(s))
}

#[test]
fn an_empty_query_string_gives_the_defaults() {
    assert_eq!(ok(""), Query::default());
    assert_eq!(ok("?"), Query::default());
    assert_eq!(
        Query::default().order_or_default(&USERS),
        ("displayName", Direction::Asc)
    );
}

#[test]
fn option_names_ignore_case_and_the_dollar() {
    let query = ok("$TOP=5&skip=2&$Count=true&ORDERBY=displayName%20desc&select=mail");
    assert_eq!(query.top, Some(5));
    assert_eq!(query.skip, Some(2));
    assert!(query.count);
    assert_eq!(query.order, Some(("displayName", Direction::Desc)));
    assert_eq!(query.select, Some(vec!["mail"]));
    assert_eq!(
        query.order_or_default(&USERS),
        ("displayName", Direction::Desc)
    );
}

#[test]
fn an_option_given_twice_is_refused_even_spelled_differently() {
    for raw in [
        "$top=5&$top=6",
        "$top=5&top=5",
        "$TOP=1&$top=1",
        "filter=x&$Filter=y",
    ] {
        let err = refused(raw);
        assert_eq!(err.code, BAD_REQUEST, "{raw}");
        assert!(
            err.message.contains("more than once"),
            "{raw}: {}",
            err.message
        );
    }
}

#[test]
fn unknown_dollar_options_are_refused() {
    for (raw, named) in [
        ("$foo=1", "'$foo'"),
        ("$search=%22x%22", "'$search'"),
        ("$format=json", "'$format'"),
        ("$levels=2", "'$levels'"),
        ("search=x", "'$search'"),
        ("$=1", "'$'"),
    ] {
        let err = refused(raw);
        assert_eq!(err.code, BAD_REQUEST, "{raw}");
        assert_eq!(
            err.message,
            format!("Query option {named} is not supported."),
            "{raw}"
        );
    }
}

#[test]
fn parameters_that_are_not_query_options_are_ignored() {
    assert_eq!(
        ok("api-version=1&foo=bar&x&top5=1&tenant=%24top"),
        Query::default()
    );
}

#[test]
fn percent_encoding_and_plus_are_decoded() {
    let expected = Some(name_is("Ada Lovelace"));
    assert_eq!(
        ok("$filter=displayName%20eq%20%27Ada%20Lovelace%27").filter,
        expected
    );
    assert_eq!(ok("$filter=displayName+eq+'Ada+Lovelace'").filter, expected);
    assert_eq!(ok("%24top=3").top, Some(3));
    assert_eq!(
        ok("$filter=displayName%20eq%20%27a%2Bb%26c%27").filter,
        Some(name_is("a+b&c"))
    );
}

#[test]
fn top_must_be_a_whole_number_from_1_to_999() {
    assert_eq!(ok("$top=1").top, Some(1));
    assert_eq!(ok("$top=999").top, Some(999));
    for bad in [
        "0",
        "1000",
        "-1",
        "abc",
        "",
        "1.5",
        "99999999999999999999999",
        "%2B5",
    ] {
        let err = refused(&format!("$top={bad}"));
        assert_eq!(err.code, BAD_REQUEST);
        assert!(err.message.starts_with("Invalid $top value"), "{bad}");
    }
}

#[test]
fn skip_must_be_a_whole_number_up_to_a_million() {
    assert_eq!(ok("$skip=0").skip, Some(0));
    assert_eq!(ok("$skip=1000000").skip, Some(1_000_000));
    for bad in ["1000001", "-1", "x", "", "4294967296"] {
        let err = refused(&format!("$skip={bad}"));
        assert!(err.message.starts_with("Invalid $skip value"), "{bad}");
    }
}

#[test]
fn count_takes_only_true_or_false() {
    assert!(ok("$count=true").count);
    assert!(!ok("$count=false").count);
    assert!(ok("$count=TRUE").count);
    for bad in ["1", "yes", "", "truee"] {
        let err = refused(&format!("$count={bad}"));
        assert!(err.message.starts_with("Invalid $count value"), "{bad}");
    }
}

#[test]
fn the_skiptoken_is_kept_as_given() {
    assert_eq!(
        ok("$skiptoken=abc-_DEF").skiptoken.as_deref(),
        Some("abc-_DEF")
    );
}

#[test]
fn orderby_takes_one_property_and_an_optional_direction() {
    assert_eq!(
        ok("$orderby=displayName").order,
        Some(("displayName", Direction::Asc))
    );
    assert_eq!(
        ok("$orderby=CREATEDDATETIME%20DESC").order,
        Some(("createdDateTime", Direction::Desc))
    );
    assert_eq!(
        ok("$orderby=+signInCount++asc+").order,
        Some(("signInCount", Direction::Asc))
    );
    let two = refused("$orderby=displayName,createdDateTime%20desc");
    assert_eq!(two.code, UNSUPPORTED_QUERY);
    assert_eq!(two.message, "Only one $orderby property is supported.");
    assert_eq!(refused("$orderby=displayName%20up").code, BAD_REQUEST);
    assert_eq!(refused("$orderby=displayName%20asc%20x").code, BAD_REQUEST);
    assert_eq!(refused("$orderby=").code, BAD_REQUEST);
    assert_eq!(refused("$orderby=displayName,").code, BAD_REQUEST);
}

#[test]
fn orderby_refuses_unknown_and_unsortable_properties() {
    let unknown = refused("$orderby=shoeSize");
    assert_eq!(unknown.code, BAD_REQUEST);
    assert_eq!(
        unknown.message,
        "Could not find a property named 'shoeSize' on this resource."
    );
    let unsortable = refused("$orderby=mail");
    assert_eq!(unsortable.code, UNSUPPORTED_QUERY);
    assert_eq!(unsortable.message, "Sorting by 'mail' is not supported.");
}

#[test]
fn select_returns_canonical_names_once_each() {
    assert_eq!(
        ok("$select=DisplayName,%20mail%20,displayname,ID").select,
        Some(vec!["displayName", "mail", "id"])
    );
    assert_eq!(ok("$select=*").select, None);
}

#[test]
fn select_always_allows_id() {
    let query = parse("$select=id,displayName", &NO_ID).expect("accepted");
    assert_eq!(query.select, Some(vec!["id", "displayName"]));
}

#[test]
fn select_refuses_unknown_properties_and_empty_items() {
    let err = refused("$select=displayName,shoeSize");
    assert_eq!(err.code, BAD_REQUEST);
    assert!(err.message.contains("'shoeSize'"));
    assert!(refused("$select=").message.contains("empty"));
    assert!(refused("$select=id,,mail").message.contains("empty item"));
}

#[test]
fn expand_takes_a_comma_list_of_navigation_properties() {
    let query = ok("$expand=Manager,%20memberOf");
    assert_eq!(
        query.expand,
        vec![
            Expand {
                name: "manager",
                select: None,
                expand: vec![],
            },
            Expand {
                name: "memberOf",
                select: None,
                expand: vec![],
            },
        ]
    );
}

#[test]
fn expand_takes_nested_expand_and_select_with_their_commas() {
    let query = ok(
        "$expand=resourceRoleScopes($expand=Role,scope;$select=id,roleDefinitionId),manager($select=displayName)",
    );
    assert_eq!(
        query.expand,
        vec![
            Expand {
                name: "resourceRoleScopes",
                select: Some(vec!["id".to_owned(), "roleDefinitionId".to_owned()]),
                expand: vec!["role".to_owned(), "scope".to_owned()],
            },
            Expand {
                name: "manager",
                select: Some(vec!["displayName".to_owned()]),
                expand: vec![],
            },
        ]
    );
}

#[test]
fn expand_refuses_what_it_cannot_do() {
    let cases = [
        (
            "$expand=shoes",
            "Could not find a navigation property named 'shoes'",
        ),
        ("$expand=displayName", "not a navigation property"),
        ("$expand=manager,manager", "expanded more than once"),
        (
            "$expand=manager($filter=x%20eq%201)",
            "'$filter' is not supported inside $expand",
        ),
        (
            "$expand=manager($top=1)",
            "'$top' is not supported inside $expand",
        ),
        (
            "$expand=manager($expand=role)",
            "to expand inside 'manager'",
        ),
        ("$expand=resourceRoleScopes($expand=owner)", "'owner'"),
        (
            "$expand=resourceRoleScopes($expand=role($expand=x))",
            "one level",
        ),
        ("$expand=manager(", "unbalanced"),
        ("$expand=manager)", "unbalanced"),
        ("$expand=manager(x)y", "one level"),
        ("$expand=manager(select)", "Invalid option"),
        ("$expand=manager($select=a;$select=b)", "more than once"),
        ("$expand=manager($select=a%20b)", "Invalid property name"),
        ("$expand=", "empty"),
        ("$expand=manager,,memberOf", "empty item"),
    ];
    for (raw, says) in cases {
        let err = refused(raw);
        assert_eq!(err.code, BAD_REQUEST, "{raw}");
        assert!(err.message.contains(says), "{raw}: {}", err.message);
    }
}

#[test]
fn a_single_item_takes_only_select_and_expand() {
    let query =
        parse_single("$select=displayName&expand=manager&api-version=2", &USERS).expect("accepted");
    assert_eq!(query.select, Some(vec!["displayName"]));
    assert_eq!(query.expand.len(), 1);
    for raw in [
        "$top=1",
        "$filter=mail%20eq%20'x'",
        "orderby=displayName",
        "$count=true",
    ] {
        let err = parse_single(raw, &USERS).expect_err(raw);
        assert_eq!(err.code, BAD_REQUEST);
        assert!(
            err.message.contains("single item"),
            "{raw}: {}",
            err.message
        );
    }
    let unknown = parse_single("$foo=1", &USERS).expect_err("refused");
    assert_eq!(unknown.message, "Query option '$foo' is not supported.");
}

#[test]
fn filter_compares_each_kind_of_literal() {
    let id = Uuid::parse_str("5f2b6c1e-3d4a-4b8e-9c0d-1e2f3a4b5c6d").expect("uuid");
    assert_eq!(
        filter("id eq 5f2b6c1e-3d4a-4b8e-9c0d-1e2f3a4b5c6d"),
        cmp("id", CompareOp::Eq, Literal::Guid(id))
    );
    assert_eq!(
        filter("id ne '5F2B6C1E-3D4A-4B8E-9C0D-1E2F3A4B5C6D'"),
        cmp("id", CompareOp::Ne, Literal::Guid(id))
    );
    assert_eq!(
        filter("createdDateTime ge 2026-01-01T00:00:00Z"),
        cmp(
            "createdDateTime",
            CompareOp::Ge,
            Literal::DateTime(datetime!(2026-01-01 00:00:00 UTC))
        )
    );
    assert_eq!(
        filter("createdDateTime lt 2026-01-01T02:00:00.5+02:00"),
        cmp(
            "createdDateTime",
            CompareOp::Lt,
            Literal::DateTime(datetime!(2026-01-01 00:00:00.5 UTC))
        )
    );
    assert_eq!(
        filter("accountEnabled eq false"),
        cmp("accountEnabled", CompareOp::Eq, Literal::Bool(false))
    );
    assert_eq!(
        filter("signInCount gt -3"),
        cmp("signInCount", CompareOp::Gt, Literal::Int(-3))
    );
    assert_eq!(
        filter("mail eq null"),
        cmp("mail", CompareOp::Eq, Literal::Null)
    );
    assert_eq!(
        filter("displayName le 'M'"),
        cmp("displayName", CompareOp::Le, text("M"))
    );
}

#[test]
fn filter_strings_escape_quotes_by_doubling() {
    assert_eq!(filter("displayName eq 'O''Brien'"), name_is("O'Brien"));
    assert_eq!(filter("displayName eq ''''"), name_is("'"));
    assert_eq!(filter("displayName eq ''"), name_is(""));
    assert_eq!(filter("displayName eq 'a (b), c'"), name_is("a (b), c"));
    assert_eq!(filter("displayName eq 'Zoë 工'"), name_is("Zoë 工"));
}

#[test]
fn filter_names_keywords_and_functions_ignore_case() {
    assert_eq!(
        filter("DISPLAYNAME EQ 'x' AND NOT StartsWith(MAIL,'a') OR accountenabled Eq TRUE"),
        Filter::Or(
            Box::new(Filter::And(
                Box::new(name_is("x")),
                Box::new(Filter::Not(Box::new(Filter::StartsWith {
                    property: "mail",
                    prefix: "a".to_owned(),
                }))),
            )),
            Box::new(cmp("accountEnabled", CompareOp::Eq, Literal::Bool(true))),
        )
    );
}

#[test]
fn filter_binds_not_before_and_before_or() {
    let (a, b, c) = (name_is("a"), name_is("b"), name_is("c"));
    assert_eq!(
        filter("displayName eq 'a' or displayName eq 'b' and displayName eq 'c'"),
        Filter::Or(
            Box::new(a.clone()),
            Box::new(Filter::And(Box::new(b.clone()), Box::new(c.clone())))
        )
    );
    assert_eq!(
        filter("(displayName eq 'a' or displayName eq 'b') and displayName eq 'c'"),
        Filter::And(
            Box::new(Filter::Or(Box::new(a.clone()), Box::new(b.clone()))),
            Box::new(c.clone())
        )
    );
    assert_eq!(
        filter("not displayName eq 'a' and displayName eq 'b'"),
        Filter::And(Box::new(Filter::Not(Box::new(a.clone()))), Box::new(b))
    );
    assert_eq!(
        filter("not(not((displayName eq 'a')))"),
        Filter::Not(Box::new(Filter::Not(Box::new(a))))
    );
}

#[test]
fn startswith_takes_a_text_property_and_a_quoted_prefix() {
    assert_eq!(
        filter("startswith(userPrincipalName, 'ada@')"),
        Filter::StartsWith {
            property: "userPrincipalName",
            prefix: "ada@".to_owned(),
        }
    );
    let on_guid = filter_refused("startswith(id,'5f')");
    assert_eq!(on_guid.code, UNSUPPORTED_QUERY);
    assert!(on_guid.message.contains("only on text properties"));
    let on_enum = filter_refused("startswith(state,'a')");
    assert_eq!(on_enum.code, UNSUPPORTED_QUERY);
    assert_eq!(
        filter_refused("startswith(displayName,5)").code,
        BAD_REQUEST
    );
    assert_eq!(
        filter_refused("startswith(displayName 'a')").code,
        BAD_REQUEST
    );
    assert_eq!(
        filter_refused("startswith(displayName,'a'").code,
        BAD_REQUEST
    );
    let other = filter_refused("endswith(displayName,'a')");
    assert_eq!(other.code, UNSUPPORTED_QUERY);
    assert!(other.message.contains("'endswith'"));
}

#[test]
fn in_takes_a_list_of_values_of_the_property_kind() {
    assert_eq!(
        filter("displayName in ('a', 'b','c')"),
        Filter::In {
            property: "displayName",
            values: vec![text("a"), text("b"), text("c")],
        }
    );
    assert_eq!(
        filter("state IN ('EXPIRED')"),
        Filter::In {
            property: "state",
            values: vec![text("expired")],
        }
    );
    assert_eq!(filter_refused("displayName in ()").code, BAD_REQUEST);
    assert_eq!(filter_refused("displayName in 'a'").code, BAD_REQUEST);
    assert_eq!(filter_refused("displayName in ('a' 'b')").code, BAD_REQUEST);
    assert_eq!(filter_refused("displayName in ('a',)").code, BAD_REQUEST);
    assert_eq!(filter_refused("id in ('nope')").code, BAD_REQUEST);
    assert_eq!(
        filter_refused("displayName in ('a',null)").code,
        BAD_REQUEST
    );
}

#[test]
fn enum_values_match_without_case_and_come_back_canonical() {
    assert_eq!(
        filter("state eq 'PENDINGAPPROVAL'"),
        cmp("state", CompareOp::Eq, text("pendingApproval"))
    );
    let err = filter_refused("state eq 'gone'");
    assert_eq!(err.code, BAD_REQUEST);
    assert!(
        err.message
            .contains("'active', 'expired', 'pendingApproval'")
    );
}

#[test]
fn literals_must_fit_the_property_kind() {
    for bad in [
        "id eq 'not-a-guid'",
        "id eq 12",
        "displayName eq x",
        "displayName eq 5",
        "accountEnabled eq 'true'",
        "accountEnabled eq yes",
        "createdDateTime ge '2026-01-01T00:00:00Z'",
        "createdDateTime ge 2026-01-01",
        "signInCount eq '5'",
        "signInCount eq 1.5",
        "signInCount eq 99999999999999999999",
        "state eq active",
    ] {
        let err = filter_refused(bad);
        assert_eq!(err.code, BAD_REQUEST, "{bad}");
        assert!(
            err.message.starts_with("Invalid value at position"),
            "{bad}: {}",
            err.message
        );
    }
    assert!(
        filter_refused("signInCount eq 99999999999999999999")
            .message
            .contains("out of range")
    );
}

#[test]
fn ordering_operators_only_apply_to_text_dates_and_numbers() {
    for bad in [
        "accountEnabled gt true",
        "id lt 5f2b6c1e-3d4a-4b8e-9c0d-1e2f3a4b5c6d",
        "state ge 'active'",
    ] {
        let err = filter_refused(bad);
        assert_eq!(err.code, UNSUPPORTED_QUERY, "{bad}");
        assert!(err.message.contains("is not supported on"), "{bad}");
    }
    assert_eq!(filter_refused("createdDateTime gt null").code, BAD_REQUEST);
    assert_eq!(
        filter_refused("displayName has 'x'").code,
        UNSUPPORTED_QUERY
    );
}

#[test]
fn filter_refuses_unknown_and_unfilterable_properties() {
    let unknown = filter_refused("shoeSize eq 5");
    assert_eq!(unknown.code, BAD_REQUEST);
    assert_eq!(
        unknown.message,
        "Could not find a property named 'shoeSize' on this resource."
    );
    let unfilterable = filter_refused("jobTitle eq 'x'");
    assert_eq!(unfilterable.code, UNSUPPORTED_QUERY);
    assert_eq!(
        unfilterable.message,
        "Filtering on 'jobTitle' is not supported."
    );
    assert_eq!(
        filter_refused("startswith(jobTitle,'x')").code,
        UNSUPPORTED_QUERY
    );
}

#[test]
fn syntax_errors_say_where_and_what() {
    assert_eq!(
        filter_refused("displayName eq").message,
        "Syntax error at position 14 in '$filter': expected a value after 'eq'."
    );
    assert_eq!(
        filter_refused("displayName eq )").message,
        "Syntax error at position 15 in '$filter': expected a value after 'eq', found ')'."
    );
    assert_eq!(
        filter_refused("displayName eq 'a' displayName").message,
        "Syntax error at position 19 in '$filter': expected 'and', 'or' or the end of the \
         filter after the string 'a', found 'displayName'."
    );
    assert_eq!(
        filter_refused("displayName eq 'abc").message,
        "Syntax error at position 15 in '$filter': the string that starts here has no \
         closing quote."
    );
    for bad in [
        "displayName",
        "displayName 'a'",
        "displayName like 'a'",
        "(displayName eq 'a'",
        "displayName eq 'a')",
        "displayName eq 'a' and",
        "and displayName eq 'a'",
        "or",
        "not",
        "()",
        ",",
        "'a' eq displayName",
        "displayName eq 'a' or or displayName eq 'b'",
    ] {
        let err = filter_refused(bad);
        assert_eq!(err.code, BAD_REQUEST, "{bad}");
        assert!(
            err.message.starts_with("Syntax error at position"),
            "{bad}: {}",
            err.message
        );
    }
    assert!(filter_refused("  ").message.contains("empty"));
    assert!(refused("$filter=").message.contains("empty"));
}

#[test]
fn filter_length_and_nesting_are_bounded() {
    let long = format!("displayName eq '{}'", "a".repeat(MAX_FILTER_LEN));
    assert!(filter_refused(&long).message.contains("at most 2000"));
    let just_fits = format!("displayName eq '{}'", "a".repeat(MAX_FILTER_LEN - 17));
    assert_eq!(
        filter(&just_fits),
        name_is(&"a".repeat(MAX_FILTER_LEN - 17))
    );

    let deep = |n: usize| format!("{}displayName eq 'a'{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(filter(&deep(MAX_FILTER_DEPTH)), name_is("a"));
    assert!(
        filter_refused(&deep(MAX_FILTER_DEPTH + 1))
            .message
            .contains("levels deep")
    );
    assert!(filter_refused(&deep(900)).message.contains("levels deep"));
    let nots = format!("{}displayName eq 'a'", "not ".repeat(400));
    assert!(filter_refused(&nots).message.contains("levels deep"));
    let opens = "(".repeat(MAX_FILTER_LEN);
    assert!(filter_refused(&opens).message.contains("levels deep"));

    let chain = vec!["displayName eq 'a'"; 80].join(" and ");
    assert!(matches!(filter(&chain), Filter::And(..)));
}

#[test]
fn skiptokens_round_trip_as_unpadded_base64url() {
    let cursor = Cursor {
        key: json!("Ada ~ Lovelace ÿ?"),
        id: "5f2b6c1e-3d4a-4b8e-9c0d-1e2f3a4b5c6d".to_owned(),
        desc: true,
        order: "displayName".to_owned(),
    };
    let token = encode_skiptoken(&cursor);
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{token}"
    );
    assert_eq!(decode_skiptoken(&token), Ok(cursor.clone()));
    let through_query = ok(&format!("$skiptoken={token}"));
    assert_eq!(
        decode_skiptoken(through_query.skiptoken.as_deref().unwrap_or_default()),
        Ok(cursor)
    );
    let offset = Cursor {
        key: json!(200),
        id: String::new(),
        desc: false,
        order: String::new(),
    };
    assert_eq!(decode_skiptoken(&encode_skiptoken(&offset)), Ok(offset));
}

#[test]
fn skiptokens_not_made_here_are_refused() {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    for token in [
        String::new(),
        "!!!".to_owned(),
        "abc=".to_owned(),
        b64("not json"),
        b64("{\"k\":1}"),
        b64("{\"k\":1,\"i\":\"x\",\"d\":false,\"o\":\"a\",\"extra\":1}"),
        b64(&format!("{}1{}", "[".repeat(5000), "]".repeat(5000))),
        "A".repeat(10_000),
    ] {
        let err = decode_skiptoken(&token).expect_err("refused");
        assert_eq!(err.code, BAD_REQUEST);
        assert_eq!(err.message, "The $skiptoken is not valid.");
    }
}

#[test]
fn error_messages_do_not_repeat_huge_input() {
    let err = refused(&format!("$select={}", "x".repeat(50_000)));
    assert!(err.message.len() < 300, "{}", err.message.len());
}

/// A small deterministic generator, so a failure is reproducible.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(self.0 >> 33).unwrap_or(0)
    }
}

#[test]
fn garbage_input_never_panics() {
    const PIECES: &[&str] = &[
        "$filter=",
        "$top=",
        "$skip=",
        "$select=",
        "$expand=",
        "$orderby=",
        "$count=",
        "$skiptoken=",
        "$search=",
        "filter=",
        "&",
        "=",
        "?",
        "%",
        "%2",
        "%27",
        "%FF",
        "%C3%A9",
        "%00",
        "+",
        " ",
        "(",
        ")",
        "((",
        "))",
        "'",
        "''",
        ",",
        ";",
        "$",
        "eq",
        " eq ",
        " ne ",
        " gt ",
        " le ",
        " in ",
        " and ",
        " or ",
        "not ",
        "startswith(",
        "endswith(",
        "null",
        "true",
        "false",
        "displayName",
        "id",
        "state",
        "createdDateTime",
        "signInCount",
        "accountEnabled",
        "jobTitle",
        "manager",
        "resourceRoleScopes",
        "($expand=role)",
        "($select=id;$expand=scope)",
        "'x'",
        "5f2b6c1e-3d4a-4b8e-9c0d-1e2f3a4b5c6d",
        "2026-01-01T00:00:00Z",
        "9999-12-31T23:59:59-23:59",
        "-0",
        "999",
        "99999999999999999999999999999999",
        "-9223372036854775809",
        "1e308",
        "é",
        "工",
        "🙂",
        "\u{0}",
        "\u{202e}",
        "\u{feff}",
        "\\",
        "\"",
        "asc",
        " desc",
        "*",
        "/",
        ":",
    ];
    let mut rng = Lcg(0x5eed);
    for round in 0..4000 {
        let pieces = 1 + rng.next() % 24;
        let mut input = String::new();
        for _ in 0..pieces {
            if rng.next().is_multiple_of(8) {
                let c = char::from_u32(u32::try_from(rng.next() % 0x11_0000).unwrap_or(0))
                    .unwrap_or('\u{fffd}');
                input.push(c);
            } else {
                input.push_str(PIECES[rng.next() % PIECES.len()]);
            }
        }
        if round % 500 == 0 {
            input = input.repeat(200);
        }
        let _ = parse(&input, &USERS);
        let _ = parse_single(&input, &USERS);
        let _ = parse(&format!("$filter={}", encode(&input)), &USERS);
        let _ = parse(&format!("$expand={input}"), &USERS);
        let _ = decode_skiptoken(&input);
    }
}
