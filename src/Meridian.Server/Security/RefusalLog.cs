using System.Collections.Concurrent;
using Meridian.Storage;
using Meridian.Storage.Security;

namespace Meridian.Server.Security;

/// <summary>Records refused authentications in the change log (kind "auth"), at most one per address per minute and
/// a bounded number of addresses remembered, so a flood of bad tokens cannot flood the log or memory.</summary>
public sealed partial class RefusalLog(WorldStore store, TimeProvider time, ILogger<RefusalLog> logger)
{
    private const int MaxAddresses = 10_000;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _last = new(StringComparer.Ordinal);

    public void Refused(HttpContext http, string reason)
    {
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var now = time.GetUtcNow();
        if (_last.TryGetValue(address, out var last) && now - last < TimeSpan.FromMinutes(1)) return;
        if (_last.Count >= MaxAddresses)
        {
            foreach (var (key, at) in _last)
            {
                if (now - at >= TimeSpan.FromMinutes(1)) _last.TryRemove(key, out _);
            }
            if (_last.Count >= MaxAddresses) return;
        }
        _last[address] = now;
        LogRefused(logger, address, reason);
        Audit.Record(store, now, "anonymous", "refused", "auth", address,
            null, new { reason, method = http.Request.Method, path = http.Request.Path.Value });
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Refused an authentication from {Address}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string address, string reason);
}
