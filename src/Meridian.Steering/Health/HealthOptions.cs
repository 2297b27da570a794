namespace Meridian.Steering.Health;

/// <summary>How regional endpoints are checked and when they count as down.</summary>
public sealed record HealthOptions
{
    /// <summary>Time between active checks of each endpoint. Default 2 s.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Time an active check may take. Default 1 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Path probed on each endpoint with GET; a 2xx answer is healthy. Default /health.</summary>
    public string Path { get; init; } = "/health";

    /// <summary>Consecutive failed checks that make an endpoint unhealthy. Default 2.</summary>
    public int UnhealthyThreshold { get; init; } = 2;

    /// <summary>Consecutive good checks that make it healthy again. Default 2.</summary>
    public int HealthyThreshold { get; init; } = 2;

    /// <summary>Consecutive failed proxied requests that take an endpoint out of rotation (passive detection). Default 3.</summary>
    public int PassiveFailures { get; init; } = 3;

    /// <summary>How long passive detection keeps an endpoint out. Default 10 s.</summary>
    public TimeSpan CoolDown { get; init; } = TimeSpan.FromSeconds(10);
}
