import PostgresKit

/// What a server log may say about a database error. PostgreSQL's own description is deliberately generic, and its
/// reflection carries the query's bound values (key hashes, addresses): the log gets the SQL state and message only.
public enum DatabaseErrorDescription {
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        let state = error.serverInfo?[.sqlState] ?? "none"
        let message = error.serverInfo?[.message] ?? "\(error.code)"
        return "PostgreSQL error \(state): \(message)"
    }
}
