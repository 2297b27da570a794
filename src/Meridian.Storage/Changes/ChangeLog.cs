using System.Data.Common;
using Meridian.Storage.Data;

namespace Meridian.Storage.Changes;

/// <summary>Writing entries of the change log.</summary>
public static class ChangeLog
{
    /// <summary>Inserts an entry in the caller's transaction and returns its sequence number.</summary>
    public static long Insert(DbConnection c, DbTransaction? tx, ChangeRecord e) =>
        Sql.Long(c, tx,
            "INSERT INTO changes (at, actor, action, kind, resource_id, generation, before, after, claims) " +
            "VALUES (@at, @actor, @action, @kind, @id, @gen, @before, @after, @claims) RETURNING seq",
            ("@at", Sql.Text(e.At)), ("@actor", e.Actor), ("@action", e.Action), ("@kind", e.Kind), ("@id", e.Id), ("@gen", e.Generation),
            ("@before", e.Before?.ToJsonString()), ("@after", e.After?.ToJsonString()), ("@claims", e.Claims));

    /// <summary>The kind of a filler entry: a sequence number whose write was rolled back. Followers skip it.</summary>
    public const string GapKind = "gap";

    /// <summary>Writes a filler with <paramref name="seq"/> unless an entry has it (waiting for a writer that holds it).</summary>
    public static void InsertFiller(DbConnection c, DbTransaction tx, long seq, DateTimeOffset at) =>
        Sql.Execute(c, tx,
            "INSERT INTO changes (seq, at, actor, action, kind, resource_id, generation) VALUES (@seq, @at, 'meridian', 'gap', @kind, '', 0) ON CONFLICT (seq) DO NOTHING",
            ("@seq", seq), ("@at", Sql.Text(at)), ("@kind", GapKind));

    /// <summary>The oldest and newest sequence numbers kept (0, 0 for an empty log).</summary>
    public static (long Oldest, long Newest) Range(DbConnection c)
    {
        using var cmd = Sql.Command(c, null, "SELECT COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM changes");
        using var r = cmd.ExecuteReader();
        r.Read();
        return (Sql.Int64(r, 0), Sql.Int64(r, 1));
    }

    /// <summary>Entries after <paramref name="after"/> up to <paramref name="upTo"/>, oldest first, fillers included
    /// (a reader skips them but moves past them).</summary>
    public static List<ChangeRecord> After(DbConnection c, long after, long upTo, int limit)
    {
        using var cmd = Sql.Command(c, null, $"SELECT {ChangeRows.Columns} FROM changes WHERE seq > @after AND seq <= @upTo ORDER BY seq LIMIT @limit");
        Sql.Add(cmd, "@after", after);
        Sql.Add(cmd, "@upTo", upTo);
        Sql.Add(cmd, "@limit", limit);
        return ChangeRows.Read(cmd);
    }

    /// <summary>Deletes the oldest entries, those written before <paramref name="cutoff"/> and every entry before them,
    /// so what is kept is always the log's newest part; the newest entry is always kept. Returns how many were deleted.</summary>
    public static int Compact(DbConnection c, DateTimeOffset cutoff) =>
        Sql.Execute(c, null,
            "DELETE FROM changes WHERE seq < (SELECT COALESCE(MIN(seq), (SELECT MAX(seq) FROM changes)) FROM changes WHERE at >= @cutoff)",
            ("@cutoff", Sql.Text(cutoff)));
}
