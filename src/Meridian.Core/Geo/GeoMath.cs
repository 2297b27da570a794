using Meridian.Core.Model;

namespace Meridian.Core.Geo;

public static class GeoMath
{
    public const double EarthRadiusKm = 6371.0088;

    /// <summary>Great-circle distance by the haversine formula, in kilometres.</summary>
    public static double DistanceKm(GeoPoint a, GeoPoint b)
    {
        var lat1 = double.DegreesToRadians(a.Latitude);
        var lat2 = double.DegreesToRadians(b.Latitude);
        var dLat = lat2 - lat1;
        var dLon = double.DegreesToRadians(b.Longitude - a.Longitude);
        var h = Math.Pow(Math.Sin(dLat / 2), 2) + Math.Cos(lat1) * Math.Cos(lat2) * Math.Pow(Math.Sin(dLon / 2), 2);
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    public static bool IsValid(GeoPoint p) =>
        p.Latitude is >= -90 and <= 90 && p.Longitude is >= -180 and <= 180 &&
        double.IsFinite(p.Latitude) && double.IsFinite(p.Longitude);
}
