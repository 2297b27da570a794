using System.Globalization;
using Meridian.Core.Geo;
using Meridian.Core.Model;
using Meridian.Planning.Instances;

namespace Meridian.Planning.Demand;

/// <summary>Turns cities into demand points: cities of a country that share a grid cell are summed at their
/// population-weighted centre, so the models stay small without moving demand across a border.</summary>
public static class DemandModel
{
    public static IReadOnlyList<DemandPoint> Build(IEnumerable<City> cities, double cellDegrees = 1.0, IReadOnlyDictionary<string, double>? countryWeights = null)
    {
        if (!(cellDegrees > 0) || cellDegrees > 30) throw new PlanningInputException("cellDegrees", $"must be above 0 and at most 30, not {cellDegrees}");
        foreach (var (country, w) in countryWeights ?? new Dictionary<string, double>())
        {
            if (!Countries.IsKnown(country)) throw new PlanningInputException($"countryWeights.{country}", "is not an ISO 3166-1 alpha-2 country code");
            if (!(w >= 0) || !double.IsFinite(w)) throw new PlanningInputException($"countryWeights.{country}", $"must be a number of at least 0, not {w}");
        }
        var points = new List<DemandPoint>();
        foreach (var cell in cities.GroupBy(c => (c.Country, Math.Floor(c.Location.Latitude / cellDegrees), Math.Floor(c.Location.Longitude / cellDegrees))))
        {
            var population = cell.Sum(c => c.Population);
            if (population <= 0) continue;
            var lat = cell.Sum(c => c.Location.Latitude * c.Population) / population;
            var lon = cell.Sum(c => c.Location.Longitude * c.Population) / population;
            var weight = countryWeights is null ? 1.0 : countryWeights.GetValueOrDefault(cell.Key.Country, 1.0);
            var largest = cell.MaxBy(c => c.Population)!;
            points.Add(new DemandPoint(largest.Name, cell.Key.Country, new GeoPoint(lat, lon), population, population * weight));
        }
        return points.OrderByDescending(p => p.Population).ToList();
    }

    /// <summary>Reads <c>country,weight</c> lines (a header line is allowed): trade ties, customer counts or any other
    /// multiplier of a country's population. Countries not listed weigh 1.</summary>
    public static IReadOnlyDictionary<string, double> ReadCountryWeights(TextReader reader, string source)
    {
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        var number = 0;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            number++;
            var text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#') || (number == 1 && text.StartsWith("country", StringComparison.OrdinalIgnoreCase))) continue;
            var f = text.Split(',');
            if (f.Length != 2) throw new FormatException($"{source}:{number}: expected 'country,weight', found '{text}'");
            var country = f[0].Trim().ToUpperInvariant();
            if (!Countries.IsKnown(country)) throw new FormatException($"{source}:{number}: '{f[0].Trim()}' is not an ISO 3166-1 alpha-2 country code");
            if (!double.TryParse(f[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var w) || !double.IsFinite(w) || w < 0)
                throw new FormatException($"{source}:{number}: the weight of {country} must be a number of at least 0, not '{f[1].Trim()}'");
            if (!weights.TryAdd(country, w)) throw new FormatException($"{source}:{number}: {country} is listed twice");
        }
        return weights;
    }
}
