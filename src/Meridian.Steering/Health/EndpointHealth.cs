namespace Meridian.Steering.Health;

/// <summary>The health of one service in one region, as the API shows it.</summary>
public sealed record EndpointHealth(string Service, string Region, OperatorState Operator, bool? ActiveHealthy, int ConsecutiveFailures,
    DateTimeOffset? CoolingDownUntil, string? LastError, string? Unhealthy);
