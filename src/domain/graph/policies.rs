//! `assignmentPolicies`: which properties a policy has for `$filter`, `$orderby` and `$select`.
