using Microsoft.Data.Sqlite;

namespace Meridian.Storage.Sqlite;

/// <summary>Versioned schema migrations, applied in order, each in its own transaction.
/// The SQL stays portable (no SQLite-only types) so the PostgreSQL store can mirror it.</summary>
internal static class SqliteMigrations
{
    public static readonly IReadOnlyList<(int Version, string Name, string Sql)> All =
    [
        (1, "registry", """
            CREATE TABLE resources (
                kind    TEXT    NOT NULL,
                id      TEXT    NOT NULL,
                version BIGINT  NOT NULL,
                body    TEXT    NOT NULL,
                PRIMARY KEY (kind, id)
            );
            CREATE TABLE changes (
                seq         INTEGER PRIMARY KEY AUTOINCREMENT,
                at          TEXT    NOT NULL,
                actor       TEXT    NOT NULL,
                action      TEXT    NOT NULL,
                kind        TEXT    NOT NULL,
                resource_id TEXT    NOT NULL,
                generation  BIGINT  NOT NULL,
                before      TEXT,
                after       TEXT
            );
            CREATE INDEX changes_by_resource ON changes (kind, resource_id, seq);
            CREATE TABLE meta (
                key   TEXT   PRIMARY KEY,
                value BIGINT NOT NULL
            );
            INSERT INTO meta (key, value) VALUES ('generation', 0);
            """),
        (2, "allocation ledger", """
            CREATE TABLE workloads (
                id         TEXT   PRIMARY KEY,
                tenant     TEXT   NOT NULL,
                name       TEXT   NOT NULL,
                spec       TEXT   NOT NULL,
                created_at TEXT   NOT NULL,
                UNIQUE (tenant, name)
            );
            CREATE TABLE allocations (
                workload_id TEXT    NOT NULL REFERENCES workloads (id) ON DELETE CASCADE,
                replica     INTEGER NOT NULL,
                host_id     TEXT    NOT NULL,
                zone_id     TEXT    NOT NULL,
                region_id   TEXT    NOT NULL,
                vcpu_milli  INTEGER NOT NULL,
                memory_mib  BIGINT  NOT NULL,
                gpus        TEXT    NOT NULL,
                PRIMARY KEY (workload_id, replica)
            );
            CREATE INDEX allocations_by_host ON allocations (host_id);
            -- Resource-provider generations, as in OpenStack Placement: a claim on a host bumps its generation.
            CREATE TABLE host_generations (
                host_id    TEXT   PRIMARY KEY,
                generation BIGINT NOT NULL
            );
            INSERT INTO meta (key, value) VALUES ('ledger_generation', 0);
            """),
        (3, "plans", """
            CREATE TABLE plans (
                id            TEXT   PRIMARY KEY,
                kind          TEXT   NOT NULL,
                status        TEXT   NOT NULL,
                request       TEXT   NOT NULL,
                result        TEXT,
                error_field   TEXT,
                error_message TEXT,
                created_at    TEXT   NOT NULL,
                started_at    TEXT,
                finished_at   TEXT
            );
            """),
        (4, "security", """
            -- API tokens: only a keyed hash (HMAC-SHA256) of the secret is kept.
            CREATE TABLE tokens (
                id           TEXT   PRIMARY KEY,
                name         TEXT   NOT NULL,
                role         TEXT   NOT NULL,
                tenant       TEXT,
                secret_hash  TEXT   NOT NULL,
                created_at   TEXT   NOT NULL,
                created_by   TEXT   NOT NULL,
                expires_at   TEXT,
                last_used_at TEXT,
                revoked_at   TEXT
            );
            -- Tenants and their quotas; a placement reads them in its own transaction.
            CREATE TABLE tenants (
                id         TEXT   PRIMARY KEY,
                body       TEXT   NOT NULL,
                version    BIGINT NOT NULL,
                created_at TEXT   NOT NULL
            );
            """),
    ];

    public static int Apply(SqliteConnection connection)
    {
        Execute(connection, null, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
        using var current = connection.CreateCommand();
        current.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
        var version = Convert.ToInt32(current.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        var applied = 0;
        foreach (var (v, name, sql) in All.Where(m => m.Version > version))
        {
            using var tx = connection.BeginTransaction();
            Execute(connection, tx, sql);
            using var record = connection.CreateCommand();
            record.Transaction = tx;
            record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, $at)";
            record.Parameters.AddWithValue("$v", v);
            record.Parameters.AddWithValue("$n", name);
            record.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O"));
            record.ExecuteNonQuery();
            tx.Commit();
            applied++;
        }
        return applied;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
