import SQLKit
import SmartMailsCore

/// Attribute conditions read the JSON column: `json_type`/`json_extract` on SQLite, `jsonb` operators on PostgreSQL
/// (equality as `@>`, which the GIN index answers). Only values of the rule value's own type ever match.
extension AttributeCondition: SegmentConditionSQL {
    func append(to query: inout SQLQueryString, in context: SegmentSQL) {
        let sql = context.kind == .postgres ? AttributeSQL.postgres(key) : AttributeSQL.sqlite(key)
        switch test {
        case .exists:
            sql.exists(&query)
        case .equals(let value):
            sql.equals(value, &query)
        case .notEquals(let value):
            query.raw("NOT COALESCE("); sql.equals(value, &query); query.raw(", FALSE)")
        case .contains(let text):
            sql.like("%" + likeEscaped(text.lowercased()) + "%", &query)
        case .startsWith(let text):
            sql.like(likeEscaped(text.lowercased()) + "%", &query)
        case .compare(let comparison, let value):
            sql.compare(comparison.rawValue, value, &query)
        case .between(let low, let high):
            query.raw("("); sql.compare(">=", low, &query); query.raw(" AND "); sql.compare("<=", high, &query); query.raw(")")
        case .oneOf(let values):
            query.raw("(")
            for (index, value) in values.enumerated() {
                if index > 0 { query.raw(" OR ") }
                sql.equals(value, &query)
            }
            query.raw(")")
        case .withinLastDays(let days):
            // The lower bound as a bare date: it sorts before every date-time of that day and equals a date-only
            // value of it, so both forms of a date on the first day of the window are in it.
            let from = AttributeValue.date(String(RFC3339.format(context.now.adding(seconds: -Int64(days) * 86_400)).prefix(10)))
            let to = AttributeValue.date(RFC3339.format(context.now))
            query.raw("("); sql.compare(">=", from, &query); query.raw(" AND "); sql.compare("<=", to, &query); query.raw(")")
        }
    }
}

/// The SQL of one attribute on one engine.
private enum AttributeSQL {
    case sqlite(path: String)
    case postgres(key: String)

    static func sqlite(_ key: String) -> AttributeSQL { .sqlite(path: "$." + key) }
    static func postgres(_ key: String) -> AttributeSQL { .postgres(key: key) }

    func exists(_ query: inout SQLQueryString) {
        switch self {
        case .sqlite(let path): query.raw("json_type(contacts.attributes, "); query.bind(path); query.raw(") IS NOT NULL")
        case .postgres(let key): query.raw("contacts.attributes ? "); query.bind(key)
        }
    }

    func equals(_ value: AttributeValue, _ query: inout SQLQueryString) {
        switch self {
        case .sqlite(let path):
            switch value {
            case .bool(let flag):
                query.raw("json_type(contacts.attributes, "); query.bind(path); query.raw(flag ? ") = 'true'" : ") = 'false'")
            case .string(let text), .date(let text):
                query.raw("(json_type(contacts.attributes, "); query.bind(path); query.raw(") = 'text' AND json_extract(contacts.attributes, ")
                query.bind(path); query.raw(") = "); query.bind(text); query.raw(")")
            case .integer, .number:
                query.raw("(json_type(contacts.attributes, "); query.bind(path); query.raw(") IN ('integer', 'real') AND json_extract(contacts.attributes, ")
                query.bind(path); query.raw(") = "); bindNumber(value, &query); query.raw(")")
            }
        case .postgres(let key):
            query.raw("contacts.attributes @> jsonb_build_object("); query.bind(key); query.raw("::text, ")
            switch value {
            case .bool(let flag): query.bind(flag); query.raw("::boolean)")
            case .string(let text), .date(let text): query.bind(text); query.raw("::text)")
            case .integer(let number): query.bind(number); query.raw("::bigint)")
            case .number(let number): query.bind(number); query.raw("::float8)")
            }
        }
    }

    func like(_ pattern: String, _ query: inout SQLQueryString) {
        switch self {
        case .sqlite(let path):
            query.raw("(json_type(contacts.attributes, "); query.bind(path); query.raw(") = 'text' AND LOWER(json_extract(contacts.attributes, ")
            query.bind(path); query.raw(")) LIKE "); query.bind(pattern); query.raw(" ESCAPE '\\')")
        case .postgres(let key):
            query.raw("(jsonb_typeof(contacts.attributes -> "); query.bind(key); query.raw(") = 'string' AND LOWER(contacts.attributes ->> ")
            query.bind(key); query.raw(") LIKE "); query.bind(pattern); query.raw(" ESCAPE '\\')")
        }
    }

    /// A stored date's two canonical shapes, whole: a string that only starts like a date ("2024-04-01 maybe") is text.
    private static let dateGlob = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
    private static let dateTimeGlob = dateGlob + "T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z"

    /// `>`, `>=`, `<`, `<=` against a number, or a date (canonical text, compared byte-wise).
    func compare(_ comparison: String, _ value: AttributeValue, _ query: inout SQLQueryString) {
        switch (self, value) {
        case (.sqlite(let path), .date(let text)):
            query.raw("(json_type(contacts.attributes, "); query.bind(path)
            query.raw(") = 'text' AND (json_extract(contacts.attributes, "); query.bind(path)
            query.raw(") GLOB '\(Self.dateGlob)' OR json_extract(contacts.attributes, "); query.bind(path)
            query.raw(") GLOB '\(Self.dateTimeGlob)') AND json_extract(contacts.attributes, "); query.bind(path)
            query.raw(") \(comparison) "); query.bind(text); query.raw(")")
        case (.sqlite(let path), _):
            query.raw("(json_type(contacts.attributes, "); query.bind(path)
            query.raw(") IN ('integer', 'real') AND json_extract(contacts.attributes, "); query.bind(path)
            query.raw(") \(comparison) "); bindNumber(value, &query); query.raw(")")
        case (.postgres(let key), .date(let text)):
            // COLLATE "C": canonical dates order byte-wise, whatever the database's collation.
            query.raw("(CASE WHEN jsonb_typeof(contacts.attributes -> "); query.bind(key)
            query.raw(") = 'string' AND (contacts.attributes ->> "); query.bind(key)
            query.raw(") ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?$' THEN (contacts.attributes ->> "); query.bind(key)
            query.raw(") END) COLLATE \"C\" \(comparison) "); query.bind(text)
        case (.postgres(let key), _):
            query.raw("(CASE WHEN jsonb_typeof(contacts.attributes -> "); query.bind(key)
            query.raw(") = 'number' THEN (contacts.attributes ->> "); query.bind(key); query.raw(")::float8 END) \(comparison) ")
            bindNumber(value, &query); query.raw("::float8")
        }
    }

    private func bindNumber(_ value: AttributeValue, _ query: inout SQLQueryString) {
        switch value {
        case .integer(let number): query.bind(number)
        case .number(let number): query.bind(number)
        default: query.bind(0)
        }
    }
}
