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
