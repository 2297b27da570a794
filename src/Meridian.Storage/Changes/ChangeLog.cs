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
}
