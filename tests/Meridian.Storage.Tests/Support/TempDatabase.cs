using Meridian.Storage.Data;

namespace Meridian.Storage.Tests;

public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>A database for one test: a SQLite file in a fresh temporary directory, or a fresh database on the test
/// run's PostgreSQL server; removed afterwards.</summary>
public sealed class TempDatabase(StoreKind kind = StoreKind.Sqlite) : IDisposable
{
    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("meridian-test-").FullName;
    private string? _postgres;

    public StoreKind Kind { get; } = kind;

    /// <summary>What <c>WorldStore.OpenAsync</c> takes: the file's path or the database's URL.</summary>
    public string Path => Kind == StoreKind.Sqlite
        ? System.IO.Path.Combine(_dir, "meridian.db")
        : _postgres ??= PostgresServer.Instance.CreateDatabase();

    /// <summary>A directory for the test's other files.</summary>
    public string Folder => _dir;

    /// <summary>Rows in a table, read with a connection of its own.</summary>
    public long Count(string table)
    {
        using var db = Database.Open(Path);
        using var c = db.Open();
        return Sql.Long(c, null, $"SELECT COUNT(*) FROM {table}");
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_postgres is not null)
        {
            try { PostgresServer.Instance.DropDatabase(_postgres); } catch (Npgsql.NpgsqlException) { }
        }
        try { System.IO.Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
