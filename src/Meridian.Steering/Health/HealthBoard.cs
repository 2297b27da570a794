using System.Collections.Concurrent;

namespace Meridian.Steering.Health;

/// <summary>Health of each (service, region): the operator's word first, then passive detection (failed proxied requests,
/// with a cool-down), then active checks (consecutive thresholds). A pair never checked and never failed is healthy, so a
/// world without endpoints routes out of the box.</summary>
public sealed class HealthBoard(HealthOptions options, TimeProvider? time = null) : IRegionHealth
{
    private sealed class Entry
    {
        public OperatorState Operator;
        public bool? Active;
        public int ActiveOk, ActiveFail, PassiveFail;
        public DateTimeOffset? CoolUntil;
        public string? LastError;
    }

    private readonly ConcurrentDictionary<(string, string), Entry> _entries = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public HealthOptions Options { get; } = options;

    /// <summary>A (service, region) turned healthy or unhealthy, as seen when it was reported or set (a cool-down that runs
    /// out is seen at the next report); the reason is why it is unhealthy, or null.</summary>
    public event Action<string, string, string?>? Transitioned;

    /// <summary>Runs a change to a pair and raises <see cref="Transitioned"/> when its health flipped.</summary>
    private void Change(string service, string region, Action<Entry> change)
    {
        var before = Unhealthy(service, region);
        var e = Get(service, region);
        lock (e) change(e);
        var after = Unhealthy(service, region);
        if ((before is null) == (after is null)) return;
        Interlocked.Increment(ref _version);
        Transitioned?.Invoke(service, region, after);
    }

    private long _version;

    /// <summary>Moves on whenever a pair's health flips on a report or an operator's word. With <see cref="NextRecovery"/>
    /// it tells a cache of routes built from this board that it is out of date.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The earliest moment a cooling pair turns healthy again by itself, which no report announces;
    /// <see cref="DateTimeOffset.MaxValue"/> when none is cooling.</summary>
    public DateTimeOffset NextRecovery()
    {
        var now = _time.GetUtcNow();
        var next = DateTimeOffset.MaxValue;
        foreach (var e in _entries.Values)
        {
            lock (e)
            {
                if (e.CoolUntil is { } until && until > now && until < next) next = until;
            }
        }
        return next;
    }

    public string? Unhealthy(string service, string region)
    {
        if (!_entries.TryGetValue((service, region), out var e)) return null;
        lock (e)
        {
            if (e.Operator == OperatorState.Down) return "marked down by an operator";
            if (e.Operator == OperatorState.Up) return null;
            if (e.CoolUntil is { } until && _time.GetUtcNow() < until) return $"{e.PassiveFail} failed requests ({e.LastError}); cooling down until {until:HH:mm:ss}";
            if (e.Active == false) return $"health check failing ({e.LastError})";
            return null;
        }
    }

    public void SetOperator(string service, string region, OperatorState state) => Change(service, region, e => e.Operator = state);

    public void ReportActive(string service, string region, bool ok, string? error = null) => Change(service, region, e =>
    {
        if (ok)
        {
            e.ActiveFail = 0;
            if (++e.ActiveOk >= Options.HealthyThreshold || e.Active is null) e.Active = true;
            return;
        }
        e.ActiveOk = 0;
        e.LastError = error;
        if (++e.ActiveFail >= Options.UnhealthyThreshold) e.Active = false;
    });

    /// <summary>The outcome of a proxied request: a run of failures takes the endpoint out for the cool-down.</summary>
    public void ReportPassive(string service, string region, bool ok, string? error = null)
    {
        if (ok && !_entries.ContainsKey((service, region))) return;
        // The gateway's hot path: a success on a healthy pair changes nothing worth a transition check.
        if (ok)
        {
            var e = Get(service, region);
            lock (e) e.PassiveFail = 0;
            return;
        }
        Change(service, region, e =>
        {
            e.LastError = error;
            if (++e.PassiveFail >= Options.PassiveFailures) e.CoolUntil = _time.GetUtcNow() + Options.CoolDown;
        });
    }

    public IReadOnlyList<EndpointHealth> Snapshot() =>
        _entries.OrderBy(kv => kv.Key.Item1, StringComparer.Ordinal).ThenBy(kv => kv.Key.Item2, StringComparer.Ordinal)
            .Select(kv =>
            {
                var e = kv.Value;
                lock (e)
                {
                    return new EndpointHealth(kv.Key.Item1, kv.Key.Item2, e.Operator, e.Active, Math.Max(e.ActiveFail, e.PassiveFail), e.CoolUntil, e.LastError,
                        null);
                }
            })
            .Select(h => h with { Unhealthy = Unhealthy(h.Service, h.Region) })
            .ToArray();

    private Entry Get(string service, string region) => _entries.GetOrAdd((service, region), _ => new Entry());
}
