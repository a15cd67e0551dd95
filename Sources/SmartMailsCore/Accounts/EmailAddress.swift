/// E-mail addresses as accounts are found by.
public enum EmailAddress {
    /// Trimmed and lower-cased; nil unless it has the shape `local@domain` with no spaces or control characters.
    public static func normalised(_ text: String) -> String? {
        let trimmed = Substring(text).trimmingSpacesAndTabs.lowercased()
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              !trimmed.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        return trimmed
    }
}
