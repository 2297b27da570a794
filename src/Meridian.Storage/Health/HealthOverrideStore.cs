using Meridian.Storage.Changes;
using Meridian.Storage.Data;
using Meridian.Storage.Security;

namespace Meridian.Storage.Health;

/// <summary>An operator's word on a service in a region ("up", "down"); "auto" (no row) leaves it to the checks.</summary>
public sealed record HealthOverride(string Service, string Region, string State);

/// <summary>Operators' health overrides in the database, so a PUT on one replica moves users on all of them: each write is
/// recorded in the change log (kind "health"), and replicas apply other replicas' overrides as they catch up.</summary>
public sealed class HealthOverrideStore : IChangeConsumer
{
    private readonly WorldStore _store;

    public HealthOverrideStore(WorldStore store)
    {
        _store = store;
        store.Feed.Subscribe(this);
    }

    /// <summary>Raised for an override written by another process (and for every override after a reload).</summary>
    public event Action<HealthOverride>? Changed;

    public IReadOnlyList<HealthOverride> All()
    {
        using var c = _store.Database.Open();
        using var cmd = Sql.Command(c, null, "SELECT service, region, state FROM health_overrides ORDER BY service, region");
        using var r = cmd.ExecuteReader();
        var list = new List<HealthOverride>();
        while (r.Read()) list.Add(new HealthOverride(r.GetString(0), r.GetString(1), r.GetString(2)));
        return list;
    }

    /// <summary>Writes the override ("auto" removes it) with its change-log entry, in one transaction.</summary>
    public void Set(HealthOverride value, string actor, DateTimeOffset at, object? before, object? after)
    {
        var db = _store.Database;
        using var c = db.Open();
        using var tx = db.BeginWrite(c);
        if (value.State == "auto")
            Sql.Execute(c, tx, "DELETE FROM health_overrides WHERE service = @s AND region = @r", ("@s", value.Service), ("@r", value.Region));
        else
            Sql.Execute(c, tx,
                "INSERT INTO health_overrides (service, region, state, set_by, set_at) VALUES (@s, @r, @state, @by, @at) " +
                "ON CONFLICT (service, region) DO UPDATE SET state = excluded.state, set_by = excluded.set_by, set_at = excluded.set_at",
                ("@s", value.Service), ("@r", value.Region), ("@state", value.State), ("@by", actor), ("@at", Sql.Text(at)));
        var seq = Audit.Write(c, tx, at, actor, "override", "health", $"{value.Service}/{value.Region}", before, after);
        db.Notify(c, tx);
        tx.Commit();
        _store.Feed.Own([seq]);
    }

    void IChangeConsumer.Apply(IReadOnlyList<ChangeRecord> entries)
    {
        var pairs = entries.Where(e => e.Kind == "health").Select(e => e.Id).Distinct(StringComparer.Ordinal).ToArray();
        if (pairs.Length == 0) return;
        var current = All().ToDictionary(o => $"{o.Service}/{o.Region}", StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var slash = pair.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0) continue;
            Changed?.Invoke(current.GetValueOrDefault(pair) ?? new HealthOverride(pair[..slash], pair[(slash + 1)..], "auto"));
        }
    }

    void IChangeConsumer.Reload()
    {
        foreach (var o in All()) Changed?.Invoke(o);
    }
}
