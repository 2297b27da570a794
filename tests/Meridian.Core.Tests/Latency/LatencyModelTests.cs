using System.Globalization;
using System.Text.Json.Nodes;
using Meridian.Core.Geo;
using Meridian.Core.Latency;
using Meridian.Core.Model;

namespace Meridian.Core.Tests.Latency;

public sealed class LatencyModelTests
{
    private static readonly LatencyModel Model = new();

    private static string DataDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "latency");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("data/latency not found above the test directory");
    }

    [Fact]
    public void OnMeasuredAwsPairsOver500Km_MedianAbsolutePercentageError_IsUnder15Percent()
    {
        var dir = DataDir();
        var coords = File.ReadAllLines(Path.Combine(dir, "aws_region_coords_from_aws-ping.csv")).Skip(1)
            .Select(l => l.Split(','))
            .ToDictionary(f => f[0], f => new GeoPoint(double.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture)));
        var data = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "aws_cloudping_p50_1y.json")))!["data"]!.AsObject();
        var errors = new List<double>();
        foreach (var (from, row) in data)
        {
            foreach (var (to, value) in row!.AsObject())
            {
                if (string.CompareOrdinal(from, to) >= 0 || !coords.TryGetValue(from, out var a) || !coords.TryGetValue(to, out var b) || value is null) continue;
                var measured = value.GetValue<double>();
                if (GeoMath.DistanceKm(a, b) <= 500 || measured <= 0) continue;
                errors.Add(Math.Abs(Model.EstimateMs(a, b) - measured) / measured);
            }
        }
        Assert.True(errors.Count > 400, $"{errors.Count} pairs");
        errors.Sort();
        var median = errors[errors.Count / 2];
        Assert.InRange(median, 0, 0.15);
    }

    [Fact]
    public void NearbyPoints_CostLittle_AndTheEstimateGrowsWithDistance()
    {
        var paris = new GeoPoint(48.8566, 2.3522);
        Assert.Equal(2.0, Model.EstimateMs(paris, paris), 3);
        var previous = 0.0;
        foreach (var km in new[] { 0, 50, 200, 499, 500, 1000, 5000, 15000 })
        {
            var rtt = Model.EstimateMs(km);
            Assert.True(rtt >= previous, $"{km} km: {rtt} < {previous}");
            previous = rtt;
        }
        // Frankfurt to Paris is about 480 km: tens of ms, not hundreds.
        Assert.InRange(Model.EstimateMs(paris, new GeoPoint(50.1155, 8.6842)), 10, 25);
    }

    [Fact]
    public void MeasuredPairs_AreKnownBothWays()
    {
        var model = new LatencyModel(measured: [("eu-central-1", "eu-west-1", 13.0)]);
        Assert.Equal(13.0, model.MeasuredMs("eu-west-1", "eu-central-1"));
        Assert.Null(model.MeasuredMs("eu-west-1", "us-east-1"));
    }
}
