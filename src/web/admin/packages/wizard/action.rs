//! The wizard's tabs and the buttons that move through them, each read once from the form.
use super::super::policy_form::PaneAction;

/// A tab of `New access package`, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Basics,
    Resources,
    Policy,
    Review,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Basics, Tab::Resources, Tab::Policy, Tab::Review];

    /// The tab's name in the address.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Basics => "basics",
            Self::Resources => "resources",
            Self::Policy => "policy",
            Self::Review => "review",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Basics => "Basics",
            Self::Resources => "Resource roles",
            Self::Policy => "Policy",
            Self::Review => "Review + create",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }

    pub fn next(self) -> Self {
        let i = Self::ALL.iter().position(|t| *t == self).unwrap_or(0);
        Self::ALL[(i + 1).min(Self::ALL.len() - 1)]
    }

    pub fn previous(self) -> Self {
        let i = Self::ALL.iter().position(|t| *t == self).unwrap_or(0);
        Self::ALL[i.saturating_sub(1)]
    }
}

/// `(name, label)` of every tab, for the tab strip.
pub fn tab_strip() -> [(&'static str, &'static str); 4] {
    Tab::ALL.map(|t| (t.as_str(), t.label()))
}

/// The button pressed on a tab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WizardAction {
    Previous,
    Next,
    Create,
    Goto(Tab),
    /// `Add groups` or the pane's `Search` / `Show groups`.
    OpenGroups,
    SelectGroups,
    RemoveResource(String),
    /// A button of the policy's panes (their `Cancel` closes the group pane too).
    Pane(PaneAction),
    /// Nothing known: the tab is shown again as saved.
    Stay,
}

impl WizardAction {
    pub fn parse(action: &str) -> Self {
        match action {
            "previous" => Self::Previous,
            "next" => Self::Next,
            "create" => Self::Create,
            "open_groups" | "search_groups" => Self::OpenGroups,
            "select_groups" => Self::SelectGroups,
            other => {
                if let Some(tab) = other.strip_prefix("goto:").and_then(Tab::parse) {
                    Self::Goto(tab)
                } else if let Some(group) = other.strip_prefix("remove_resource:") {
                    Self::RemoveResource(group.to_owned())
                } else if let Some(pane) = PaneAction::parse(other) {
                    Self::Pane(pane)
                } else {
                    Self::Stay
                }
            }
        }
    }

    /// Buttons that work inside the tab (panes, removals) show it again instead of moving.
    pub fn stays_on_tab(&self) -> bool {
        matches!(
            self,
            Self::OpenGroups | Self::SelectGroups | Self::RemoveResource(_) | Self::Pane(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_button_is_read_once_into_an_action() {
        assert_eq!(WizardAction::parse("next"), WizardAction::Next);
        assert_eq!(
            WizardAction::parse("goto:policy"),
            WizardAction::Goto(Tab::Policy)
        );
        assert_eq!(WizardAction::parse("goto:nowhere"), WizardAction::Stay);
        assert_eq!(
            WizardAction::parse("remove_resource:abc"),
            WizardAction::RemoveResource("abc".to_owned())
        );
        assert_eq!(
            WizardAction::parse("search_approvers"),
            WizardAction::Pane(PaneAction::OpenApprovers)
        );
        assert_eq!(
            WizardAction::parse("cancel_picker"),
            WizardAction::Pane(PaneAction::Close)
        );
        assert!(WizardAction::parse("select_groups").stays_on_tab());
        assert!(!WizardAction::parse("next").stays_on_tab());
    }

    #[test]
    fn tabs_go_forward_and_back_and_stop_at_the_ends() {
        assert_eq!(Tab::Basics.next(), Tab::Resources);
        assert_eq!(Tab::Review.next(), Tab::Review);
        assert_eq!(Tab::Basics.previous(), Tab::Basics);
        assert_eq!(Tab::parse("review"), Some(Tab::Review));
        assert_eq!(Tab::parse("nope"), None);
    }
}
