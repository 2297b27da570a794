using System.Globalization;
using Meridian.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Meridian.Storage.Plans;

/// <summary>A plan as stored: its request and result as JSON text, its state and times.</summary>
public sealed record PlanRecord(
    string Id, string Kind, string Status, string Request, string? Result, string? ErrorField, string? ErrorMessage,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

/// <summary>Plans in the SQLite file beside the world, so their results outlive the server that computed them.
/// Only state changes are written (queued, running, finished), not every progress tick.</summary>
public sealed class SqlitePlanStore(SqliteWorldStore store)
{
    public void Save(PlanRecord p)
    {
        using var c = store.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO plans (id, kind, status, request, result, error_field, error_message, created_at, started_at, finished_at)
            VALUES ($id, $kind, $status, $request, $result, $ef, $em, $created, $started, $finished)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, result = excluded.result, error_field = excluded.error_field,
                error_message = excluded.error_message, started_at = excluded.started_at, finished_at = excluded.finished_at
            """;
        cmd.Parameters.AddWithValue("$id", p.Id);
        cmd.Parameters.AddWithValue("$kind", p.Kind);
        cmd.Parameters.AddWithValue("$status", p.Status);
        cmd.Parameters.AddWithValue("$request", p.Request);
        cmd.Parameters.AddWithValue("$result", (object?)p.Result ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$ef", (object?)p.ErrorField ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$em", (object?)p.ErrorMessage ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$created", p.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$started", (object?)p.StartedAt?.ToString("O", CultureInfo.InvariantCulture) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$finished", (object?)p.FinishedAt?.ToString("O", CultureInfo.InvariantCulture) ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }

    public IReadOnlyList<PlanRecord> All()
    {
        using var c = store.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, kind, status, request, result, error_field, error_message, created_at, started_at, finished_at FROM plans ORDER BY id";
        using var r = cmd.ExecuteReader();
        var list = new List<PlanRecord>();
        while (r.Read())
        {
            list.Add(new PlanRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Text(r, 4), Text(r, 5), Text(r, 6),
                DateTimeOffset.Parse(r.GetString(7), CultureInfo.InvariantCulture), Time(r, 8), Time(r, 9)));
        }
        return list;
    }

    public bool Delete(string id)
    {
        using var c = store.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "DELETE FROM plans WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        return cmd.ExecuteNonQuery() > 0;
    }

    private static string? Text(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static DateTimeOffset? Time(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : DateTimeOffset.Parse(r.GetString(i), CultureInfo.InvariantCulture);
}
