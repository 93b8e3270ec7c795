//! Pure rules of the product: what a valid name, role or password is, and who may do what.
//! Nothing here knows about HTTP or the database.
pub mod access_package;
pub mod audit;
pub mod authz;
pub mod catalog;
pub mod connected;
pub mod dates;
pub mod directory;
pub mod drift;
pub mod graph;
pub mod group;
pub mod lifecycle;
pub mod mail;
pub mod odata;
pub mod outbox;
pub mod page;
pub mod policy;
pub mod principal;
pub mod scim;
pub mod throttle;
pub mod user;

use unicode_normalization::UnicodeNormalization;

/// Why a piece of input was refused, in words fit to show next to the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// A count with thousands separated: `12,345`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Trims the input and checks its length in characters (not bytes).
pub(crate) fn bounded_text(
    input: &str,
    what: &str,
    min: usize,
    max: usize,
) -> Result<String, Invalid> {
    let text = input.trim();
    let len = text.chars().count();
    if len < min {
        return Err(Invalid::new(if min == 1 {
            format!("Enter a {what}.")
        } else {
            format!("The {what} must be at least {min} characters.")
        }));
    }
    if len > max {
        return Err(Invalid::new(format!(
            "The {what} can be at most {max} characters."
        )));
    }
    check_characters(text, what)?;
    Ok(text.to_owned())
}

/// Refuses control characters other than line breaks and tabs, and characters that change
/// how text reads without showing themselves.
pub(crate) fn check_characters(text: &str, what: &str) -> Result<(), Invalid> {
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Invalid::new(format!(
            "The {what} contains characters that are not allowed."
        )));
    }
    if text.chars().any(is_invisible) {
        return Err(Invalid::new(format!(
            "The {what} contains invisible characters (zero-width spaces or text-direction \
             marks). Remove them and try again."
        )));
    }
    Ok(())
}

/// Zero-width characters and bidirectional controls: with them "Engineering Group" can be
/// made to look like, or read differently from, what it is.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' // soft hyphen
            | '\u{034F}' // combining grapheme joiner
            | '\u{061C}' // Arabic letter mark
            | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // Hangul fillers
            | '\u{17B4}' | '\u{17B5}' // Khmer inherent vowels
            | '\u{180E}' // Mongolian vowel separator
            | '\u{200B}'..='\u{200F}' // zero-width space, non-joiner, joiner; LRM, RLM
            | '\u{202A}'..='\u{202E}' // embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{206F}' // isolates, deprecated format characters
            | '\u{FEFF}' // zero-width no-break space
            | '\u{E0000}'..='\u{E007F}' // tags
    )
}

/// What names are compared on: the compatibility form (NFKC, so full-width letters and
/// no-break spaces count as their plain selves), without invisible characters, with every
/// run of white space as one space, in lower case.
///
/// The migration `m20261126_000001_fold_name_keys` holds a copy of this as it was when it
/// rewrote the stored keys; change both together, with a new migration.
pub(crate) fn name_key(name: &str) -> String {
    let plain: String = name.nfkc().filter(|c| !is_invisible(*c)).collect();
    let lower: String = plain.to_lowercase().nfkc().collect();
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_with_thousands_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(10_002), "10,002");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
    }

    #[test]
    fn zero_width_and_direction_characters_are_refused() {
        for text in [
            "Engineering\u{200b} Group",
            "Engineering\u{200d}Group",
            "\u{202e}puorG gnireenignE",
            "Engineering \u{2066}Group\u{2069}",
            "\u{feff}Engineering Group",
        ] {
            let refused = bounded_text(text, "group name", 1, 256);
            assert!(
                refused.is_err_and(|e| e.0.contains("invisible characters")),
                "{text:?}"
            );
        }
        assert!(bounded_text("Ingénierie — 工程", "group name", 1, 256).is_ok());
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_are_not() {
        assert!(bounded_text("a\u{7}b", "description", 0, 100).is_err());
        assert!(bounded_text("line one\r\nline two\tend", "description", 0, 100).is_ok());
    }

    #[test]
    fn name_keys_fold_case_width_and_white_space() {
        let key = name_key("Engineering Group");
        assert_eq!(key, "engineering group");
        for lookalike in [
            "ENGINEERING GROUP",
            "Engineering  Group",
            "Engineering\u{a0}Group",
            "Engineering\tGroup",
            "Engineering\u{3000}Group",
            "ＥＮＧＩＮＥＥＲＩＮＧ Group",
            "Engineering\u{200b} Group",
        ] {
            assert_eq!(name_key(lookalike), key, "{lookalike:?}");
        }
        assert_eq!(name_key("\u{fb00}"), "ff", "ligatures unfold");
        assert_ne!(name_key("Engineering Groups"), key);
    }
}
