//! Per-field messages for forms that come back with the input kept.
use std::collections::BTreeMap;

use crate::domain::Invalid;
use crate::services::error::ServiceError;
use crate::web::error::AppError;

#[derive(Default, Debug)]
pub struct FormErrors(BTreeMap<&'static str, String>);

impl FormErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    /// Keeps the value when it parsed, or notes the message under `field`.
    pub fn check<T>(&mut self, field: &'static str, parsed: Result<T, Invalid>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(invalid) => {
                self.add(field, invalid.0);
                None
            }
        }
    }

    /// Puts a service's refusal next to the fields it names; a conflict or refusal about
    /// the whole form goes next to `fallback`. What no form can show becomes a page.
    pub fn place(&mut self, err: ServiceError, fallback: &'static str) -> Result<(), AppError> {
        match err {
            ServiceError::Invalid(fields) => {
                for field in fields {
                    self.add(field.field, field.message);
                }
            }
            ServiceError::Conflict { message, .. } => self.add(fallback, message),
            other => return Err(other.into()),
        }
        Ok(())
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first message, for a one-line summary.
    pub fn first_message(&self) -> Option<&str> {
        self.0.values().next().map(String::as_str)
    }

    pub fn count(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_message_for_a_field_is_kept() {
        let mut errors = FormErrors::default();
        assert_eq!(
            errors.check::<()>("name", Err(Invalid::new("Enter a name."))),
            None
        );
        errors.add("name", "Another message");
        assert_eq!(errors.get("name"), Some("Enter a name."));
        assert_eq!(errors.check("email", Ok(5)), Some(5));
        assert!(!errors.has("email"));
        assert_eq!(errors.count(), 1);
    }
}
