namespace Meridian.Steering.Health;

/// <summary>Whether a region can serve a service now; the reason when it cannot.</summary>
public interface IRegionHealth
{
    /// <returns>null when healthy, otherwise why not.</returns>
    string? Unhealthy(string service, string region);
}

/// <summary>Everything healthy (for tests and benchmarks of routing alone).</summary>
public sealed class AlwaysHealthy : IRegionHealth
{
    public static readonly AlwaysHealthy Instance = new();

    public string? Unhealthy(string service, string region) => null;
}
