//! Form fields as enums: each form names its fields, in the order it
//! shows them, and moving between them wraps around.

/// The fields of one form.
pub trait Fields: Copy + PartialEq + Sized + 'static {
    /// Every field, in the order the form shows them.
    const ALL: &'static [Self];

    /// The field's place in [`Fields::ALL`].
    fn index(self) -> usize;

    /// The field's label on the form.
    fn label(self) -> &'static str;

    /// The field after this one (the first after the last).
    fn next(self) -> Self {
        Self::ALL[(self.index() + 1) % Self::ALL.len()]
    }

    /// The field before this one (the last before the first).
    fn prev(self) -> Self {
        let n = Self::ALL.len();
        Self::ALL[(self.index() + n - 1) % n]
    }

    /// Whether this is the form's last field.
    fn is_last(self) -> bool {
        self.index() + 1 == Self::ALL.len()
    }
}

#[cfg(test)]
mod tests {
    use super::Fields;
    use crate::tui::screen::form::EntryField;
    use crate::tui::screen::members::MemberField;
    use crate::tui::screen::onboard::OnboardField;

    /// `ALL` lists each field once, at its index, so moving visits every
    /// field and comes back.
    fn check<F: Fields + std::fmt::Debug>() {
        for (i, f) in F::ALL.iter().enumerate() {
            assert_eq!(f.index(), i, "{f:?}");
            assert!(!f.label().is_empty());
        }
        let mut f = F::ALL[0];
        for _ in 0..F::ALL.len() {
            assert_eq!(f.next().prev(), f);
            f = f.next();
        }
        assert_eq!(f, F::ALL[0]);
        assert!(F::ALL[F::ALL.len() - 1].is_last());
    }

    #[test]
    fn every_form_lists_its_fields_once_in_order() {
        check::<EntryField>();
        check::<MemberField>();
        check::<OnboardField>();
    }
}
