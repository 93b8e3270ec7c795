//! Where "now" comes from: the system clock in production, a settable clock in tests.
use std::sync::{Arc, Mutex};

use time::{Duration, OffsetDateTime};

pub trait Clock: Send + Sync + 'static {
    /// The current time in UTC, to the microsecond (what PostgreSQL keeps).
    fn now(&self) -> OffsetDateTime;
}

pub type SharedClock = Arc<dyn Clock>;

fn to_micros(t: OffsetDateTime) -> OffsetDateTime {
    let micros = t.nanosecond() / 1_000 * 1_000;
    t.replace_nanosecond(micros).unwrap_or(t)
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        to_micros(OffsetDateTime::now_utc())
    }
}

/// A clock that only moves when told to.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<OffsetDateTime>>);

impl TestClock {
    pub fn new(start: OffsetDateTime) -> Self {
        Self(Arc::new(Mutex::new(to_micros(start))))
    }

    pub fn set(&self, to: OffsetDateTime) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = to_micros(to);
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
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
        assert_eq!(clock.now(), datetime!(2026-11-24 09:00 UTC));
        clock.advance(Duration::minutes(5));
        assert_eq!(clock.now(), datetime!(2026-11-24 09:05 UTC));
        clock.set(datetime!(2027-01-01 00:00 UTC));
        assert_eq!(clock.now(), datetime!(2027-01-01 00:00 UTC));
    }

    #[test]
    fn times_are_kept_to_the_microsecond() {
        let clock = TestClock::new(datetime!(2026-11-24 09:00:00.123456789 UTC));
        assert_eq!(clock.now().nanosecond(), 123_456_000);
    }
}
