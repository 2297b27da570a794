using System.Globalization;
using Meridian.Core.Geo;
using Meridian.Core.Model;
using Meridian.Core.Validation;
using Meridian.Steering.Routing;

namespace Meridian.Server.Steering;

/// <summary>Reads a client location from request values, naming the field that is missing or wrong.</summary>
public static class ClientLocations
{
    public static ClientLocation Parse(string? lat, string? lon, string? country)
    {
        var errors = new List<FieldError>();
        var latitude = Number("lat", lat, -90, 90, errors);
        var longitude = Number("lon", lon, -180, 180, errors);
        var cc = country?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(cc)) errors.Add(new("country", "is required (ISO 3166-1 alpha-2, such as FR)"));
        else if (!Countries.IsKnown(cc)) errors.Add(new("country", $"'{country}' is not an ISO 3166-1 alpha-2 country code"));
        if (errors.Count > 0) throw RegistryException.Invalid(errors, ProblemKind.Malformed);
        return new ClientLocation(new GeoPoint(latitude, longitude), cc!);
    }

    private static double Number(string field, string? value, double min, double max, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new(field, "is required"));
            return 0;
        }
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
        {
            errors.Add(new(field, $"'{value}' is not a number"));
            return 0;
        }
        if (v < min || v > max) errors.Add(new(field, $"{v.ToString(CultureInfo.InvariantCulture)} is outside [{min}, {max}]"));
        return v;
    }
}
