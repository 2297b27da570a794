using Meridian.Storage;
using Meridian.Storage.Ledger;

namespace Meridian.Server.Hosting;

/// <summary>Applies writes made by other processes sharing the database (other replicas, the CLI) as the change log
/// brings them: woken by PostgreSQL's NOTIFY, or every <see cref="ServerOptions.RefreshInterval"/>.</summary>
internal sealed partial class CatchUp(WorldStore store, AllocationLedger ledger, ServerOptions options, ILogger<CatchUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.Database.WaitForChangesAsync(options.RefreshInterval, stoppingToken);
                var before = store.Current.Generation;
                var dropped = store.Feed.DroppedGaps;
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var now = await store.RefreshAsync(stoppingToken);
                await ledger.SyncAsync(stoppingToken);
                Telemetry.MeridianMetrics.CatchUpDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
                if (now.Generation != before) LogWorld(logger, before, now.Generation);
                if (store.Feed.DroppedGaps != dropped) LogGap(logger, store.Feed.DroppedGaps - dropped, now.Generation);
                if (failing) LogBack(logger);
                failing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (!failing) LogFailed(logger, e.Message);
                failing = true;
                await Task.Delay(options.RefreshInterval, stoppingToken);
            }
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "World changed elsewhere: generation {Before} -> {After}")]
    private static partial void LogWorld(ILogger logger, long before, long after);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Could not read the change log: {Message}; retrying")]
    private static partial void LogFailed(ILogger logger, string message);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Gave up waiting for {Count} change-log entries (a gap); reloaded from the tables, now at generation {Generation}")]
    private static partial void LogGap(ILogger logger, long count, long generation);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Reading the change log again")]
    private static partial void LogBack(ILogger logger);
}
