using Meridian.Core.Model;

namespace Meridian.Steering.Routing;

/// <summary>Where a client is: a point and the country it is in (ISO 3166-1 alpha-2).</summary>
public sealed record ClientLocation(GeoPoint Point, string Country);
