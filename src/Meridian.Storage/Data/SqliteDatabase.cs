using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Meridian.Storage.Data;

/// <summary>The embedded database: one SQLite file in WAL mode. One writer at a time (IMMEDIATE transactions), any
/// number of readers; other processes' writes are found by polling the change log.</summary>
public sealed class SqliteDatabase : Database
{
    private readonly string _connectionString;
    private readonly string _path;

    private SqliteDatabase(string path)
    {
        _path = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>Opens (creating the file if needed, never its directory) the file; an <see cref="IOException"/> names
    /// the path when it cannot be opened.</summary>
    public static SqliteDatabase Create(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        if (directory is not null && !Directory.Exists(directory))
            throw new IOException($"cannot open database {full}: the directory {directory} does not exist");
        return new SqliteDatabase(path);
    }

    public override string Description => $"SQLite {_path}";

    public override bool ConcurrentWriters => false;

    public override string ForUpdate => "";

    public override string? FilePath => _path;

    public override DbConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            Sql.Execute(connection, null, "PRAGMA busy_timeout=10000");
            Sql.Execute(connection, null, "PRAGMA synchronous=NORMAL");
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new IOException($"cannot open database {_path}: {e.Message.Replace("SQLite Error ", "SQLite error ", StringComparison.Ordinal)}", e);
        }
    }

    public override Task<DbConnection> OpenAsync(CancellationToken ct = default) => Task.FromResult(Open());

    public override DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    // Deferred: the first read takes a WAL snapshot that the transaction keeps.
    public override DbTransaction BeginRead(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: true);

    public override void Migrate()
    {
        using var connection = Open();
        try
        {
            Sql.Execute(connection, null, "PRAGMA journal_mode=WAL");
            // IMMEDIATE: a second process starting at the same moment waits here, then finds nothing left to apply.
            using var tx = BeginWrite(connection);
            Migrations.Apply(connection, tx, "INTEGER PRIMARY KEY AUTOINCREMENT");
            tx.Commit();
        }
        catch (SqliteException e)
        {
            throw new IOException($"cannot open database {_path}: {e.Message.Replace("SQLite Error ", "SQLite error ", StringComparison.Ordinal)}", e);
        }
    }

    public override bool IsUnavailable(Exception e) => e is SqliteException { SqliteErrorCode: 10 /* IOERR */ or 13 /* FULL */ or 14 /* CANTOPEN */ };

    public override bool IsRetryable(Exception e) => e is SqliteException { SqliteErrorCode: 5 /* BUSY */ or 6 /* LOCKED */ };

    // Let the file be deleted or moved once the store is gone.
    public override void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
