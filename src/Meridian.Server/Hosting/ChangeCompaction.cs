using Meridian.Server.Apis;
using Meridian.Storage;

namespace Meridian.Server.Hosting;

/// <summary>Deletes change-log entries older than <see cref="ChangesOptions.Retention"/>, at start and every
/// <see cref="ChangesOptions.CompactionInterval"/>. Every replica may run it: deleting what another already deleted
/// changes nothing.</summary>
internal sealed partial class ChangeCompaction(WorldStore store, ChangesOptions options, TimeProvider time, ILogger<ChangeCompaction> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Retention <= TimeSpan.Zero) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var deleted = await store.CompactChangesAsync(time.GetUtcNow() - options.Retention, stoppingToken);
                if (deleted > 0) LogCompacted(logger, deleted, options.Retention);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e.Message);
            }
            await Task.Delay(options.CompactionInterval, time, stoppingToken);
        }
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Deleted {Count} change-log entries older than {Retention}")]
    private static partial void LogCompacted(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "Could not compact the change log: {Message}")]
    private static partial void LogFailed(ILogger logger, string message);
}
