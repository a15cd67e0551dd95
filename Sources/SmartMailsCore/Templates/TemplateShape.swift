/// The section structure of a Mustache template, so that what rendering could produce is known before it runs.
///
/// Mustache has no loops of its own, but a section over a list repeats its body per item, and nested sections over
/// lists multiply: a short template over modest data can expand to gigabytes. `bound(for:)` gives an upper bound of
/// the output and of the work from the data alone, so an expansion without bound is refused, not run. Syntax is
/// checked by swift-mustache; this scanner only needs the tags.
public struct TemplateShape: Sendable, Equatable {
    public indirect enum Node: Sendable, Equatable {
        case text(bytes: Int)
        case variable(key: String, escaped: Bool, transformed: Bool)
        case section(key: String, inverted: Bool, children: [Node])
    }

    public struct UnsupportedTag: Error, Sendable, Equatable {
        /// "partial" or "inheritance": both would read other templates, which message templates cannot do.
        public let kind: String
        public let line: Int
        public let column: Int
    }

    public struct Bound: Sendable, Equatable {
        public let bytes: Int
        /// Tags evaluated, each repetition counted: what rendering time grows with.
        public let visits: Int
    }

    public let nodes: [Node]

    /// The first part of every name a tag looks up (`contact` for `{{contact.first_name}}`).
    public let roots: Set<String>

    /// Whether rendering could look `name` up at all.
    public func mentions(_ name: String) -> Bool { roots.contains(name) }

    public static func scan(_ source: String) throws(UnsupportedTag) -> TemplateShape {
        var scanner = Scanner(Array(source.utf8))
        let nodes = try scanner.run()
        return TemplateShape(nodes: nodes, roots: scanner.roots)
    }

    /// At most what rendering over `data` can write and visit, counting HTML escaping's growth when `escaping`.
    public func bound(for data: TemplateDataProfile, escaping: Bool = true) -> Bound {
        Self.bound(nodes, data, escaping)
    }

    private static func bound(_ nodes: [Node], _ data: TemplateDataProfile, _ escaping: Bool) -> Bound {
        var bytes = 0
        var visits = 0
        for node in nodes {
            visits = visits.saturatingAdd(1)
            switch node {
            case .text(let count):
                bytes = bytes.saturatingAdd(count)
            case .variable(let key, let escaped, let transformed):
                // `&quot;` is the longest escape: six bytes for one. A transform (count, first) adds a short number.
                let longest = data.longestScalar(key)
                bytes = bytes.saturatingAdd(longest.saturatingMultiply(escaped && escaping ? 6 : 1)).saturatingAdd(transformed ? 24 : 0)
            case .section(let key, let inverted, let children):
                let repeats = inverted ? 1 : max(1, data.longestList(key))
                let inner = bound(children, data, escaping)
                bytes = bytes.saturatingAdd(inner.bytes.saturatingMultiply(repeats))
                visits = visits.saturatingAdd(inner.visits.saturatingMultiply(repeats))
            }
        }
        return Bound(bytes: bytes, visits: visits)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var open: [UInt8] = Array("{{".utf8)
        var close: [UInt8] = Array("}}".utf8)
        var roots: Set<String> = []

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func run() throws(UnsupportedTag) -> [Node] {
            // Each open section's key and the nodes read so far inside it; the bottom entry is the template itself.
            var stack: [(key: String, inverted: Bool, nodes: [Node])] = [("", false, [])]
            var textStart = index
            while index < bytes.count {
                guard starts(with: open, at: index) else {
                    index += 1
                    continue
                }
                if index > textStart { stack[stack.count - 1].nodes.append(.text(bytes: index - textStart)) }
                let tagStart = index
                index += open.count
                let sigil = index < bytes.count ? bytes[index] : 0
                let triple = sigil == UInt8(ascii: "{") && open == Array("{{".utf8)
                let closing = triple ? Array("}".utf8) + close : (sigil == UInt8(ascii: "=") ? Array("=".utf8) + close : close)
                guard let end = find(closing, from: index) else {
                    // An unclosed tag is text here; swift-mustache reports it as an error before this runs.
                    index = bytes.count
                    break
                }
                let inner = String(decoding: bytes[index..<end], as: UTF8.self)
                index = end + closing.count
                textStart = index
                let body = inner.drop { $0 == " " }
                switch body.first {
                case "!", "%":
                    break
                case "=":
                    let parts = body.dropFirst().split(separator: " ", omittingEmptySubsequences: true)
                    if parts.count == 2 {
                        open = Array(parts[0].utf8)
                        close = Array(parts[1].utf8)
                    }
                case ">", "<", "$":
                    let (line, column) = position(of: tagStart)
                    throw UnsupportedTag(kind: body.first == ">" ? "partial" : "inheritance", line: line, column: column)
                case "#", "^":
                    roots.insert(Self.root(body.dropFirst()))
                    stack.append((Self.key(body.dropFirst()), body.first == "^", []))
                case "/":
                    guard stack.count > 1 else { break }
                    let section = stack.removeLast()
                    stack[stack.count - 1].nodes.append(.section(key: section.key, inverted: section.inverted, children: section.nodes))
                case "&", "{":
                    stack[stack.count - 1].nodes.append(variable(body.dropFirst(), escaped: false))
                default:
                    stack[stack.count - 1].nodes.append(variable(body, escaped: !triple))
                }
            }
            if index > textStart { stack[stack.count - 1].nodes.append(.text(bytes: bytes.count - textStart)) }
            // Sections left open (a syntax error swift-mustache reports first) still count, as if closed at the end.
            while stack.count > 1 {
                let section = stack.removeLast()
                stack[stack.count - 1].nodes.append(.section(key: section.key, inverted: section.inverted, children: section.nodes))
            }
            return stack[0].nodes
        }

        mutating func variable(_ text: Substring, escaped: Bool) -> Node {
            roots.insert(Self.root(text))
            return .variable(key: Self.key(text), escaped: escaped, transformed: text.contains("("))
        }

        /// The data key a tag looks up: the last part of a dotted name, inside any transform's parentheses.
        static func key(_ text: Substring) -> String {
            var name = text.filter { $0 != " " }
            if let open = name.lastIndex(of: "(") { name = String(name[name.index(after: open)...].prefix { $0 != ")" }) }
            if name == "." { return "." }
            return name.split(separator: ".").last.map(String.init) ?? "."
        }

        /// The first part of a tag's dotted name, inside any transform's parentheses.
        static func root(_ text: Substring) -> String {
            var name = text.filter { $0 != " " }
            if let open = name.lastIndex(of: "(") { name = String(name[name.index(after: open)...].prefix { $0 != ")" }) }
            return name.split(separator: ".").first.map(String.init) ?? "."
        }

        func starts(with pattern: [UInt8], at position: Int) -> Bool {
            guard !pattern.isEmpty, position + pattern.count <= bytes.count else { return false }
            for offset in 0..<pattern.count where bytes[position + offset] != pattern[offset] { return false }
            return true
        }

        func find(_ pattern: [UInt8], from start: Int) -> Int? {
            var position = start
            while position + pattern.count <= bytes.count {
                if starts(with: pattern, at: position) { return position }
                position += 1
            }
            return nil
        }

        func position(of offset: Int) -> (line: Int, column: Int) {
            var line = 1
            var lineStart = 0
            for position in 0..<offset where bytes[position] == UInt8(ascii: "\n") {
                line += 1
                lineStart = position + 1
            }
            return (line, String(decoding: bytes[lineStart..<offset], as: UTF8.self).count + 1)
        }
    }
}

/// What a template's data can contribute to its output, key by key: the longest list and the longest value under
/// each key anywhere in the data (a tag can reach any level through the context stack).
public struct TemplateDataProfile: Sendable {
    private var lists: [String: Int] = [:]
    private var scalars: [String: Int] = [:]
    private var anyList = 0
    private var anyScalar = 0

    public init(_ data: JSONValue) {
        visit(data, key: ".")
    }

    func longestList(_ key: String) -> Int { key == "." ? anyList : lists[key] ?? 0 }
    func longestScalar(_ key: String) -> Int { key == "." ? anyScalar : scalars[key] ?? 0 }

    private mutating func visit(_ value: JSONValue, key: String) {
        switch value {
        case .object(let members):
            for (name, member) in members { visit(member, key: name) }
        case .array(let items):
            lists[key] = max(lists[key] ?? 0, items.count)
            anyList = max(anyList, items.count)
            for item in items { visit(item, key: key) }
        case .null:
            break
        case .bool, .integer, .number, .string:
            // Numbers render as at most 24 characters; strings as their bytes.
            let length = value.stringValue.map { $0.utf8.count } ?? 24
            scalars[key] = max(scalars[key] ?? 0, length)
            anyScalar = max(anyScalar, length)
        }
    }
}

extension Int {
    fileprivate func saturatingAdd(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }

    fileprivate func saturatingMultiply(_ other: Int) -> Int {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? .max : product
    }
}
