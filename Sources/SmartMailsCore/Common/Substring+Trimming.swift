extension Substring {
    /// Without the spaces and tabs around it: header values, list entries and names as people type them.
    /// Works on the UTF-8 view, as it runs on every request's Authorization header.
    public var trimmingSpacesAndTabs: Substring {
        var result = self
        while let first = result.utf8.first, first == 0x20 || first == 0x09 { result = result.dropFirst() }
        while let last = result.utf8.last, last == 0x20 || last == 0x09 { result = result.dropLast() }
        return result
    }
}
