import Foundation

/// What the generated decoders cannot say about a JSON request body, found by reading it with `JSONSerialization`.
enum JSONBodyChecks {
    /// Refuses `null` in the body of an operation whose spec declares no nullable field. The generated decoders
    /// read a null as an absent field, so `{"old_expires_in": null}` would silently mean the default.
    /// `tolerating` names members the server parses itself (a segment rule, template data) by their path with `[]`
    /// for any array index (`messages[].template.data`); what is inside them is their parser's to judge.
    static func refuseNulls(in bytes: [UInt8], tolerating: Set<String> = []) throws(APIError) {
        // Most bodies hold no `null` token at all; only those are parsed a second time.
        guard containsNullToken(bytes),
              let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        else { return }  // malformed JSON is the decoder's to report, with its own error
        guard let path = firstNull(in: value, at: "", shape: "", tolerating: tolerating) else { return }
        if path.isEmpty { throw APIError.badRequest("invalid_type", "The body is null; send a JSON object.") }
        throw APIError.badRequest("invalid_type", "'\(path)' is null; leave a field out instead of sending null.", param: path)
    }

    /// Foundation's decoder reports a number that does not fit an integer field (`2.5`, `1e400`) as "not valid JSON",
    /// without a path. When the body is valid JSON, this names the numbers that are not 64-bit integers instead.
    static func explainUndecodable(_ bytes: [UInt8]) -> APIError? {
        guard let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else { return nil }
        var found: [(path: String, number: String)] = []
        collectNonIntegers(in: value, at: "", into: &found)
        guard !found.isEmpty else {
            return .badRequest("invalid_type", "The body is valid JSON, but not of the shape this operation takes; /docs describes it.")
        }
        let listed = found.prefix(5).map { "\($0.path.isEmpty ? "body" : $0.path) (\($0.number))" }.joined(separator: ", ")
        return .badRequest(
            "invalid_type", "Integer fields take whole numbers that fit in 64 bits; not: \(listed).",
            param: found.count == 1 && !found[0].path.isEmpty ? found[0].path : nil
        )
    }

    private static func collectNonIntegers(in value: Any, at path: String, into found: inout [(path: String, number: String)]) {
        switch value {
        case is Bool:
            break
        case let number as NSNumber:
            let double = number.doubleValue
            if !double.isFinite || double.rounded() != double || abs(double) >= 9.2e18 { found.append((path, number.stringValue)) }
        case let object as [String: Any]:
            for key in object.keys.sorted() { collectNonIntegers(in: object[key]!, at: path.isEmpty ? key : "\(path).\(key)", into: &found) }
        case let array as [Any]:
            for (index, element) in array.enumerated() { collectNonIntegers(in: element, at: "\(path)[\(index)]", into: &found) }
        default:
            break
        }
    }

    private static func containsNullToken(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 else { return false }
        for index in 0...(bytes.count - 4) where bytes[index] == UInt8(ascii: "n")
            && bytes[index + 1] == UInt8(ascii: "u") && bytes[index + 2] == UInt8(ascii: "l") && bytes[index + 3] == UInt8(ascii: "l") {
            return true
        }
        return false
    }

    /// The path of the first null in document order (`a.b[2]`), "" for a null body, nil when there is none.
    /// `shape` is the same path with `[]` for indexes, matched against the tolerated members; such a member must
    /// itself not be null (that would read as absent), but nulls inside it are its parser's.
    private static func firstNull(in value: Any, at path: String, shape: String, tolerating: Set<String>) -> String? {
        if value is NSNull { return path }
        if !shape.isEmpty, tolerating.contains(shape) { return nil }
        switch value {
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                let member = path.isEmpty ? key : "\(path).\(key)", memberShape = shape.isEmpty ? key : "\(shape).\(key)"
                if let found = firstNull(in: object[key]!, at: member, shape: memberShape, tolerating: tolerating) { return found }
            }
            return nil
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = firstNull(in: element, at: "\(path)[\(index)]", shape: "\(shape)[]", tolerating: tolerating) { return found }
            }
            return nil
        default:
            return nil
        }
    }
}
