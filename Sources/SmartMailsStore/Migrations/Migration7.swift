/// Message templates: the current version of each in `templates`, every version ever saved in `template_versions`
/// (a message names the one it was rendered from, and versions are never rewritten).
enum Migration7 {
    static let templates = Migration(version: 7) { _ in
        [
            """
            CREATE TABLE templates (
                id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL, description TEXT,
                version BIGINT NOT NULL, sample_data TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE UNIQUE INDEX templates_by_name ON templates (workspace_id, name)",
            """
            CREATE TABLE template_versions (
                template_id TEXT NOT NULL REFERENCES templates(id) ON DELETE CASCADE, version BIGINT NOT NULL, subject TEXT NOT NULL,
                html TEXT, text_part TEXT, defaults TEXT NOT NULL, created_at BIGINT NOT NULL, created_by TEXT NOT NULL,
                PRIMARY KEY (template_id, version))
            """,
            "ALTER TABLE messages ADD COLUMN template_id TEXT",
            "ALTER TABLE messages ADD COLUMN template_version BIGINT",
        ]
    }
}
