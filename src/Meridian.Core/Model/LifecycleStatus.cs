namespace Meridian.Core.Model;

/// <summary>Where a region, zone or facility is in its life.</summary>
public enum LifecycleStatus
{
    Planned,
    UnderConstruction,
    Live,
    Draining,
    Closed,
}
