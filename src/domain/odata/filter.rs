//! The `$filter` expression language of Graph v1.0, as far as Gatehouse answers it.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

use super::{Kind, Property, QueryError, Resource, shown, unknown_property};

/// The longest `$filter`, in characters; long enough for any hand-written filter.
pub const MAX_LEN: usize = 2000;

/// How deeply parentheses and `not` may nest; the parser recurses once per level, so this is
/// what keeps hostile input from exhausting the stack.
pub const MAX_DEPTH: usize = 20;

/// Operators of Graph's filter language that Gatehouse recognises but does not answer.
const UNSUPPORTED_OPERATORS: [&str; 6] = ["has", "add", "sub", "mul", "div", "mod"];

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    fn from_word(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => CompareOp::Eq,
            "ne" => CompareOp::Ne,
            "gt" => CompareOp::Gt,
            "ge" => CompareOp::Ge,
            "lt" => CompareOp::Lt,
            "le" => CompareOp::Le,
            _ => return None,
        })
    }

    /// The operator as written in a filter.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }

    /// Whether the operator compares order rather than equality.
    pub fn is_ordering(self) -> bool {
        !matches!(self, CompareOp::Eq | CompareOp::Ne)
    }
}

/// A value in a filter, already checked against the kind of the property it is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// Text; for an [`Kind::Enum`] property, the canonical spelling of one of its values.
    String(String),
    Guid(Uuid),
    /// In UTC when representable, else with the offset given.
    DateTime(OffsetDateTime),
    Bool(bool),
    Int(i64),
    Null,
}

/// A parsed `$filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Compare {
        property: &'static str,
        op: CompareOp,
        value: Literal,
    },
    /// `startswith(property,'prefix')`, on text properties only.
    StartsWith {
        property: &'static str,
        prefix: String,
    },
    /// `property in ('a','b')`
    In {
        property: &'static str,
        values: Vec<Literal>,
    },
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
}

/// Parses and checks a percent-decoded `$filter` value against `resource`.
pub(super) fn parse(text: &str, resource: &Resource) -> Result<Filter, QueryError> {
    let end = text.chars().count();
    if end > MAX_LEN {
        return Err(QueryError::bad_request(format!(
            "The $filter is {end} characters long; at most {MAX_LEN} are allowed."
        )));
    }
    if text.trim().is_empty() {
        return Err(QueryError::bad_request("The $filter option is empty."));
    }
    let mut parser = Parser {
        tokens: tokenize(text)?,
        at: 0,
        depth: 0,
        end,
        resource,
    };
    let filter = parser.or()?;
    if parser.peek().is_some() {
        return Err(parser.expected("'and', 'or' or the end of the filter"));
    }
    Ok(filter)
}

/// The refusal for malformed filter text at character `pos`.
fn syntax(pos: usize, what: &str) -> QueryError {
    QueryError::bad_request(format!(
        "Syntax error at position {pos} in '$filter': {what}."
    ))
}

/// The refusal for a literal that does not fit its property, at character `pos`.
fn invalid(pos: usize, what: &str) -> QueryError {
    QueryError::bad_request(format!(
        "Invalid value at position {pos} in '$filter': {what}."
    ))
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Open,
    Close,
    Comma,
    /// A quoted string, with `''` already turned into `'`.
    Str(String),
    /// A run of anything else: a name, keyword, operator or unquoted literal.
    Word(String),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    /// Where the token starts, in characters from 0.
    pos: usize,
}

impl Token {
    /// The token as it might be quoted in an error message.
    fn describe(&self) -> String {
        match &self.tok {
            Tok::Open => "'('".to_owned(),
            Tok::Close => "')'".to_owned(),
            Tok::Comma => "','".to_owned(),
            Tok::Str(s) => format!("the string '{}'", shown(s)),
            Tok::Word(w) => format!("'{}'", shown(w)),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let pos = i;
        let tok = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => Tok::Open,
            ')' => Tok::Close,
            ',' => Tok::Comma,
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(syntax(
                                pos,
                                "the string that starts here has no closing quote",
                            ));
                        }
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => break,
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                Tok::Str(s)
            }
            _ => {
                let mut word = String::new();
                while let Some(&ch) = chars.get(i) {
                    if ch.is_whitespace() || matches!(ch, '(' | ')' | ',' | '\'') {
                        break;
                    }
                    word.push(ch);
                    i += 1;
                }
                tokens.push(Token {
                    tok: Tok::Word(word),
                    pos,
                });
                continue;
            }
        };
        i += 1;
        tokens.push(Token { tok, pos });
    }
    Ok(tokens)
}

/// A recursive-descent parser: `or` over `and` over `not` over a condition.
struct Parser<'r> {
    tokens: Vec<Token>,
    /// The next token to read.
    at: usize,
    /// Parentheses and `not`s currently open.
    depth: usize,
    /// The filter's length in characters, the position reported at its end.
    end: usize,
    resource: &'r Resource,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn peek_tok(&self) -> Option<&Tok> {
        self.peek().map(|t| &t.tok)
    }

    /// Consumes the next token if it is the keyword `word`.
    fn keyword(&mut self, word: &str) -> bool {
        let found = matches!(self.peek_tok(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(word));
        if found {
            self.at += 1;
        }
        found
    }

    /// Consumes the next token if it is `tok`.
    fn punctuation(&mut self, tok: &Tok) -> bool {
        let found = self.peek_tok() == Some(tok);
        if found {
            self.at += 1;
        }
        found
    }

    /// A syntax error at the next token: what was expected, after what, and what came.
    fn expected(&self, what: &str) -> QueryError {
        let after = self
            .at
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map(|t| format!(" after {}", t.describe()))
            .unwrap_or_default();
        match self.peek() {
            Some(token) => syntax(
                token.pos,
                &format!("expected {what}{after}, found {}", token.describe()),
            ),
            None => syntax(self.end, &format!("expected {what}{after}")),
        }
    }

    /// Opens one nesting level at `pos`, refusing past [`MAX_DEPTH`].
    fn enter(&mut self, pos: usize) -> Result<(), QueryError> {
        if self.depth >= MAX_DEPTH {
            return Err(QueryError::bad_request(format!(
                "The $filter nests parentheses or 'not' more than {MAX_DEPTH} levels deep \
                 (at position {pos})."
            )));
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// `or := and ("or" and)*`
    fn or(&mut self) -> Result<Filter, QueryError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            let right = self.and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    /// `and := unary ("and" unary)*`
    fn and(&mut self) -> Result<Filter, QueryError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    /// `unary := "not" unary | primary`
    fn unary(&mut self) -> Result<Filter, QueryError> {
        let pos = self.peek().map_or(self.end, |t| t.pos);
        if self.keyword("not") {
            self.enter(pos)?;
            let inner = self.unary()?;
            self.leave();
            return Ok(Filter::Not(Box::new(inner)));
        }
        self.primary()
    }

    /// `primary := "(" or ")" | function "(" … ")" | property operator value | property "in" list`
    fn primary(&mut self) -> Result<Filter, QueryError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.expected("a condition"));
        };
        match token.tok {
            Tok::Open => {
                self.at += 1;
                self.enter(token.pos)?;
                let inner = self.or()?;
                if !self.punctuation(&Tok::Close) {
                    return Err(self.expected("')'"));
                }
                self.leave();
                Ok(inner)
            }
            Tok::Word(word)
                if word.eq_ignore_ascii_case("and") || word.eq_ignore_ascii_case("or") =>
            {
                Err(self.expected("a condition"))
            }
            Tok::Word(word) => {
                self.at += 1;
                if self.peek_tok() == Some(&Tok::Open) {
                    self.function(&word)
                } else {
                    self.condition(&word, token.pos)
                }
            }
            _ => Err(self.expected("a condition")),
        }
    }

    /// The property `name` at `pos`, which must exist and allow filtering.
    fn filterable(&self, name: &str) -> Result<&'static Property, QueryError> {
        let property = self
            .resource
            .property(name)
            .ok_or_else(|| unknown_property(name))?;
        if !property.filter {
            return Err(QueryError::unsupported(format!(
                "Filtering on '{}' is not supported.",
                property.name
            )));
        }
        Ok(property)
    }

    /// `startswith(property,'prefix')`, the next token being its `(`.
    fn function(&mut self, name: &str) -> Result<Filter, QueryError> {
        if !name.eq_ignore_ascii_case("startswith") {
            return Err(QueryError::unsupported(format!(
                "The function '{}' is not supported in $filter; only startswith is.",
                shown(name)
            )));
        }
        self.at += 1;
        let Some(Tok::Word(argument)) = self.peek_tok().cloned() else {
            return Err(self.expected("a property name"));
        };
        let property = self.filterable(&argument)?;
        if property.kind != Kind::String {
            return Err(QueryError::unsupported(format!(
                "startswith is supported only on text properties, and '{}' is not one.",
                property.name
            )));
        }
        self.at += 1;
        if !self.punctuation(&Tok::Comma) {
            return Err(self.expected("','"));
        }
        let Some(Tok::Str(prefix)) = self.peek_tok().cloned() else {
            return Err(self.expected("a quoted string"));
        };
        self.at += 1;
        if !self.punctuation(&Tok::Close) {
            return Err(self.expected("')'"));
        }
        Ok(Filter::StartsWith {
            property: property.name,
            prefix,
        })
    }

    /// `property operator value` or `property in (value, …)`, `name` already read.
    fn condition(&mut self, name: &str, pos: usize) -> Result<Filter, QueryError> {
        let property = self.filterable(name)?;
        let operators = "an operator (eq, ne, gt, ge, lt, le or in)";
        let Some(Tok::Word(word)) = self.peek_tok().cloned() else {
            return Err(self.expected(operators));
        };
        if word.eq_ignore_ascii_case("in") {
            self.at += 1;
            return self.list(property);
        }
        let Some(op) = CompareOp::from_word(&word) else {
            let lower = word.to_ascii_lowercase();
            if UNSUPPORTED_OPERATORS.contains(&lower.as_str()) {
                return Err(QueryError::unsupported(format!(
                    "The operator '{lower}' is not supported in $filter."
                )));
            }
            return Err(self.expected(operators));
        };
        if op.is_ordering() && !property.kind.is_ordered() {
            return Err(QueryError::unsupported(format!(
                "The operator '{}' is not supported on '{}' (position {pos}); use eq or ne.",
                op.as_str(),
                property.name
            )));
        }
        self.at += 1;
        let (value, at) = self.value(property)?;
        if value == Literal::Null && op.is_ordering() {
            return Err(invalid(
                at,
                &format!(
                    "null can only be compared with eq or ne, not {}",
                    op.as_str()
                ),
            ));
        }
        Ok(Filter::Compare {
            property: property.name,
            op,
            value,
        })
    }

    /// `( value, … )` after `in`.
    fn list(&mut self, property: &'static Property) -> Result<Filter, QueryError> {
        if !self.punctuation(&Tok::Open) {
            return Err(self.expected("'(' to start the list"));
        }
        let mut values = Vec::new();
        loop {
            let (value, at) = self.value(property)?;
            if value == Literal::Null {
                return Err(invalid(at, "null is not allowed in an 'in' list"));
            }
            values.push(value);
            if self.punctuation(&Tok::Close) {
                break;
            }
            if !self.punctuation(&Tok::Comma) {
                return Err(self.expected("',' or ')'"));
            }
        }
        Ok(Filter::In {
            property: property.name,
            values,
        })
    }

    /// A literal for `property`, and where it stood.
    fn value(&mut self, property: &Property) -> Result<(Literal, usize), QueryError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.expected("a value"));
        };
        let literal = match token.tok {
            Tok::Str(text) => quoted(property, text, token.pos)?,
            Tok::Word(word) => unquoted(property, &word, token.pos)?,
            _ => return Err(self.expected("a value")),
        };
        self.at += 1;
        Ok((literal, token.pos))
    }
}

/// What an unquoted-only property takes, for messages.
fn takes(property: &Property) -> String {
    let name = property.name;
    match property.kind {
        Kind::String => format!("'{name}' takes a quoted string such as 'text'"),
        Kind::Guid => format!("'{name}' takes a GUID"),
        Kind::DateTime => {
            format!("'{name}' takes an unquoted date and time such as 2026-01-01T00:00:00Z")
        }
        Kind::Bool => format!("'{name}' takes true or false, without quotes"),
        Kind::Int => format!("'{name}' takes a whole number, without quotes"),
        Kind::Enum(values) => format!(
            "'{name}' takes one of {}",
            values
                .iter()
                .map(|v| format!("'{v}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A quoted literal for `property`.
fn quoted(property: &Property, text: String, pos: usize) -> Result<Literal, QueryError> {
    match property.kind {
        Kind::String => Ok(Literal::String(text)),
        Kind::Guid => Uuid::try_parse(&text).map(Literal::Guid).map_err(|_| {
            invalid(
                pos,
                &format!("'{}' is not a GUID, and {}", shown(&text), takes(property)),
            )
        }),
        Kind::Enum(values) => values
            .iter()
            .find(|v| v.eq_ignore_ascii_case(&text))
            .map(|v| Literal::String((*v).to_owned()))
            .ok_or_else(|| {
                invalid(
                    pos,
                    &format!(
                        "'{}' is not a known value, and {}",
                        shown(&text),
                        takes(property)
                    ),
                )
            }),
        Kind::DateTime | Kind::Bool | Kind::Int => Err(invalid(
            pos,
            &format!("{}, not a quoted string", takes(property)),
        )),
    }
}

/// An unquoted literal for `property`: `null`, or one of the kind's bare forms.
fn unquoted(property: &Property, word: &str, pos: usize) -> Result<Literal, QueryError> {
    if word.eq_ignore_ascii_case("null") {
        return Ok(Literal::Null);
    }
    let refused = || {
        invalid(
            pos,
            &format!("'{}' does not fit: {}", shown(word), takes(property)),
        )
    };
    match property.kind {
        Kind::Bool if word.eq_ignore_ascii_case("true") => Ok(Literal::Bool(true)),
        Kind::Bool if word.eq_ignore_ascii_case("false") => Ok(Literal::Bool(false)),
        Kind::Int => {
            let digits = word.strip_prefix(['-', '+']).unwrap_or(word);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(refused());
            }
            word.parse::<i64>().map(Literal::Int).map_err(|_| {
                invalid(
                    pos,
                    &format!("{} is out of range for '{}'", shown(word), property.name),
                )
            })
        }
        Kind::DateTime => OffsetDateTime::parse(word, &Rfc3339)
            .map(|at| Literal::DateTime(at.checked_to_offset(UtcOffset::UTC).unwrap_or(at)))
            .map_err(|_| refused()),
        Kind::Guid => Uuid::try_parse(word)
            .map(Literal::Guid)
            .map_err(|_| refused()),
        Kind::Bool | Kind::String | Kind::Enum(_) => Err(refused()),
    }
}
