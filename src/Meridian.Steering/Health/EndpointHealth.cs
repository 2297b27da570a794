using System.Text.Json.Serialization;

namespace Meridian.Steering.Health;

/// <summary>The health of one service in one region, as the API shows it. Members without a value are written as null,
/// not left out: the API's schema lists all of them.</summary>
public sealed record EndpointHealth(string Service, string Region, OperatorState Operator, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] bool? ActiveHealthy,
    int ConsecutiveFailures, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? CoolingDownUntil,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? LastError, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Unhealthy);
