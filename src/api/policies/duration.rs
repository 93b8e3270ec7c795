//! ISO-8601 durations as policies use them: whole days or hours.

/// A whole number of days or hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Days(u32),
    Hours(u32),
}

/// An ISO-8601 duration in days and hours: `P30D`, `PT8H`, `P1DT12H`, `P30DT0H0M0S`.
/// Months and years are refused: their length depends on when they start.
pub fn duration(text: &str) -> Option<Span> {
    let rest = text.trim().strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (rest, None),
    };
    if date.is_empty() && time.is_none_or(str::is_empty) {
        return None;
    }
    let days = if date.is_empty() {
        0
    } else {
        whole(date.strip_suffix('D')?)?
    };
    let mut hours = 0;
    if let Some(time) = time {
        let mut rest = time;
        for unit in ['H', 'M', 'S'] {
            let Some((number, after)) = rest.split_once(unit) else {
                continue;
            };
            let value = whole(number)?;
            match unit {
                'H' => hours = value,
                _ if value != 0 => return None,
                _ => {}
            }
            rest = after;
        }
        if !rest.is_empty() || time.is_empty() {
            return None;
        }
    }
    let fit = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    Some(match (days, hours) {
        (days, 0) if !date.is_empty() => Span::Days(fit(days)),
        (days, hours) => Span::Hours(fit(days.saturating_mul(24).saturating_add(hours))),
    })
}

fn whole(digits: &str) -> Option<u64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_days_and_hours_are_read() {
        assert_eq!(duration("P30D"), Some(Span::Days(30)));
        assert_eq!(duration("PT8H"), Some(Span::Hours(8)));
        assert_eq!(duration("P30DT0H0M0S"), Some(Span::Days(30)));
        assert_eq!(duration("P1DT12H"), Some(Span::Hours(36)));
        assert_eq!(duration("PT0S"), Some(Span::Hours(0)));
    }

    #[test]
    fn months_years_minutes_and_junk_are_not_durations() {
        for text in [
            "P1Y2M", "P1M", "PT30M", "P", "PT", "30D", "P-1D", "P1.5D", "PT8H5",
        ] {
            assert_eq!(duration(text), None, "{text}");
        }
    }
}
