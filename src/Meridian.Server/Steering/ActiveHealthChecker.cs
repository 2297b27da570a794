using Meridian.Steering.Health;
using Meridian.Storage;

namespace Meridian.Server.Steering;

/// <summary>Probes every configured regional endpoint of every service with GET {endpoint}{Path} at the configured interval.</summary>
internal sealed partial class ActiveHealthChecker(IWorldStore store, HealthBoard board, IHttpClientFactory clients, ILogger<ActiveHealthChecker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(board.Options.Interval);
        do
        {
            var probes = store.Current.World.Services.Values
                .SelectMany(s => (s.Endpoints ?? new Dictionary<string, string>()).Select(e => (Service: s.Id, Region: e.Key, Url: e.Value)))
                .Select(p => ProbeAsync(p.Service, p.Region, p.Url, stoppingToken));
            await Task.WhenAll(probes);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task ProbeAsync(string service, string region, string url, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(board.Options.Timeout);
        try
        {
            using var response = await clients.CreateClient("health").GetAsync(url.TrimEnd('/') + board.Options.Path, timeout.Token);
            var ok = response.IsSuccessStatusCode;
            board.ReportActive(service, region, ok, ok ? null : $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            board.ReportActive(service, region, false, e is TaskCanceledException ? "timed out" : e.Message);
            LogProbeFailed(logger, service, region, e.Message);
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "Health check of {Service} in {Region} failed: {Error}")]
    private static partial void LogProbeFailed(ILogger logger, string service, string region, string error);
}
