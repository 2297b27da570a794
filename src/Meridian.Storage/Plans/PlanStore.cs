using System.Data.Common;
using Meridian.Storage.Data;

namespace Meridian.Storage.Plans;

/// <summary>A plan as stored: its request and result as JSON text, its state and times, and the replica holding its lease.</summary>
public sealed record PlanRecord(
    string Id, string Kind, string Status, string Request, string? Result, string? ErrorField, string? ErrorMessage,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Owner = null, DateTimeOffset? LeaseUntil = null);

/// <summary>Plans in the database beside the world, so their results outlive the replica that computed them and every
/// replica can answer for them. Only state changes are written (queued, running, finished), not every progress tick. A
/// replica holds a lease on each unfinished plan it runs and renews it; when the lease runs out another replica takes the
/// plan over (<see cref="TakeOver"/>).</summary>
public sealed class PlanStore(WorldStore store)
{
    private const string Columns = "id, kind, status, request, result, error_field, error_message, created_at, started_at, finished_at, owner, lease_until";

    public void Insert(PlanRecord p)
    {
        using var c = store.Database.Open();
        Sql.Execute(c, null, $"INSERT INTO plans ({Columns}) VALUES (@id, @kind, @status, @request, @result, @ef, @em, @created, @started, @finished, @owner, @lease)",
            Parameters(p));
    }

    /// <summary>Writes the plan's state if this replica still holds it; false when it was deleted or taken over.</summary>
    public bool Update(PlanRecord p)
    {
        using var c = store.Database.Open();
        return Sql.Execute(c, null,
            "UPDATE plans SET status = @status, result = @result, error_field = @ef, error_message = @em, started_at = @started, finished_at = @finished, " +
            "lease_until = @lease WHERE id = @id AND owner = @owner", Parameters(p)) == 1;
    }

    /// <summary>Extends the leases of the unfinished plans this replica runs; returns the ids it no longer holds.</summary>
    public IReadOnlyList<string> Renew(string owner, IReadOnlyCollection<string> ids, DateTimeOffset until)
    {
        using var c = store.Database.Open();
        var lost = new List<string>();
        foreach (var id in ids)
        {
            if (Sql.Execute(c, null, "UPDATE plans SET lease_until = @until WHERE id = @id AND owner = @owner", ("@until", Sql.Text(until)), ("@id", id), ("@owner", owner)) == 0)
                lost.Add(id);
        }
        return lost;
    }

    /// <summary>Ends this replica's leases at once (a graceful stop), so another replica takes the plans over now.</summary>
    public void Release(string owner, DateTimeOffset now)
    {
        using var c = store.Database.Open();
        Sql.Execute(c, null, "UPDATE plans SET lease_until = @now WHERE owner = @owner AND status IN ('queued', 'running')", ("@now", Sql.Text(now.AddTicks(-1))), ("@owner", owner));
    }

    /// <summary>Claims the unfinished plans whose lease ran out (or that never had one) for <paramref name="owner"/>,
    /// one compare-and-swap each, so two replicas cannot both take one; returns those it took.</summary>
    public IReadOnlyList<PlanRecord> TakeOver(string owner, DateTimeOffset now, DateTimeOffset until)
    {
        using var c = store.Database.Open();
        var expired = Read(c, "WHERE status IN ('queued', 'running') AND (lease_until IS NULL OR lease_until < @now)", ("@now", Sql.Text(now)));
        var taken = new List<PlanRecord>();
        foreach (var p in expired)
        {
            var claimed = Sql.Execute(c, null,
                "UPDATE plans SET owner = @owner, lease_until = @until WHERE id = @id AND status IN ('queued', 'running') AND " +
                (p.LeaseUntil is null ? "lease_until IS NULL" : "lease_until = @was"),
                ("@owner", owner), ("@until", Sql.Text(until)), ("@id", p.Id), ("@was", Sql.Text(p.LeaseUntil)));
            if (claimed == 1) taken.Add(p with { Owner = owner, LeaseUntil = until });
        }
        return taken;
    }

    public IReadOnlyList<PlanRecord> All()
    {
        using var c = store.Database.Open();
        return Read(c, "");
    }

    public PlanRecord? Get(string id)
    {
        using var c = store.Database.Open();
        return Read(c, "WHERE id = @id", ("@id", id)).FirstOrDefault();
    }

    public bool Delete(string id)
    {
        using var c = store.Database.Open();
        return Sql.Execute(c, null, "DELETE FROM plans WHERE id = @id", ("@id", id)) > 0;
    }

    private static (string, object?)[] Parameters(PlanRecord p) =>
    [
        ("@id", p.Id), ("@kind", p.Kind), ("@status", p.Status), ("@request", p.Request), ("@result", p.Result), ("@ef", p.ErrorField),
        ("@em", p.ErrorMessage), ("@created", Sql.Text(p.CreatedAt)), ("@started", Sql.Text(p.StartedAt)), ("@finished", Sql.Text(p.FinishedAt)),
        ("@owner", p.Owner), ("@lease", Sql.Text(p.LeaseUntil)),
    ];

    private static List<PlanRecord> Read(DbConnection c, string where, params (string, object?)[] parameters)
    {
        using var cmd = Sql.Command(c, null, $"SELECT {Columns} FROM plans {where} ORDER BY id", parameters);
        using var r = cmd.ExecuteReader();
        var list = new List<PlanRecord>();
        while (r.Read())
        {
            list.Add(new PlanRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Sql.TextOrNull(r, 4), Sql.TextOrNull(r, 5), Sql.TextOrNull(r, 6),
                Sql.Time(r, 7), Sql.TimeOrNull(r, 8), Sql.TimeOrNull(r, 9), Sql.TextOrNull(r, 10), Sql.TimeOrNull(r, 11)));
        }
        return list;
    }
}
