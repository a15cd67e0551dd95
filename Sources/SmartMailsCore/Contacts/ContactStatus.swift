/// Whether a contact gets mail. Anything but `active` is a suppression that outlives the contact (see erasure).
public enum ContactStatus: String, Sendable, CaseIterable, Hashable {
    case active
    case unsubscribed
    case bounced
    case complained

    /// Statuses that must survive the contact's erasure, so a re-import cannot mail the address again.
    public var isSuppression: Bool { self != .active }
}
