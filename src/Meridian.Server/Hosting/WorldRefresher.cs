using Meridian.Storage;

namespace Meridian.Server.Hosting;

/// <summary>Picks up writes made by other processes sharing the database (the CLI, other server replicas).</summary>
internal sealed partial class WorldRefresher(IWorldStore store, ServerOptions options, ILogger<WorldRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.RefreshInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var before = store.Current.Generation;
                var now = await store.RefreshAsync(stoppingToken);
                if (now.Generation != before) LogReloaded(logger, before, now.Generation);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Reloaded the world: generation {Before} -> {After}")]
    private static partial void LogReloaded(ILogger logger, long before, long after);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Could not check the database for changes")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
