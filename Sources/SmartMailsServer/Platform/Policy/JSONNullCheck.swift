import Foundation

/// Refuses `null` in a JSON request body of an operation whose spec declares no nullable field. The generated
/// decoders read a null as an absent field, so `{"old_expires_in": null}` would silently mean the default.
enum JSONNullCheck {
    static func refuseNulls(in bytes: [UInt8]) throws(APIError) {
        // Most bodies hold no `null` token at all; only those are parsed a second time.
        guard containsNullToken(bytes),
              let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        else { return }  // malformed JSON is the decoder's to report, with its own error
        guard let path = firstNull(in: value, at: "") else { return }
        if path.isEmpty { throw APIError.badRequest("invalid_type", "The body is null; send a JSON object.") }
        throw APIError.badRequest("invalid_type", "'\(path)' is null; leave a field out instead of sending null.", param: path)
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
    private static func firstNull(in value: Any, at path: String) -> String? {
        switch value {
        case is NSNull:
            return path
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                if let found = firstNull(in: object[key]!, at: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
            return nil
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = firstNull(in: element, at: "\(path)[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }
}
