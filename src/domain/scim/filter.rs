//! Parsing of the SCIM 2.0 `filter` query parameter (RFC 7644 §3.4.2.2).
//!
//! Only a small, safe subset is supported: `attrPath eq compValue`
//! comparisons joined by `and`, optionally wrapped in parentheses.
//! Everything else is refused with a [`FilterError`] whose message can be
//! returned to the client as a SCIM 400 `invalidFilter` error.

use std::fmt;

use serde_json::Value;

/// The longest filter, in characters, that [`parse`] accepts.
const MAX_LEN: usize = 1000;

/// How deeply parentheses may be nested.
const MAX_DEPTH: usize = 16;

/// Core schema prefixes that are removed from attribute paths before use.
const CORE_PREFIXES: [&str; 2] = [
    "urn:ietf:params:scim:schemas:core:2.0:user",
    "urn:ietf:params:scim:schemas:core:2.0:group",
];

/// Comparison operators from RFC 7644 that are recognised but refused.
const UNSUPPORTED_OPERATORS: [&str; 9] = ["ne", "co", "sw", "ew", "pr", "gt", "ge", "lt", "le"];

/// A parsed filter: one equality comparison, or several joined by `and`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// The attribute `attr` must equal `value`.
    ///
    /// `attr` is lower-cased with any core schema URN prefix removed, for
    /// example `"username"`, `"externalid"` or `"emails.value"`; a bare
    /// `"members"` becomes `"members.value"`. `value` is the decoded string,
    /// `"true"`/`"false"` for booleans, or the text of a number.
    Eq {
        /// The lower-cased attribute path being compared.
        attr: String,
        /// The value it is compared with, as text.
        value: String,
    },
    /// Every one of these filters must match.
    And(Vec<Filter>),
}

/// Why a filter was refused; the message is meant for a SCIM 400
/// `invalidFilter` response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError(pub String);

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FilterError {}

/// One `attr eq value` comparison with the attribute's original casing and
/// the value's JSON type kept; shared with the PATCH path parser.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Comparison {
    /// The attribute path as written, minus any core schema URN prefix.
    pub(super) attr: String,
    /// The compared value: a JSON string, boolean or number.
    pub(super) value: Value,
    /// The value as text (decoded string, `true`/`false`, number text).
    pub(super) text: String,
}

/// Parses a SCIM `filter` parameter such as `userName eq "bjensen"`.
///
/// Accepts `attrPath eq compValue` comparisons joined by `and` (both words
/// case-insensitive), optionally wrapped in parentheses. The value may be a
/// JSON string, `true`, `false` or a JSON number. Anything else, or input
/// longer than 1000 characters, is refused with a [`FilterError`].
pub fn parse(input: &str) -> Result<Filter, FilterError> {
    let mut filters: Vec<Filter> = parse_comparisons(input)?
        .into_iter()
        .map(|c| {
            let mut attr = c.attr.to_lowercase();
            if attr == "members" {
                attr = "members.value".to_string();
            }
            Filter::Eq {
                attr,
                value: c.text,
            }
        })
        .collect();
    if filters.len() == 1
        && let Some(only) = filters.pop()
    {
        return Ok(only);
    }
    Ok(Filter::And(filters))
}

/// Parses a filter into its list of `eq` comparisons (all must hold),
/// keeping attribute casing and value types.
pub(super) fn parse_comparisons(input: &str) -> Result<Vec<Comparison>, FilterError> {
    if input.chars().count() > MAX_LEN {
        return Err(FilterError(format!(
            "The filter is longer than {MAX_LEN} characters."
        )));
    }
    if input.trim().is_empty() {
        return Err(FilterError("The filter is empty.".to_string()));
    }
    let tokens = tokenize(input)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let comparisons = parser.expression()?;
    match parser.tokens.get(parser.pos) {
        None => Ok(comparisons),
        Some(Token::Close) => Err(FilterError(
            "The filter has a \")\" without a matching \"(\".".to_string(),
        )),
        Some(other) => Err(FilterError(format!(
            "Unexpected {} in the filter.",
            other.describe()
        ))),
    }
}

/// Builds the message used for every recognised but unsupported construct.
fn unsupported(what: &str) -> FilterError {
    FilterError(format!(
        "Gatehouse supports only \"eq\" comparisons joined by \"and\"; {what} is not supported."
    ))
}

/// A lexical token of the filter grammar.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// `(`
    Open,
    /// `)`
    Close,
    /// A run of characters that is not whitespace, a bracket or a quote.
    Word(String),
    /// A decoded JSON string literal.
    Str(String),
}

impl Token {
    /// Describes the token for error messages.
    fn describe(&self) -> String {
        match self {
            Token::Open => "\"(\"".to_string(),
            Token::Close => "\")\"".to_string(),
            Token::Word(w) => format!("\"{w}\""),
            Token::Str(s) => format!("string {}", Value::String(s.clone())),
        }
    }
}

/// Splits the filter into tokens, decoding string literals with serde_json.
fn tokenize(input: &str) -> Result<Vec<Token>, FilterError> {
    let mut tokens = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                tokens.push(Token::Open);
            }
            ')' => {
                chars.next();
                tokens.push(Token::Close);
            }
            '[' | ']' => return Err(unsupported("a value filter (\"[...]\")")),
            '"' => {
                chars.next();
                let mut escaped = false;
                let mut end = None;
                for (i, ch) in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if ch == '\\' {
                        escaped = true;
                    } else if ch == '"' {
                        end = Some(i);
                        break;
                    }
                }
                let Some(end) = end else {
                    return Err(FilterError(
                        "The filter has a string without a closing quote.".to_string(),
                    ));
                };
                let raw = input.get(start..=end).unwrap_or_default();
                match serde_json::from_str::<String>(raw) {
                    Ok(s) => tokens.push(Token::Str(s)),
                    Err(_) => {
                        return Err(FilterError(format!(
                            "The filter has an invalid string literal: {raw}"
                        )));
                    }
                }
            }
            _ => {
                let mut end = input.len();
                while let Some(&(i, ch)) = chars.peek() {
                    if ch.is_whitespace() || matches!(ch, '(' | ')' | '[' | ']' | '"') {
                        end = i;
                        break;
                    }
                    chars.next();
                }
                tokens.push(Token::Word(
                    input.get(start..end).unwrap_or_default().to_string(),
                ));
            }
        }
    }
    Ok(tokens)
}

/// A recursive-descent parser over the token list.
struct Parser {
    /// All tokens of the filter.
    tokens: Vec<Token>,
    /// Index of the next token to read.
    pos: usize,
    /// Current parenthesis nesting depth.
    depth: usize,
}

impl Parser {
    /// Returns the next token and advances.
    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).cloned();
        if token.is_some() {
            self.pos += 1;
        }
        token
    }

    /// `expression := term ("and" term)*`, stopping before `)` or the end.
    fn expression(&mut self) -> Result<Vec<Comparison>, FilterError> {
        let mut out = Vec::new();
        self.term(&mut out)?;
        loop {
            match self.tokens.get(self.pos) {
                None | Some(Token::Close) => return Ok(out),
                Some(Token::Word(w)) if w.eq_ignore_ascii_case("and") => {
                    self.pos += 1;
                    self.term(&mut out)?;
                }
                Some(Token::Word(w)) if w.eq_ignore_ascii_case("or") => {
                    return Err(unsupported("\"or\""));
                }
                Some(other) => {
                    return Err(FilterError(format!(
                        "Expected \"and\" or the end of the filter, found {}.",
                        other.describe()
                    )));
                }
            }
        }
    }

    /// `term := "(" expression ")" | attrPath "eq" compValue`.
    fn term(&mut self, out: &mut Vec<Comparison>) -> Result<(), FilterError> {
        match self.next() {
            None => Err(FilterError(
                "The filter ends where a comparison was expected.".to_string(),
            )),
            Some(Token::Open) => {
                if self.depth >= MAX_DEPTH {
                    return Err(FilterError(
                        "The filter nests parentheses too deeply.".to_string(),
                    ));
                }
                self.depth += 1;
                let inner = self.expression()?;
                self.depth -= 1;
                match self.next() {
                    Some(Token::Close) => {
                        out.extend(inner);
                        Ok(())
                    }
                    _ => Err(FilterError(
                        "The filter has a \"(\" without a matching \")\".".to_string(),
                    )),
                }
            }
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("not") => Err(unsupported("\"not\"")),
            Some(Token::Word(w)) => {
                let attr = attribute(&w)?;
                self.operator(&w)?;
                let (value, text) = self.value(&w)?;
                out.push(Comparison { attr, value, text });
                Ok(())
            }
            Some(other) => Err(FilterError(format!(
                "Expected an attribute name, found {}.",
                other.describe()
            ))),
        }
    }

    /// Reads the comparison operator following attribute `attr`.
    fn operator(&mut self, attr: &str) -> Result<(), FilterError> {
        match self.next() {
            Some(Token::Word(op)) => {
                let lower = op.to_lowercase();
                if lower == "eq" {
                    Ok(())
                } else if UNSUPPORTED_OPERATORS.contains(&lower.as_str()) {
                    Err(unsupported(&format!("\"{lower}\"")))
                } else {
                    Err(FilterError(format!(
                        "\"{op}\" is not a comparison operator (after \"{attr}\")."
                    )))
                }
            }
            Some(other) => Err(FilterError(format!(
                "Expected an operator after \"{attr}\", found {}.",
                other.describe()
            ))),
            None => Err(FilterError(format!(
                "The filter ends after \"{attr}\"; expected an operator."
            ))),
        }
    }

    /// Reads the comparison value for attribute `attr`.
    fn value(&mut self, attr: &str) -> Result<(Value, String), FilterError> {
        match self.next() {
            Some(Token::Str(s)) => Ok((Value::String(s.clone()), s)),
            Some(Token::Word(w)) => {
                let lower = w.to_lowercase();
                if lower == "true" || lower == "false" {
                    Ok((Value::Bool(lower == "true"), lower))
                } else if lower == "null" {
                    Err(unsupported("comparing with null"))
                } else if let Ok(n) = serde_json::from_str::<serde_json::Number>(&w) {
                    Ok((Value::Number(n), w))
                } else {
                    Err(FilterError(format!(
                        "The value {w} for \"{attr}\" is not a quoted string, true, false or a number."
                    )))
                }
            }
            Some(other) => Err(FilterError(format!(
                "Expected a value for \"{attr}\", found {}.",
                other.describe()
            ))),
            None => Err(FilterError(format!(
                "The comparison on \"{attr}\" is missing its value."
            ))),
        }
    }
}

/// Validates an attribute path and removes a core schema URN prefix.
///
/// Returns the path with its original casing. Paths under other schema URNs
/// are kept whole.
fn attribute(word: &str) -> Result<String, FilterError> {
    let (prefix, name) = match word.rfind(':') {
        Some(i) => (word.get(..i), word.get(i + 1..).unwrap_or_default()),
        None => (None, word),
    };
    let mut parts = name.split('.');
    let first = parts.next().unwrap_or_default();
    let sub = parts.next();
    let valid = is_attr_name(first, false)
        && sub.is_none_or(|s| is_attr_name(s, true))
        && parts.next().is_none();
    if !valid {
        return Err(FilterError(format!(
            "\"{word}\" is not a valid attribute path."
        )));
    }
    match prefix {
        None => Ok(name.to_string()),
        Some(p) if CORE_PREFIXES.iter().any(|c| c.eq_ignore_ascii_case(p)) => Ok(name.to_string()),
        Some(p) if p.to_lowercase().starts_with("urn:") => Ok(word.to_string()),
        Some(_) => Err(FilterError(format!(
            "\"{word}\" is not a valid attribute path."
        ))),
    }
}

/// Checks the RFC 7643 ATTRNAME rule: a letter followed by letters, digits,
/// `-` or `_`. Sub-attributes may also start with `$` (as in `$ref`).
pub(super) fn is_attr_name(name: &str, sub: bool) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || (sub && c == '$') => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> Filter {
        match parse(input) {
            Ok(f) => f,
            Err(e) => panic!("{input:?} was refused: {e}"),
        }
    }

    fn refused(input: &str) -> String {
        match parse(input) {
            Ok(f) => panic!("{input:?} was accepted as {f:?}"),
            Err(FilterError(message)) => message,
        }
    }

    fn eq(attr: &str, value: &str) -> Filter {
        Filter::Eq {
            attr: attr.to_string(),
            value: value.to_string(),
        }
    }

    #[test]
    fn entra_username_probe() {
        assert_eq!(
            ok("userName eq \"Test_User_dfeef4c5-5681-4387-b016-bdf221e82081\""),
            eq("username", "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081")
        );
    }

    #[test]
    fn external_id() {
        assert_eq!(ok("externalId eq \"abc\""), eq("externalid", "abc"));
    }

    #[test]
    fn escaped_quote_in_value() {
        assert_eq!(
            ok(r#"displayName eq "Group \"A\"""#),
            eq("displayname", "Group \"A\"")
        );
    }

    #[test]
    fn json_escapes_are_decoded() {
        assert_eq!(
            ok(r#"displayName eq "a\\b\u00e9\n""#),
            eq("displayname", "a\\b\u{e9}\n")
        );
    }

    #[test]
    fn and_with_members_normalised() {
        assert_eq!(
            ok("id eq \"x\" and members eq \"y\""),
            Filter::And(vec![eq("id", "x"), eq("members.value", "y")])
        );
    }

    #[test]
    fn case_insensitive_attr_and_operator() {
        assert_eq!(ok("EMAILS.VALUE Eq \"a@b.c\""), eq("emails.value", "a@b.c"));
        assert_eq!(
            ok("id EQ \"1\" AND userName eq \"u\""),
            Filter::And(vec![eq("id", "1"), eq("username", "u")])
        );
    }

    #[test]
    fn urn_prefix_is_stripped() {
        assert_eq!(
            ok("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"bjensen\""),
            eq("username", "bjensen")
        );
        assert_eq!(
            ok("urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq \"g\""),
            eq("displayname", "g")
        );
    }

    #[test]
    fn other_urn_prefix_is_kept() {
        assert_eq!(
            ok(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq \"7\""
            ),
            eq(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:employeenumber",
                "7"
            )
        );
    }

    #[test]
    fn booleans_and_numbers() {
        assert_eq!(ok("active eq true"), eq("active", "true"));
        assert_eq!(ok("active eq FALSE"), eq("active", "false"));
        assert_eq!(ok("x eq 12.5e3"), eq("x", "12.5e3"));
        assert_eq!(ok("x eq -3"), eq("x", "-3"));
    }

    #[test]
    fn whitespace_and_parentheses() {
        assert_eq!(ok("  userName   eq\t\"a\"  "), eq("username", "a"));
        assert_eq!(ok("(userName eq \"a\")"), eq("username", "a"));
        assert_eq!(
            ok("(id eq \"1\") and (externalId eq \"2\")"),
            Filter::And(vec![eq("id", "1"), eq("externalid", "2")])
        );
        assert_eq!(
            ok("((id eq \"1\" and externalId eq \"2\"))"),
            Filter::And(vec![eq("id", "1"), eq("externalid", "2")])
        );
    }

    #[test]
    fn typed_comparisons_keep_casing_and_type() {
        let Ok(list) = parse_comparisons("type eq \"work\" and primary eq true and n eq 3") else {
            panic!("refused");
        };
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].attr, "type");
        assert_eq!(list[0].value, Value::String("work".into()));
        assert_eq!(list[1].value, Value::Bool(true));
        assert_eq!(list[2].value, serde_json::json!(3));
    }

    #[test]
    fn unsupported_operators_are_named() {
        let message = refused("userName co \"x\"");
        assert_eq!(
            message,
            "Gatehouse supports only \"eq\" comparisons joined by \"and\"; \"co\" is not supported."
        );
        for op in ["sw", "ew", "ne", "gt", "ge", "lt", "le"] {
            assert!(refused(&format!("x {op} \"1\"")).contains(&format!("\"{op}\"")));
        }
        assert!(refused("title pr").contains("\"pr\""));
        assert!(refused("x like \"1\"").contains("not a comparison operator"));
    }

    #[test]
    fn or_not_and_value_filters_are_refused() {
        assert!(refused("id eq \"1\" or id eq \"2\"").contains("\"or\""));
        assert!(refused("not (id eq \"1\")").contains("\"not\""));
        assert!(refused("emails[type eq \"work\"]").contains("value filter"));
        assert!(refused("active eq null").contains("null"));
    }

    #[test]
    fn malformed_input_is_refused() {
        assert!(refused("").contains("empty"));
        assert!(refused("   ").contains("empty"));
        assert!(refused("userName eq \"abc").contains("closing quote"));
        assert!(refused("userName eq").contains("missing its value"));
        assert!(refused("userName").contains("expected an operator"));
        assert!(refused("userName eq abc").contains("not a quoted string"));
        assert!(refused("userName eq \"a\" and").contains("ends where"));
        assert!(refused("userName eq \"a\" userName eq \"b\"").contains("Expected \"and\""));
        assert!(refused("(userName eq \"a\"").contains("without a matching \")\""));
        assert!(refused("userName eq \"a\")").contains("without a matching \"(\""));
        assert!(refused("\"a\" eq \"b\"").contains("attribute name"));
        assert!(refused("user!name eq \"a\"").contains("not a valid attribute path"));
        assert!(refused("a.b.c eq \"a\"").contains("not a valid attribute path"));
        assert!(refused("foo:bar eq \"a\"").contains("not a valid attribute path"));
        assert!(refused(r#"x eq "\q""#).contains("invalid string literal"));
    }

    #[test]
    fn length_limit() {
        let long = format!("userName eq \"{}\"", "a".repeat(1000));
        assert!(refused(&long).contains("longer than 1000"));
        let nested = format!("{}id eq \"1\"{}", "(".repeat(20), ")".repeat(20));
        assert!(refused(&nested).contains("too deeply"));
    }
}
