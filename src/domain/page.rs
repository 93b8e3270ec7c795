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
