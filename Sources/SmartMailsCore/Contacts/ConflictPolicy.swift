/// What an import does with a row whose contact exists already.
public enum ConflictPolicy: String, Sendable, CaseIterable {
    /// The row's values replace the contact's.
    case update
    /// The contact is left as it is.
    case skip
    /// Only fields the contact has no value for are set.
    case fillEmpty = "fill_empty"
}
