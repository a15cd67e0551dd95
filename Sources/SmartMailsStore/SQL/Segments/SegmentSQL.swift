import SQLKit
import SmartMailsCore

/// Compiles a rule tree into a parameterised SQL condition over `contacts`: every value from the rule is a bind,
/// never text pasted into the statement. Each condition kind brings its own SQL (`SegmentConditionSQL`).
struct SegmentSQL {
    let kind: DatabaseKind
    let now: Timestamp

    func append(_ rule: SegmentRule, to query: inout SQLQueryString) throws {
        switch rule {
        case .all(let rules), .any(let rules):
            let joiner: String
            if case .all = rule { joiner = " AND " } else { joiner = " OR " }
            query.raw("(")
            for (index, inner) in rules.enumerated() {
                if index > 0 { query.raw(joiner) }
                try append(inner, to: &query)
            }
            query.raw(")")
        case .not(let inner):
            // A condition that is NULL for a contact (a missing attribute) is false, and its negation true.
            query.raw("(NOT COALESCE(")
            try append(inner, to: &query)
            query.raw(", FALSE))")
        case .condition(let condition):
            guard let compilable = condition as? any SegmentConditionSQL else {
                throw SegmentSQLError(kind: String(describing: type(of: condition)))
            }
            query.raw("COALESCE(")
            compilable.append(to: &query, in: self)
            query.raw(", FALSE)")
        }
    }
}

/// A condition's SQL: a boolean expression over the row `contacts`.
protocol SegmentConditionSQL {
    func append(to query: inout SQLQueryString, in context: SegmentSQL)
}

/// A condition kind was added to the domain without its SQL: a programming error that tests catch.
struct SegmentSQLError: Error, CustomStringConvertible {
    let kind: String
    var description: String { "the segment condition \(kind) has no SQL" }
}

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
