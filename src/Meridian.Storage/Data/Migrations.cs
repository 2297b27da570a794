using System.Data.Common;

namespace Meridian.Storage.Data;

/// <summary>Versioned schema migrations, applied in order. One text serves both databases: the only difference, the
/// change log's self-numbering key, is written <c>{seq}</c>.</summary>
internal static class Migrations
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
                seq         {seq},
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
        (5, "replicas", """
            -- Operators' health overrides, shared by every replica.
            CREATE TABLE health_overrides (
                service TEXT NOT NULL,
                region  TEXT NOT NULL,
                state   TEXT NOT NULL,
                set_by  TEXT NOT NULL,
                set_at  TEXT NOT NULL,
                PRIMARY KEY (service, region)
            );
            -- A running plan is leased by the replica running it; another resumes or fails it when the lease runs out.
            ALTER TABLE plans ADD COLUMN owner TEXT;
            ALTER TABLE plans ADD COLUMN lease_until TEXT;
            -- The host and tenant generations a ledger write set, so replicas catching up from the log know them.
            ALTER TABLE changes ADD COLUMN claims TEXT;
            -- A tenant's generation is bumped by every placement for it: replicas check it as they check hosts'.
            ALTER TABLE tenants ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
            """),
        (6, "retention", """
            -- Compaction deletes the oldest entries by time.
            CREATE INDEX changes_by_time ON changes (at);
            """),
    ];

    /// <summary>The migrations not yet applied to the database <paramref name="tx"/> writes, applied in it. The caller
    /// holds the lock that keeps two processes from migrating at once.</summary>
    public static int Apply(DbConnection connection, DbTransaction tx, string seqColumn)
    {
        Sql.Execute(connection, tx, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
        var version = (int)Sql.Long(connection, tx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        var applied = 0;
        foreach (var (v, name, sql) in All.Where(m => m.Version > version))
        {
            Sql.Execute(connection, tx, sql.Replace("{seq}", seqColumn, StringComparison.Ordinal));
            Sql.Execute(connection, tx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @at)",
                ("@v", v), ("@n", name), ("@at", Sql.Text(DateTimeOffset.UtcNow)));
            applied++;
        }
        return applied;
    }
}
