namespace Meridian.Server.Gateway;

/// <summary>The gateway's timeouts (Meridian:Gateway).</summary>
public sealed class GatewayOptions
{
    /// <summary>How long to wait for a region to accept a connection before trying the next. Default 2 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long to wait for a region's response headers before trying the next (a model's first token can take
    /// a while on a long prompt). Default 30 s.</summary>
    public TimeSpan ResponseHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a proxied exchange may sit idle once under way (between chunks of a stream). Default 100 s.</summary>
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromSeconds(100);
}

/// <summary>The response-headers timeout of one attempt: cancels the attempt unless its headers arrive in time. Lives in
/// the request's features so the shared transformer can stop it when they do.</summary>
internal sealed class HeadersDeadline(TimeSpan timeout) : IDisposable
{
    private readonly CancellationTokenSource _source = new(timeout);
    private bool _stopped;

    public CancellationToken Token => _source.Token;

    /// <summary>True when the attempt was cancelled because no headers came in time.</summary>
    public bool Expired => !_stopped && _source.IsCancellationRequested;

    public void Stop()
    {
        _stopped = true;
        _source.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _source.Dispose();
}
