/// The plain-text part made from a message's HTML when a template gives none: what a reader of the HTML would see,
/// with links spelled out, lists as dashes and paragraphs as blank lines. Scripts, styles and the head are dropped.
///
/// Not an HTML parser: mail HTML is read forgivingly, and anything unrecognised becomes text or nothing, never an error.
public enum HTMLText {
    public static func plainText(fromHTML html: String) -> String {
        var converter = Converter()
        converter.run(Array(html.unicodeScalars))
        return converter.finish()
    }

    private struct Converter {
        var output = String.UnicodeScalarView()
        /// A space is owed before the next word (HTML collapses runs of whitespace into one).
        var pendingSpace = false
        /// Line breaks owed before the next text: 1 ends a line, 2 leaves a blank line.
        var pendingBreaks = 0
        var preformatted = 0
        /// The open links' targets, written after their text.
        var links: [String?] = []

        mutating func run(_ scalars: [Unicode.Scalar]) {
            var index = 0
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar == "<", let end = tagEnd(scalars, from: index) {
                    index = tag(scalars, from: index, to: end)
                } else if scalar == "&" {
                    let (decoded, next) = Self.entity(scalars, at: index)
                    decoded.unicodeScalars.forEach { text($0) }
                    index = next
                } else {
                    text(scalar)
                    index += 1
                }
            }
        }

        /// The index just past the `>` that closes the tag at `start`, or nil when `<` is only a character.
        func tagEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
            guard start + 1 < scalars.count else { return nil }
            let next = scalars[start + 1]
            guard next == "/" || next == "!" || next.properties.isAlphabetic else { return nil }
            if next == "!", start + 3 < scalars.count, scalars[start + 2] == "-", scalars[start + 3] == "-" {
                var index = start + 4
                while index + 2 < scalars.count {
                    if scalars[index] == "-", scalars[index + 1] == "-", scalars[index + 2] == ">" { return index + 3 }
                    index += 1
                }
                return scalars.count
            }
            var quote: Unicode.Scalar?
            var index = start + 1
            while index < scalars.count {
                let scalar = scalars[index]
                if let open = quote {
                    if scalar == open { quote = nil }
                } else if scalar == "\"" || scalar == "'" {
                    quote = scalar
                } else if scalar == ">" {
                    return index + 1
                }
                index += 1
            }
            return nil
        }

        /// Handles the tag in `start..<end` and returns where reading goes on (past a skipped element's content).
        mutating func tag(_ scalars: [Unicode.Scalar], from start: Int, to end: Int) -> Int {
            let inside = String(String.UnicodeScalarView(scalars[(start + 1)..<(end - 1)]))
            guard !inside.hasPrefix("!") else { return end }
            let closing = inside.hasPrefix("/")
            let body = closing ? inside.dropFirst() : Substring(inside)
            let name = String(body.prefix { $0.isLetter || $0.isNumber }).lowercased()
            if !closing, ["script", "style", "head", "title"].contains(name) {
                return skipElement(named: name, in: scalars, from: end)
            }
            switch name {
            case "br":
                lineBreaks(1, force: true)
            case "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote":
                lineBreaks(2)
            case "div", "tr", "section", "article", "header", "footer", "dl", "dt", "dd":
                lineBreaks(1)
            case "li":
                if !closing {
                    lineBreaks(1)
                    write("- ")
                }
            case "td", "th":
                if !closing { pendingSpace = !output.isEmpty }
            case "hr":
                lineBreaks(1)
                write("---")
                lineBreaks(1)
            case "pre":
                lineBreaks(2)
                preformatted = max(0, preformatted + (closing ? -1 : 1))
            case "a":
                if closing {
                    if let target = links.popLast(), let target {
                        pendingSpace = true
                        write("(\(target))")
                    }
                } else {
                    links.append(Self.linkTarget(in: String(body)))
                }
            default:
                break
            }
            return end
        }

        /// Past the end tag of `name`, or the end of the document when it is never closed.
        func skipElement(named name: String, in scalars: [Unicode.Scalar], from index: Int) -> Int {
            let closer = Array("</\(name)".unicodeScalars)
            var position = index
            while position + closer.count <= scalars.count {
                let window = scalars[position..<(position + closer.count)]
                if zip(window, closer).allSatisfy({ Self.lowercased($0) == $1 }) {
                    return tagEnd(scalars, from: position) ?? scalars.count
                }
                position += 1
            }
            return scalars.count
        }

        /// The `href` of an anchor tag, when it is worth spelling out (not a page anchor).
        static func linkTarget(in tag: String) -> String? {
            guard let start = tag.indices.first(where: { tag[$0...].prefix(4).lowercased() == "href" }) else { return nil }
            var rest = tag[start...].dropFirst(4).drop { $0 == " " }
            guard rest.first == "=" else { return nil }
            rest = rest.dropFirst().drop { $0 == " " }
            let value: Substring
            if let quote = rest.first, quote == "\"" || quote == "'" {
                value = rest.dropFirst().prefix { $0 != quote }
            } else {
                value = rest.prefix { $0 != " " && $0 != ">" }
            }
            let target = decodeEntities(String(value)).trimmingWhitespace
            return target.isEmpty || target.hasPrefix("#") ? nil : target
        }

        static func decodeEntities(_ text: String) -> String {
            let scalars = Array(text.unicodeScalars)
            var result = ""
            var index = 0
            while index < scalars.count {
                if scalars[index] == "&" {
                    let (decoded, next) = entity(scalars, at: index)
                    result += decoded
                    index = next
                } else {
                    result.unicodeScalars.append(scalars[index])
                    index += 1
                }
            }
            return result
        }

        /// The character an entity at `index` stands for and the index after it; a lone `&` stays itself.
        static func entity(_ scalars: [Unicode.Scalar], at index: Int) -> (String, Int) {
            var end = index + 1
            while end < scalars.count, end - index <= 10, scalars[end] != ";" { end += 1 }
            guard end < scalars.count, scalars[end] == ";" else { return ("&", index + 1) }
            let name = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
            if name.hasPrefix("#") {
                let digits = name.dropFirst()
                let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
                guard let value, let scalar = Unicode.Scalar(value), value != 0 else { return ("&", index + 1) }
                return (String(Character(scalar)), end + 1)
            }
            guard let decoded = named[name] else { return ("&", index + 1) }
            return (decoded, end + 1)
        }

        static let named: [String: String] = [
            "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "copy": "©", "reg": "®",
            "trade": "™", "mdash": "—", "ndash": "–", "hellip": "…", "lsquo": "‘", "rsquo": "’", "ldquo": "“",
            "rdquo": "”", "bull": "•", "middot": "·", "euro": "€", "pound": "£", "yen": "¥", "laquo": "«", "raquo": "»",
            "zwnj": "", "zwj": "", "shy": "",
        ]

        static func lowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
            ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar
        }

        mutating func text(_ scalar: Unicode.Scalar) {
            if preformatted > 0 {
                flush()
                output.append(scalar == "\r" ? "\n" : scalar)
                return
            }
            if scalar.properties.isWhitespace {
                pendingSpace = !output.isEmpty
                return
            }
            flush()
            output.append(scalar)
        }

        mutating func write(_ text: String) {
            flush()
            output.append(contentsOf: text.unicodeScalars)
        }

        /// Writes the breaks or the space owed before new text.
        mutating func flush() {
            if pendingBreaks > 0 {
                if !output.isEmpty { output.append(contentsOf: String(repeating: "\n", count: pendingBreaks).unicodeScalars) }
                pendingBreaks = 0
                pendingSpace = false
            } else if pendingSpace {
                if let last = output.last, last != "\n", last != " " { output.append(" ") }
                pendingSpace = false
            }
        }

        /// `force`: a `<br>` breaks even right after another break; block edges only ever owe one separation.
        mutating func lineBreaks(_ count: Int, force: Bool = false) {
            if force, pendingBreaks == 0 {
                flush()
                output.append("\n")
                return
            }
            pendingBreaks = max(pendingBreaks, count)
        }

        mutating func finish() -> String {
            let lines = String(output).split(separator: "\n", omittingEmptySubsequences: false).map { $0.droppingTrailingWhitespace }
            var result: [String] = []
            for line in lines {
                // At most one blank line in a row: empty blocks and nested divs leave no gaps.
                if line.isEmpty, result.last?.isEmpty ?? true { continue }
                result.append(line)
            }
            while result.last?.isEmpty == true { result.removeLast() }
            return result.joined(separator: "\n")
        }
    }
}

extension StringProtocol {
    fileprivate var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    /// Leading spaces stay: in preformatted text they are the indentation.
    fileprivate var droppingTrailingWhitespace: String {
        let scalars = unicodeScalars
        guard let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(String.UnicodeScalarView(scalars[...last]))
    }
}
