//! Pure rules of the product: what a valid name, role or password is, and who may do what.
//! Nothing here knows about HTTP or the database.
pub mod access_package;
pub mod audit;
pub mod authz;
pub mod catalog;
pub mod group;
pub mod lifecycle;
pub mod page;
pub mod policy;
pub mod principal;
pub mod throttle;
pub mod user;

/// Why a piece of input was refused, in words fit to show next to the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
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
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Invalid::new(format!(
            "The {what} contains characters that are not allowed."
        )));
    }
    Ok(text.to_owned())
}
