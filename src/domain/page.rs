//! Paging through long lists.

/// One page of a list: which page (from 1), how many per page, and how many in all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u64,
    pub per_page: u64,
}

impl PageRequest {
    pub const PER_PAGE: u64 = 25;

    /// Any page number from the URL; missing, zero or junk means the first page.
    pub fn from_query(page: Option<&str>) -> Self {
        let page = page
            .and_then(|p| p.trim().parse::<u64>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1);
        Self {
            page: page.min(1_000_000),
            per_page: Self::PER_PAGE,
        }
    }

    pub fn offset(self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

/// A page of results with what the pager needs.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page).max(1)
    }

    pub fn has_previous(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }
}

/// Where a keyset-paged list starts: its first page, just after a row, or just before one.
/// The key is the row's sort value and id, so that rows with equal sort values keep an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cursor<K> {
    First,
    After(K),
    Before(K),
}

/// A sort key of time and id, written in a URL as `<unix nanoseconds>.<uuid>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeKey {
    pub at: time::OffsetDateTime,
    pub id: uuid::Uuid,
}

/// A sort key that can travel in a URL.
pub trait CursorKey: Sized {
    fn to_token(&self) -> String;
    fn parse(token: &str) -> Option<Self>;
}

impl CursorKey for TimeKey {
    fn to_token(&self) -> String {
        format!("{}.{}", self.at.unix_timestamp_nanos(), self.id.simple())
    }

    fn parse(token: &str) -> Option<Self> {
        let (nanos, id) = token.split_once('.')?;
        let at = time::OffsetDateTime::from_unix_timestamp_nanos(nanos.parse().ok()?).ok()?;
        Some(Self {
            at,
            id: uuid::Uuid::parse_str(id).ok()?,
        })
    }
}

/// A sort key of a name key and id, written in a URL as `<hex of the name>.<uuid>` (names
/// may hold any character).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameKey {
    pub name: String,
    pub id: uuid::Uuid,
}

impl CursorKey for NameKey {
    fn to_token(&self) -> String {
        format!("{}.{}", hex::encode(&self.name), self.id.simple())
    }

    fn parse(token: &str) -> Option<Self> {
        let (name, id) = token.split_once('.')?;
        Some(Self {
            name: String::from_utf8(hex::decode(name).ok()?).ok()?,
            id: uuid::Uuid::parse_str(id).ok()?,
        })
    }
}

impl<K: CursorKey> Cursor<K> {
    /// `?after=…` or `?before=…` from the URL; anything unreadable means the first page.
    pub fn from_query(after: Option<&str>, before: Option<&str>) -> Self {
        match (after.and_then(K::parse), before.and_then(K::parse)) {
            (Some(key), _) => Self::After(key),
            (None, Some(key)) => Self::Before(key),
            _ => Self::First,
        }
    }
}

/// One page of a keyset-paged list, and where its neighbours start.
#[derive(Clone, Debug)]
pub struct KeysetPage<T> {
    pub items: Vec<T>,
    /// `?after=…` of the next page, when there is one.
    pub next: Option<String>,
    /// `?before=…` of the previous page, when there is one.
    pub previous: Option<String>,
}

impl<T> KeysetPage<T> {
    /// Builds the page from up to `per_page + 1` rows read in the cursor's direction (the
    /// extra row only says that there is more that way).
    pub fn from_rows<K: CursorKey>(
        mut rows: Vec<T>,
        cursor: Cursor<K>,
        per_page: usize,
        key: impl Fn(&T) -> K,
    ) -> Self {
        let more = rows.len() > per_page;
        rows.truncate(per_page);
        if matches!(cursor, Cursor::Before(_)) {
            rows.reverse();
        }
        let (more_after, more_before) = match cursor {
            Cursor::First => (more, false),
            Cursor::After(_) => (more, true),
            Cursor::Before(_) => (true, more),
        };
        let next = more_after
            .then(|| rows.last().map(|r| key(r).to_token()))
            .flatten();
        let previous = more_before
            .then(|| rows.first().map(|r| key(r).to_token()))
            .flatten();
        Self {
            items: rows,
            next,
            previous,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junk_page_numbers_mean_the_first_page() {
        for raw in [None, Some("0"), Some("-3"), Some("abc"), Some("")] {
            assert_eq!(PageRequest::from_query(raw).page, 1);
        }
        assert_eq!(PageRequest::from_query(Some("3")).offset(), 50);
    }

    #[test]
    fn a_keyset_page_knows_which_way_there_is_more() {
        let key = |n: &i64| TimeKey {
            at: time::OffsetDateTime::from_unix_timestamp(*n)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
            id: uuid::Uuid::nil(),
        };
        let first = KeysetPage::from_rows(vec![1, 2, 3], Cursor::First, 2, key);
        assert_eq!(first.items, vec![1, 2]);
        assert!(first.previous.is_none());
        let next = first.next.as_deref().and_then(TimeKey::parse);
        assert_eq!(next, Some(key(&2)));
        // Read backwards from 5: rows 4 and 3 (and 2 says there is more before).
        let back = KeysetPage::from_rows(vec![4, 3, 2], Cursor::Before(key(&5)), 2, key);
        assert_eq!(back.items, vec![3, 4]);
        assert!(back.previous.is_some() && back.next.is_some());
        let last = KeysetPage::from_rows(vec![9], Cursor::After(key(&8)), 2, key);
        assert!(last.next.is_none() && last.previous.is_some());
        assert_eq!(
            Cursor::<TimeKey>::from_query(Some("junk"), None),
            Cursor::First,
            "an unreadable cursor means the first page"
        );
        let name = NameKey {
            name: "web project & co".to_owned(),
            id: uuid::Uuid::nil(),
        };
        assert_eq!(NameKey::parse(&name.to_token()), Some(name));
    }

    #[test]
    fn a_page_knows_its_neighbours() {
        let page = Page {
            items: vec![(); 25],
            page: 2,
            per_page: 25,
            total: 61,
        };
        assert_eq!(page.pages(), 3);
        assert!(page.has_previous());
        assert!(page.has_next());
        let empty: Page<()> = Page {
            items: vec![],
            page: 1,
            per_page: 25,
            total: 0,
        };
        assert_eq!(empty.pages(), 1);
        assert!(!empty.has_next());
    }
}
