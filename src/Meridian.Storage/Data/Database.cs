using System.Data.Common;

namespace Meridian.Storage.Data;

/// <summary>Where Meridian keeps its state: a connection factory and the few places SQL differs between SQLite and
/// PostgreSQL. Every store (world, ledger, plans, tokens, health overrides) is written once, in SQL both understand, over
/// this; see docs/architecture.md, "One store contract".</summary>
public abstract class Database : IDisposable
{
    /// <summary>"SQLite /path/meridian.db" or "PostgreSQL host:port/db"; never a password.</summary>
    public abstract string Description { get; }

    /// <summary>True when several processes may write at once without a database-wide lock (PostgreSQL).</summary>
    public abstract bool ConcurrentWriters { get; }

    /// <summary>Appended to a SELECT that must lock the rows it reads until commit ("" on SQLite, whose write
    /// transaction already holds the database's only write lock).</summary>
    public abstract string ForUpdate { get; }

    /// <summary>The path of the SQLite file, or null: files kept beside it (the token key, the first admin token) need a
    /// place; for PostgreSQL they are named by configuration.</summary>
    public virtual string? FilePath => null;

    public abstract DbConnection Open();

    public abstract Task<DbConnection> OpenAsync(CancellationToken ct = default);

    /// <summary>A transaction for a write: on SQLite it takes the write lock at once (IMMEDIATE), so what it reads stays
    /// current until commit; on PostgreSQL it is READ COMMITTED and locks what it must with <see cref="ForUpdate"/>.</summary>
    public abstract DbTransaction BeginWrite(DbConnection connection);

    /// <summary>A read-only transaction whose statements all see one snapshot: what is loaded from several tables then
    /// belongs to one moment (a generation is never newer than the rows it stands for).</summary>
    public abstract DbTransaction BeginRead(DbConnection connection);

    /// <summary>Applies the schema migrations once, also when several processes start at the same moment.</summary>
    public abstract void Migrate();

    /// <summary>Tells other processes that the change log has grown (PostgreSQL NOTIFY, inside the transaction so it is
    /// sent on commit); SQLite readers poll.</summary>
    public virtual void Notify(DbConnection connection, DbTransaction tx) { }

    /// <summary>Waits until another process may have written, or <paramref name="timeout"/> passes.</summary>
    public virtual Task WaitForChangesAsync(TimeSpan timeout, CancellationToken ct) => Task.Delay(timeout, ct);

    /// <summary>Settles a sequence number of the change log that is taken but not visible: writes a filler entry with it,
    /// unless its writer commits it first. True when the number is settled (the entry or the filler is there), false when
    /// its writer is still running. Only databases with concurrent writers leave such numbers.</summary>
    public virtual bool FillGap(long seq, DateTimeOffset at) => true;

    /// <summary>True when the failure is the database being unreachable or restarting, not the request.</summary>
    public abstract bool IsUnavailable(Exception e);

    /// <summary>True when retrying the transaction may succeed (deadlock, serialization failure, a busy database).</summary>
    public abstract bool IsRetryable(Exception e);

    public abstract void Dispose();

    /// <summary>Opens the database a target names: <c>postgres://user@host:port/db</c> or <c>postgresql://...</c>, a
    /// keyword connection string (<c>Host=...;Database=...</c>), or else a SQLite file path.</summary>
    public static Database Open(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        return PostgresDatabase.Accepts(target) ? PostgresDatabase.Create(target) : SqliteDatabase.Create(target);
    }

    /// <summary>True when <paramref name="target"/> names a PostgreSQL database rather than a SQLite file.</summary>
    public static bool IsPostgres(string target) => PostgresDatabase.Accepts(target);
}
