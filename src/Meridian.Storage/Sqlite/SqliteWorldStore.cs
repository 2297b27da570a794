using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Storage.Changes;
using Microsoft.Data.Sqlite;

namespace Meridian.Storage.Sqlite;

/// <summary>The embedded store: one SQLite file in WAL mode. Resources are JSON documents keyed by (kind, id);
/// the world is held in memory as an immutable snapshot and replaced after each write.</summary>
public sealed class SqliteWorldStore : IWorldStore
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _publish = new();
    private volatile WorldSnapshot _current = new(World.Empty, 0);

    private SqliteWorldStore(string path, TimeProvider time)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _time = time;
    }

    public string Path => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    /// <summary>The placement options the ledger on this database uses; registry writes that touch hosts are checked
    /// against its allocations with them (<see cref="Ledger.AllocationGuard"/>).</summary>
    public Meridian.Placement.Capacity.PlacementOptions Placement { get; set; } = Meridian.Placement.Capacity.PlacementOptions.Default;

    /// <summary>Opens (creating the file if needed, never its directory) the database, applies migrations and loads the
    /// world. An empty database is given <paramref name="seed"/>'s world, written as an import by "meridian". A file
    /// that cannot be opened is an <see cref="IOException"/> naming its path.</summary>
    public static async Task<SqliteWorldStore> OpenAsync(string path, Func<World>? seed = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var full = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(full);
        if (directory is not null && !Directory.Exists(directory))
            throw new IOException($"cannot open database {full}: the directory {directory} does not exist");
        var store = new SqliteWorldStore(path, time ?? TimeProvider.System);
        try
        {
            using var connection = store.Open();
            Pragma(connection, "PRAGMA journal_mode=WAL");
            SqliteMigrations.Apply(connection);
            store._current = Load(connection, null);
        }
        catch (SqliteException e)
        {
            throw new IOException($"cannot open database {full}: {e.Message.Replace("SQLite Error ", "SQLite error ", StringComparison.Ordinal)}", e);
        }
        if (seed is not null && store._current.Generation == 0)
        {
            await store.WriteAsync("meridian", world => world.Count == 0 ? WorldDiff.Between(world, seed(), "seed") : [], cancellationToken);
        }
        return store;
    }

    public WorldSnapshot Current => _current;

    public Task<WorldSnapshot> RefreshAsync(CancellationToken cancellationToken = default)
    {
        using var connection = Open();
        return Task.FromResult(Refresh(connection, null));
    }

    /// <summary>Refresh on a connection the caller holds (the ledger's), inside its transaction if it has one.</summary>
    internal WorldSnapshot Refresh(SqliteConnection connection, SqliteTransaction? tx)
    {
        var current = _current;
        return ReadGeneration(connection, tx) == current.Generation ? current : Publish(Load(connection, tx));
    }

    /// <summary>Makes a snapshot current unless a newer one already is (a reader's reload can race a writer's publish).</summary>
    private WorldSnapshot Publish(WorldSnapshot snapshot)
    {
        lock (_publish)
        {
            if (snapshot.Generation > _current.Generation) _current = snapshot;
            return snapshot;
        }
    }

    public async Task<WriteResult> WriteAsync(string actor, Func<World, IReadOnlyList<Change>> decide, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var connection = Open();
            // IMMEDIATE: take the database's write lock now, so the generation read below stays current until commit.
            using var tx = connection.BeginTransaction(deferred: false);
            var generation = ReadGeneration(connection, tx);
            var snapshot = generation == _current.Generation ? _current : Publish(Load(connection, tx));
            var changes = decide(snapshot.World);
            if (changes.Count == 0) return new WriteResult(snapshot, []);

            var next = generation + 1;
            var at = _time.GetUtcNow();
            var world = snapshot.World;
            var records = new List<ChangeRecord>(changes.Count);
            foreach (var change in changes)
            {
                var stored = change.Kind.VersionOf(world, change.Id);
                if (change.ExpectedVersion is { } expected && stored != expected)
                    throw new RegistryException(ProblemKind.StaleVersion, $"{change.Kind.Singular} '{change.Id}' is at version {stored?.ToString(CultureInfo.InvariantCulture) ?? "(deleted)"}, not {expected}");
                var before = ToNode(change.Before);
                var after = ToNode(change.After);
                if (change.After is null)
                {
                    Execute(connection, tx, "DELETE FROM resources WHERE kind = $kind AND id = $id", ("$kind", change.Kind.Name), ("$id", change.Id));
                    world = change.Kind.Remove(world, change.Id);
                }
                else
                {
                    Execute(connection, tx,
                        "INSERT INTO resources (kind, id, version, body) VALUES ($kind, $id, $version, $body) " +
                        "ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version, body = excluded.body",
                        ("$kind", change.Kind.Name), ("$id", change.Id), ("$version", next), ("$body", after!.ToJsonString()));
                    world = change.Kind.Put(world, change.After, next);
                }
                var seq = Convert.ToInt64(Scalar(connection, tx,
                    "INSERT INTO changes (at, actor, action, kind, resource_id, generation, before, after) " +
                    "VALUES ($at, $actor, $action, $kind, $id, $gen, $before, $after) RETURNING seq",
                    ("$at", at.ToString("O", CultureInfo.InvariantCulture)), ("$actor", actor), ("$action", change.Action),
                    ("$kind", change.Kind.Name), ("$id", change.Id), ("$gen", next),
                    ("$before", before?.ToJsonString()), ("$after", after?.ToJsonString())), CultureInfo.InvariantCulture);
                records.Add(new ChangeRecord(seq, at, actor, change.Action, change.Kind.Name, change.Id, next, before, after));
            }
            Ledger.AllocationGuard.Check(connection, tx, snapshot.World, world, changes, Placement);
            Execute(connection, tx, "UPDATE meta SET value = $gen WHERE key = 'generation'", ("$gen", next));
            tx.Commit();
            var published = Publish(new WorldSnapshot(world, next));
            return new WriteResult(published, records);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task<IReadOnlyList<ChangeRecord>> ChangesAsync(ChangeQuery query, CancellationToken cancellationToken = default)
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        var excluded = query.ExcludeKinds ?? [];
        cmd.CommandText =
            "SELECT seq, at, actor, action, kind, resource_id, generation, before, after FROM changes " +
            "WHERE ($kind IS NULL OR kind = $kind) AND ($id IS NULL OR resource_id = $id) AND ($before IS NULL OR seq < $before) " +
            string.Concat(excluded.Select((_, i) => $"AND kind <> $x{i} ")) +
            "ORDER BY seq DESC LIMIT $limit";
        for (var i = 0; i < excluded.Count; i++) cmd.Parameters.AddWithValue($"$x{i}", excluded[i]);
        cmd.Parameters.AddWithValue("$kind", (object?)query.Kind ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$id", (object?)query.Id ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$before", (object?)query.BeforeSeq ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$limit", query.Limit);
        using var reader = cmd.ExecuteReader();
        var list = new List<ChangeRecord>();
        while (reader.Read())
        {
            list.Add(new ChangeRecord(
                reader.GetInt64(0), DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetInt64(6),
                reader.IsDBNull(7) ? null : JsonNode.Parse(reader.GetString(7)),
                reader.IsDBNull(8) ? null : JsonNode.Parse(reader.GetString(8))));
        }
        return Task.FromResult<IReadOnlyList<ChangeRecord>>(list);
    }

    public void Dispose()
    {
        _writeLock.Dispose();
        // Let the file be deleted or moved once the store is gone.
        SqliteConnection.ClearAllPools();
    }

    internal SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Pragma(connection, "PRAGMA busy_timeout=10000");
        Pragma(connection, "PRAGMA synchronous=NORMAL");
        return connection;
    }

    private static WorldSnapshot Load(SqliteConnection connection, SqliteTransaction? tx)
    {
        var generation = ReadGeneration(connection, tx);
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT kind, version, body FROM resources";
        using var reader = cmd.ExecuteReader();
        var world = World.Empty;
        while (reader.Read())
        {
            var kind = Kinds.Named(reader.GetString(0)) ?? throw new InvalidDataException($"unknown kind '{reader.GetString(0)}' in the database");
            var item = (IResource)JsonSerializer.Deserialize(reader.GetString(2), kind.Type, MeridianJson.Options)!;
            world = kind.Put(world, item, reader.GetInt64(1));
        }
        return new WorldSnapshot(world, generation);
    }

    private static long ReadGeneration(SqliteConnection connection, SqliteTransaction? tx) =>
        Convert.ToInt64(Scalar(connection, tx, "SELECT value FROM meta WHERE key = 'generation'"), CultureInfo.InvariantCulture);

    private static JsonNode? ToNode(IResource? item) => item is null ? null : JsonSerializer.SerializeToNode(item, item.GetType(), MeridianJson.Options);

    private static void Pragma(SqliteConnection connection, string sql) => Execute(connection, null, sql);

    private static void Execute(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters) =>
        Sql.Execute(connection, tx, sql, parameters);

    private static object? Scalar(SqliteConnection connection, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters) =>
        Sql.Scalar(connection, tx, sql, parameters);
}
