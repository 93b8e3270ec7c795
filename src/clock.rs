//! Where "now" comes from: the system clock in production, a settable clock in tests.
use std::sync::{Arc, Mutex};

use time::{Duration, OffsetDateTime};

pub trait Clock: Send + Sync + 'static {
    /// The current time in UTC, made [`storable`].
    fn now(&self) -> OffsetDateTime;
}

pub type SharedClock = Arc<dyn Clock>;

/// A time as Gatehouse stores it: UTC, to the microsecond (what PostgreSQL keeps), with a
/// last microsecond digit that is never zero. SQLite keeps times as RFC 3339 text, which
/// drops trailing zeros of the fraction ("…:05Z", "…:05.1Z", "…:05.12Z") and then no longer
/// sorts in time order; with the last digit set, every stored time has six fraction digits
/// and text order is time order. The cost is at most one microsecond.
pub fn storable(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    let mut micros = t.nanosecond() / 1_000;
    if micros.is_multiple_of(10) {
        micros += 1;
    }
    t.replace_nanosecond(micros * 1_000).unwrap_or(t)
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        storable(OffsetDateTime::now_utc())
    }
}

/// A clock that only moves when told to.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<OffsetDateTime>>);

impl TestClock {
    pub fn new(start: OffsetDateTime) -> Self {
        Self(Arc::new(Mutex::new(storable(start))))
    }

    pub fn set(&self, to: OffsetDateTime) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = storable(to);
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now = storable(*now + by);
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_test_clock_moves_only_when_told() {
        let clock = TestClock::new(datetime!(2026-11-24 09:00 UTC));
        assert_eq!(clock.now(), storable(datetime!(2026-11-24 09:00 UTC)));
        clock.advance(Duration::minutes(5));
        assert_eq!(clock.now(), storable(datetime!(2026-11-24 09:05 UTC)));
        clock.set(datetime!(2027-01-01 00:00 UTC));
        assert_eq!(clock.now(), storable(datetime!(2027-01-01 00:00 UTC)));
    }

    #[test]
    fn times_are_kept_to_the_microsecond() {
        let clock = TestClock::new(datetime!(2026-11-24 09:00:00.123456789 UTC));
        assert_eq!(clock.now().nanosecond(), 123_456_000);
        assert_eq!(
            storable(datetime!(2026-11-24 09:00:00.123450 UTC)).nanosecond(),
            123_451_000
        );
    }

    #[test]
    fn stored_times_have_text_that_sorts_in_time_order() {
        use time::format_description::well_known::Rfc3339;
        let times = [
            datetime!(2026-11-24 09:00:05 UTC),
            datetime!(2026-11-24 09:00:05.1 UTC),
            datetime!(2026-11-24 09:00:05.12 UTC),
            datetime!(2026-11-24 09:00:05.120001 UTC),
            datetime!(2026-11-24 09:00:06 +01:00),
            datetime!(2026-11-24 09:00:06 UTC),
        ];
        let texts: Vec<String> = times
            .iter()
            .map(|t| storable(*t).format(&Rfc3339).unwrap_or_default())
            .collect();
        assert!(
            texts
                .iter()
                .all(|t| t.len() == "2026-11-24T09:00:05.000001Z".len()),
            "{texts:?}"
        );
        let mut sorted = texts.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            vec![
                texts[4].clone(),
                texts[0].clone(),
                texts[1].clone(),
                texts[2].clone(),
                texts[3].clone(),
                texts[5].clone()
            ]
        );
    }
}
