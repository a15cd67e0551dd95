/// One numbered step of the schema. The SQL is the common subset of SQLite and PostgreSQL unless `statements` says
/// otherwise for an engine: times are BIGINT milliseconds since the epoch, so both engines store and compare them alike.
struct Migration: Sendable {
    let version: Int
    let statements: @Sendable (DatabaseKind) -> [String]
}
