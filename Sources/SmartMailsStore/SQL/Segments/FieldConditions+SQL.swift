import SQLKit
import SmartMailsCore

extension TextFieldCondition: SegmentConditionSQL {
    func append(to query: inout SQLQueryString, in context: SegmentSQL) {
        let column = switch field {
        case .email: "contacts.email_key"
        case .firstName: "contacts.first_name"
        case .lastName: "contacts.last_name"
        case .externalID: "contacts.external_id"
        case .timeZone: "contacts.time_zone"
        case .locale: "contacts.locale"
        }
        // E-mails compare by their lower-cased key, like the uniqueness they are stored under.
        let normalise: (String) -> String = field == .email ? { $0.lowercased() } : { $0 }
        switch test {
        case .equals(let value):
            query.raw("\(column) = "); query.bind(normalise(value))
        case .notEquals(let value):
            query.raw("(\(column) IS NULL OR \(column) <> "); query.bind(normalise(value)); query.raw(")")
        case .contains(let value):
            query.raw("LOWER(\(column)) LIKE "); query.bind("%" + likeEscaped(value.lowercased()) + "%"); query.raw(" ESCAPE '\\'")
        case .startsWith(let value):
            query.raw("LOWER(\(column)) LIKE "); query.bind(likeEscaped(value.lowercased()) + "%"); query.raw(" ESCAPE '\\'")
        case .oneOf(let values):
            query.raw("\(column) IN "); query.bindList(values.map(normalise))
        case .exists:
            query.raw("\(column) IS NOT NULL")
        }
    }
}

extension StatusCondition: SegmentConditionSQL {
    func append(to query: inout SQLQueryString, in context: SegmentSQL) {
        query.raw(negated ? "contacts.status NOT IN " : "contacts.status IN ")
        query.bindList(statuses.map(\.rawValue))
    }
}

extension TimeCondition: SegmentConditionSQL {
    func append(to query: inout SQLQueryString, in context: SegmentSQL) {
        let column = field == .createdAt ? "contacts.created_at" : "contacts.updated_at"
        switch test {
        case .before(let instant): query.raw("\(column) < "); query.bind(instant.millisecondsSinceEpoch)
        case .after(let instant): query.raw("\(column) > "); query.bind(instant.millisecondsSinceEpoch)
        case .between(let from, let to):
            query.raw("\(column) BETWEEN "); query.bind(from.millisecondsSinceEpoch); query.raw(" AND "); query.bind(to.millisecondsSinceEpoch)
        case .withinLastDays(let days):
            query.raw("\(column) >= "); query.bind(context.now.millisecondsSinceEpoch - Int64(days) * 86_400_000)
        }
    }
}

extension TagCondition: SegmentConditionSQL {
    func append(to query: inout SQLQueryString, in context: SegmentSQL) {
        switch (context.kind, anyOf.isEmpty) {
        case (.postgres, true):
            query.raw("jsonb_array_length(contacts.tags) > 0")
        case (.postgres, false):
            // `?|` is answered from the GIN index on tags.
            query.raw("contacts.tags ?| ARRAY[")
            for (index, tag) in anyOf.enumerated() {
                if index > 0 { query.raw(", ") }
                query.bind(tag); query.raw("::text")
            }
            query.raw("]")
        case (.sqlite, true):
            query.raw("json_array_length(contacts.tags) > 0")
        case (.sqlite, false):
            query.raw("EXISTS (SELECT 1 FROM json_each(contacts.tags) WHERE json_each.value IN ")
            query.bindList(anyOf)
            query.raw(")")
        }
    }
}

extension ListCondition: SegmentConditionSQL {
    func append(to query: inout SQLQueryString, in context: SegmentSQL) {
        query.raw("EXISTS (SELECT 1 FROM list_members WHERE list_members.contact_id = contacts.id AND list_members.list_id IN ")
        query.bindList(listIDs)
        if let state { query.raw(" AND list_members.state = "); query.bind(state.rawValue) }
        query.raw(")")
    }
}
