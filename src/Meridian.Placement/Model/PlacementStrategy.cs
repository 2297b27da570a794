namespace Meridian.Placement.Model;

public enum PlacementStrategy
{
    /// <summary>Fewest hosts and zones: best fit, so large holes stay free.</summary>
    Pack,
    /// <summary>As many zones as allowed, least-loaded hosts first.</summary>
    Spread,
}
