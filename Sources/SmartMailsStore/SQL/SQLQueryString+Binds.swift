import SQLKit
import SmartMailsCore

/// Building statements from parts: raw text, binds, and sets or rows of values sent as one JSON bind. Shared by
/// every store file (segments, contacts, messages, domains).
extension SQLQueryString {
    mutating func raw(_ text: String) { appendInterpolation(unsafeRaw: text) }
    mutating func bind(_ value: some Encodable & Sendable) { appendInterpolation(bind: value) }

    /// `(?, ?, …)` for the values.
    mutating func bindList<Values: Collection>(_ values: Values) where Values.Element: Encodable & Sendable {
        raw("(")
        for (index, value) in values.enumerated() {
            if index > 0 { raw(", ") }
            bind(value)
        }
        raw(")")
    }
}

extension SQLQueryString {
    /// `(SELECT … )` of the strings, sent as one bind of a JSON array: a lookup of thousands of keys is one value to
    /// encode rather than thousands, and no statement grows with the list.
    mutating func bindSet(_ values: some Sequence<String>, kind: DatabaseKind) {
        raw(kind == .postgres ? "(SELECT jsonb_array_elements_text(" : "(SELECT value FROM json_each(")
        bind(JSONValue.array(values.map(JSONValue.string)).jsonText)
        raw(kind == .postgres ? "::jsonb))" : "))")
    }

    /// A JSON array of flat objects read as a table `r` with the typed columns: any number of rows in one bind.
    mutating func bindRows(_ rows: [[String: JSONValue]], columns: [(name: String, type: String)], kind: DatabaseKind) {
        let json = JSONValue.array(rows.map(JSONValue.object)).jsonText
        if kind == .postgres {
            raw("jsonb_to_recordset(")
            bind(json)
            raw("::jsonb) AS r(" + columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ") + ")")
        } else {
            raw("(SELECT " + columns.map { "json_extract(value, '$.\($0.name)') AS \($0.name)" }.joined(separator: ", ") + " FROM json_each(")
            bind(json)
            raw(")) AS r")
        }
    }
}

/// A LIKE pattern that matches `text` literally, with `\` as the escape character.
func likeEscaped(_ text: String) -> String {
    var escaped = ""
    for character in text {
        if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
        escaped.append(character)
    }
    return escaped
}
