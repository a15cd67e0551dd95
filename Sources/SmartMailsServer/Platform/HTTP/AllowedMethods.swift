/// Which methods each path of the server answers, by path template (`/v1/api-keys/{id}`), so that a known path asked
/// with another method is a 405 naming the ones it takes (RFC 9110 §15.5.6) rather than a 404.
struct AllowedMethods: Sendable {
    private var templates: [(segments: [Substring], methods: Set<String>)] = []

    /// Adds `methods` for `template`; GET brings HEAD, which the router answers wherever GET is.
    mutating func add(_ template: String, methods: some Sequence<String>) {
        var methods = Set(methods.map { $0.uppercased() })
        if methods.contains("GET") { methods.insert("HEAD") }
        let segments = template.split(separator: "/")
        if let index = templates.firstIndex(where: { $0.segments == segments }) {
            templates[index].methods.formUnion(methods)
        } else {
            templates.append((segments, methods))
        }
    }

    /// The methods `path` (without its query) is served with, sorted; nil when no template matches it.
    func methods(for path: Substring) -> [String]? {
        let segments = path.split(separator: "/")
        // A literal segment beats a parameter (`/v1/contacts/batch` is not `/v1/contacts/{id}`), as in the router.
        var found: Set<String>?
        var bestLiterals = -1
        for template in templates where Self.matches(template.segments, segments) {
            let literals = template.segments.filter { !$0.hasPrefix("{") }.count
            if literals > bestLiterals { (found, bestLiterals) = (template.methods, literals) } else if literals == bestLiterals { found?.formUnion(template.methods) }
        }
        return found.map { $0.sorted() }
    }

    private static func matches(_ template: [Substring], _ segments: [Substring]) -> Bool {
        guard template.count == segments.count else { return false }
        return zip(template, segments).allSatisfy { pattern, segment in
            (pattern.hasPrefix("{") && pattern.hasSuffix("}")) || pattern == segment
        }
    }
}
