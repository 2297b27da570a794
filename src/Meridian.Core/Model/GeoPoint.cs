namespace Meridian.Core.Model;

/// <summary>A point on the earth in degrees (WGS 84).</summary>
public sealed record GeoPoint(double Latitude, double Longitude);
