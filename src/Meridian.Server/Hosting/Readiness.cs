using Meridian.Core.Validation;
using Meridian.Server.Http;
using Meridian.Storage;

namespace Meridian.Server.Hosting;

/// <summary>/readyz: 200 when this replica should take traffic (the database answers, the world is loaded, which it is
/// once the server has started, and the change log has been read recently and up to the database's generation), 503 with
/// the reason otherwise.</summary>
internal static class Readiness
{
    public static async Task<IResult> CheckAsync(WorldStore store, ServerOptions options, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        string? problem = null;
        long stored = -1;
        try
        {
            await using var c = await store.Database.OpenAsync(ct);
            stored = Meridian.Storage.Data.Sql.Long(c, null, "SELECT value FROM meta WHERE key = 'generation'");
        }
        catch (Exception e) when (store.Database.IsUnavailable(e) || e is System.Data.Common.DbException or IOException)
        {
            problem = "the database does not answer";
        }
        var current = store.Current;
        var caughtUp = store.Feed.CaughtUpAt;
        // Three missed reads of the change log (or one catch-up still to come after start) is not ready.
        var stale = caughtUp is null || time.GetUtcNow() - caughtUp > 3 * options.RefreshInterval + TimeSpan.FromSeconds(1);
        problem ??= current.Generation < stored ? $"behind the database: generation {current.Generation} of {stored}"
            : stale ? "has not read the change log recently" : null;
        if (problem is null)
            return ApiResults.Json(new Apis.Contracts.ReadinessView("ready", current.Generation, store.Database.Description, store.Feed.Position));
        http.Response.Headers.RetryAfter = "1";
        return Problems.Result(503, $"not ready: {problem}", [new FieldError("readiness", problem)], http);
    }
}
