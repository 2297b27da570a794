using Meridian.Core.Geo;
using Meridian.Core.Latency;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Planning.Demand;
using Meridian.Planning.Expansion;
using Meridian.Planning.Instances;
using Meridian.Storage.Worlds;

namespace Meridian.Planning.Tests;

public class FootprintPlanTests
{
    private static readonly World Demo = DemoWorld.Load();
    private static readonly DateOnly Day = new(2025, 9, 30);
    private static readonly LatencyModel Latency = new();

    [Fact]
    public void The_shipped_cities_hold_the_worlds_large_cities_with_real_coordinates()
    {
        var cities = Cities.All;
        Assert.InRange(cities.Count, 5000, 7000);
        var tokyo = cities.First(c => c.Name == "Tokyo");
        Assert.Equal("JP", tokyo.Country);
        Assert.True(GeoMath.DistanceKm(tokyo.Location, new GeoPoint(35.68, 139.69)) < 20);
        Assert.All(cities, c => Assert.True(c.Population >= 100_000));
    }

    [Fact]
    public void Demand_points_keep_every_person_and_never_mix_countries()
    {
        var cities = Cities.All.Where(c => c.Country is "DE" or "FR" or "CH").ToList();
        var points = DemandModel.Build(cities, cellDegrees: 2);
        Assert.Equal(cities.Sum(c => c.Population), points.Sum(p => p.Population));
        Assert.True(points.Count < cities.Count);
        var swiss = points.Where(p => p.Country == "CH").Sum(p => p.Population);
        Assert.Equal(cities.Where(c => c.Country == "CH").Sum(c => c.Population), swiss);
    }

    [Fact]
    public void Country_weights_multiply_the_demand_and_bad_lines_are_named()
    {
        var weights = DemandModel.ReadCountryWeights(new StringReader("country,weight\nDE,2.5\n# note\nfr,0\n"), "w.csv");
        Assert.Equal(2.5, weights["DE"]);
        Assert.Equal(0, weights["FR"]);
        var points = DemandModel.Build(Cities.All.Where(c => c.Country is "DE" or "FR"), 1, weights);
        Assert.All(points.Where(p => p.Country == "DE"), p => Assert.Equal(p.Population * 2.5, p.Weight));
        Assert.All(points.Where(p => p.Country == "FR"), p => Assert.Equal(0, p.Weight));

        Assert.Contains("w.csv:2: 'ZZ' is not", Assert.Throws<FormatException>(() => DemandModel.ReadCountryWeights(new StringReader("country,weight\nZZ,1\n"), "w.csv")).Message);
        Assert.Contains("w.csv:1: the weight of DE must be", Assert.Throws<FormatException>(() => DemandModel.ReadCountryWeights(new StringReader("DE,-1\n"), "w.csv")).Message);
        Assert.Contains("listed twice", Assert.Throws<FormatException>(() => DemandModel.ReadCountryWeights(new StringReader("DE,1\nDE,2\n"), "w.csv")).Message);
    }

    [Fact]
    public void Three_new_sites_at_50_ms_bring_the_most_people_within_the_target()
    {
        var plan = ExpansionPlanner.Plan(Demo, new ExpansionRequest(3) { Date = Day, SloMs = 50 }, Latency);

        Assert.Equal(3, plan.Sites.Count);
        Assert.True(plan.Optimal);
        Assert.True(plan.After.ShareWithinTarget > plan.Before.ShareWithinTarget + 0.05, $"{plan.Before.ShareWithinTarget} -> {plan.After.ShareWithinTarget}");
        Assert.True(plan.After.MeanRttMs < plan.Before.MeanRttMs);
        // The gain the table reports is the gain the summary reports.
        Assert.Equal(plan.After.PopulationWithinTarget - plan.Before.PopulationWithinTarget, plan.Sites.Sum(s => s.NewlyWithinTarget));
        // Every new site is away from the open regions, and South America, uncovered in the demo world, gets one.
        Assert.All(plan.Sites, s => Assert.True(s.NearestRegionKm >= ExpansionPlanner.CandidateSpacingKm));
        Assert.Contains(plan.Sites, s => s.Country == "BR");
    }

    [Fact]
    public void No_other_choice_of_three_covers_more_than_the_plan()
    {
        // Small enough to try every choice: the EU and its big cities only.
        var request = new ExpansionRequest(2) { Date = Day, SloMs = 20, Boundary = "EU", CandidateMinPopulation = 1_500_000 };
        var plan = ExpansionPlanner.Plan(Demo, request, Latency);
        var cities = ExpansionPlanner.Prepare(Demo, request).Candidates;
        Assert.InRange(cities, 3, 30);

        var eu = Demo.Boundaries.Find("EU")!.Countries.ToHashSet();
        var candidates = Cities.All.Where(c => c.Population >= 1_500_000 && eu.Contains(c.Country)).ToList();
        long best = 0;
        for (var a = 0; a < candidates.Count; a++)
        for (var b = a + 1; b < candidates.Count; b++)
        {
            var given = new ExpansionRequest(2) { Date = Day, SloMs = 20, Boundary = "EU", Candidates = [Site(candidates[a]), Site(candidates[b])] };
            try
            {
                best = Math.Max(best, ExpansionPlanner.Plan(Demo, given, Latency).After.PopulationWithinTarget);
            }
            catch (PlanningInputException)
            {
                // One of the pair lies next to an open region: not a candidate.
            }
        }
        Assert.Equal(best, plan.After.PopulationWithinTarget);

        static CandidateSite Site(City c) => new(c.Name, c.Country, c.Location);
    }

    [Fact]
    public void A_boundary_keeps_new_sites_and_demand_inside_it()
    {
        var plan = ExpansionPlanner.Plan(Demo, new ExpansionRequest(2) { Date = Day, Boundary = "EU", MaximiseCoverage = false }, Latency);
        var eu = Demo.Boundaries.Find("EU")!;
        Assert.All(plan.Sites, s => Assert.True(eu.Contains(s.Country), s.Country));
        Assert.Equal("p-median", plan.Model);
        Assert.True(plan.After.MeanRttMs < plan.Before.MeanRttMs);
    }

    [Fact]
    public void Ownership_goes_by_cost_unless_one_is_asked_for()
    {
        var either = ExpansionPlanner.Plan(Demo, new ExpansionRequest(3) { Date = Day }, Latency);
        var costs = PlanningCosts.Default;
        foreach (var s in either.Sites)
        {
            var owned = Math.Max(1, Math.Ceiling(s.ServedPopulation / costs.Owned.CapacityPeople)) * costs.Owned.FixedCost + costs.Owned.UnitCostPerMillion * s.ServedPopulation / 1e6;
            var colo = Math.Max(1, Math.Ceiling(s.ServedPopulation / costs.Colocation.CapacityPeople)) * costs.Colocation.FixedCost + costs.Colocation.UnitCostPerMillion * s.ServedPopulation / 1e6;
            Assert.Equal(owned <= colo ? "owned" : "colocation", s.Ownership);
            Assert.Equal(Math.Round(Math.Min(owned, colo), 2), s.Cost);
        }
        // Owning made dear: every site is co-located, by cost, without asking.
        var dear = PlanningCosts.Default with { Owned = PlanningCosts.Default.Owned with { FixedCost = 10_000 } };
        Assert.All(ExpansionPlanner.Plan(Demo, new ExpansionRequest(3) { Date = Day, Costs = dear }, Latency).Sites, s => Assert.Equal("colocation", s.Ownership));
        var colocated = ExpansionPlanner.Plan(Demo, new ExpansionRequest(3) { Date = Day, Ownership = OwnershipChoice.Colocation }, Latency);
        Assert.All(colocated.Sites, s => Assert.Equal("colocation", s.Ownership));
        Assert.True(colocated.Cost >= either.Cost);
    }

    [Fact]
    public void Closing_London_leaves_the_UK_without_a_region_under_strict_residency()
    {
        var london = Demo.Regions.Values.Single(r => r.City == "London" && Core.Lifecycle.LifecycleRules.StatusOn(r.History, Day) == LifecycleStatus.Live);

        var strict = ClosurePlanner.Close(Demo, new ClosureRequest(london.Id) { Date = Day }, Latency);
        var global = ClosurePlanner.Close(Demo, new ClosureRequest(london.Id) { Date = Day, Residency = Residency.Global }, Latency);

        var gb = strict.Countries.Single(c => c.Country == "GB");
        Assert.Equal(gb.Population, gb.LosesService);
        Assert.True(strict.LosesServicePopulation >= gb.Population);
        Assert.Equal(0, global.LosesServicePopulation);
        Assert.True(global.MeanIncreaseMs > 0);
        Assert.Contains(global.Takeovers, t => t.Region == "eu-central-1");
        Assert.True(strict.After.ShareWithinTarget < strict.Before.ShareWithinTarget);
    }

    [Fact]
    public void Closing_a_region_only_ever_makes_latency_worse()
    {
        var report = ClosurePlanner.Close(Demo, new ClosureRequest("eu-central-1") { Date = Day, Residency = Residency.Global }, Latency);
        Assert.True(report.WorsePopulation > 0);
        Assert.True(report.MaxIncreaseMs >= report.MeanIncreaseMs && report.MeanIncreaseMs > 0);
        Assert.True(report.After.MeanRttMs >= report.Before.MeanRttMs);
        Assert.Equal(report.WorsePopulation, report.Countries.Sum(c => c.Population));
    }

    [Theory]
    [InlineData("no-such-region", "no region")]
    [InlineData("", "is required")]
    public void Closing_an_unknown_region_is_refused(string region, string message)
    {
        var e = Assert.Throws<PlanningInputException>(() => ClosurePlanner.Close(Demo, new ClosureRequest(region) { Date = Day }, Latency));
        Assert.Equal("region", e.Field);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_closed_region_cannot_be_closed_again()
    {
        var closed = Demo.Regions.Values.First(r => Core.Lifecycle.LifecycleRules.StatusOn(r.History, Day) == LifecycleStatus.Closed);
        var e = Assert.Throws<PlanningInputException>(() => ClosurePlanner.Close(Demo, new ClosureRequest(closed.Id) { Date = Day }, Latency));
        Assert.Contains("only a Live region", e.Message);
    }

    [Theory]
    [InlineData(0, null, 50.0, "add")]
    [InlineData(10_000, null, 50.0, "add")]
    [InlineData(2, "NOWHERE", 50.0, "boundary")]
    [InlineData(2, null, -5.0, "sloMs")]
    public void Bad_expansion_requests_name_the_field(int add, string? boundary, double slo, string field)
    {
        var e = Assert.Throws<PlanningInputException>(() => ExpansionPlanner.Prepare(Demo, new ExpansionRequest(add) { Date = Day, Boundary = boundary, SloMs = slo }));
        Assert.Equal(field, e.Field);
    }
}
