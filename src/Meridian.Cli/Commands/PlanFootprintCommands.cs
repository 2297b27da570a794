using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Meridian.Core.Latency;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Serialization;
using Meridian.Planning.Demand;
using Meridian.Planning.Expansion;
using Meridian.Planning.Instances;
using Spectre.Console;

namespace Meridian.Cli.Commands;

/// <summary><c>meridian plan expansion</c> and <c>meridian plan close</c> on the footprint in the database.</summary>
internal static partial class PlanCommand
{
    private sealed record Shared(ApiOptions Api, Option<string?> Date, Option<double> Slo, Option<string?> Boundary, Option<string> Residency,
        Option<FileInfo?> Weights, Option<double> Cell, Option<bool> Json);

    /// <summary>The planners' defaults, shown in the help and used when an option is left out.</summary>
    private static readonly ExpansionRequest Defaults = new(1);

    private static Shared SharedOptions() => new(
        ApiOptions.Make(),
        new Option<string?>("--date") { Description = "Plan on the footprint of this date (yyyy-mm-dd); regions Live then are open. Default: today" },
        new Option<double>("--slo-ms") { Description = "Latency target: the RTT within which demand counts as served well", DefaultValueFactory = _ => Defaults.SloMs },
        new Option<string?>("--boundary") { Description = "Only demand (and new sites) in this data boundary, such as EU" },
        new Option<string>("--residency") { Description = "strict: demand in a data boundary is served only from inside it; global: from anywhere", DefaultValueFactory = _ => "strict" },
        new Option<FileInfo?>("--weights") { Description = "CSV of country,weight multiplying a country's population (trade ties, customers); others weigh 1" },
        new Option<double>("--cell-degrees") { Description = "Cities of a country in one grid cell of this size form one demand point", DefaultValueFactory = _ => Defaults.CellDegrees },
        CommonOptions.Json());

    private static void Add(Command command, Shared s)
    {
        foreach (var o in new Option[] { s.Date, s.Slo, s.Boundary, s.Residency, s.Weights, s.Cell, s.Json }) command.Options.Add(o);
        s.Api.AddTo(command);
        s.Residency.AcceptOnlyFromAmong("strict", "global");
    }

    private static T Fill<T>(T request, ParseResult parse, Shared s) where T : PlanRequest
    {
        var dateText = parse.GetValue(s.Date);
        var date = DateOnly.FromDateTime(DateTime.UtcNow);
        if (dateText is not null && !DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
            throw new PlanningInputException("--date", $"'{dateText}' is not a date (yyyy-mm-dd)");
        IReadOnlyDictionary<string, double>? weights = null;
        if (parse.GetValue(s.Weights) is { } file)
        {
            if (!file.Exists) throw new PlanningInputException("--weights", $"no file '{file.FullName}'");
            using var reader = file.OpenText();
            weights = DemandModel.ReadCountryWeights(reader, file.Name);
        }
        return request with
        {
            Date = date, SloMs = parse.GetValue(s.Slo), Boundary = parse.GetValue(s.Boundary),
            Residency = parse.GetValue(s.Residency) == "global" ? Residency.Global : Residency.Strict,
            CountryWeights = weights, CellDegrees = parse.GetValue(s.Cell),
        };
    }

    private static Command Expansion()
    {
        var add = new Option<int>("--add") { Description = "How many new sites to open", Required = true };
        var objective = new Option<string>("--objective") { Description = "coverage: the most people newly within --slo-ms; latency: the least population-weighted RTT (p-median)", DefaultValueFactory = _ => "coverage" };
        objective.AcceptOnlyFromAmong("coverage", "latency");
        var ownership = new Option<string>("--ownership") { Description = "owned, colocation, or either (the cheaper for the demand each site serves)", DefaultValueFactory = _ => "either" };
        ownership.AcceptOnlyFromAmong("owned", "colocation", "either");
        var minPopulation = new Option<long>("--candidate-min-population") { Description = "Candidate sites: cities of at least this many people", DefaultValueFactory = _ => Defaults.CandidateMinPopulation };
        var timeLimit = new Option<double>("--time-limit") { Description = "Seconds for the solver; the best plan and its bound so far are reported", DefaultValueFactory = _ => Defaults.TimeLimit.TotalSeconds };
        var costs = new Option<FileInfo?>("--costs") { Description = "JSON file of {owned: {fixedCost, capacityPeople, unitCostPerMillion}, colocation: {...}}; default: docs/planning.md's table" };
        var greedy = new Option<bool>("--greedy") { Description = "Pick sites one at a time by the largest gain instead of solving exactly (fast, no bound)" };
        var shared = SharedOptions();
        var command = new Command("expansion", "Where to open the next sites: the cities that bring the most people within the latency target (or cut the most latency), " +
                                                "respecting data boundaries, each owned or co-located by cost")
        {
            add, objective, ownership, minPopulation, timeLimit, greedy, costs,
        };
        Add(command, shared);
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var request = Fill(new ExpansionRequest(parse.GetValue(add))
            {
                MaximiseCoverage = parse.GetValue(objective) == "coverage",
                Ownership = Enum.Parse<OwnershipChoice>(parse.GetValue(ownership)!, ignoreCase: true),
                CandidateMinPopulation = parse.GetValue(minPopulation),
                TimeLimit = TimeLimits.FromSeconds(parse.GetValue(timeLimit), "--time-limit"),
                Greedy = parse.GetValue(greedy),
                Costs = CostsFrom(parse.GetValue(costs)),
            }, parse, shared);
            var world = await WorldAsync(shared.Api, parse, ct);
            var plan = WithProgress(parse.GetValue(shared.Json), "Planning expansion",
                p => ExpansionPlanner.Plan(world, request, new LatencyModel(), progress: p, ct: ct));
            if (parse.GetValue(shared.Json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(plan, MeridianJson.Indented));
                return 0;
            }
            var console = CommonOptions.Console();
            var table = new Table().Border(TableBorder.Rounded).Title($"{plan.Sites.Count} new sites ({plan.Model}, target {plan.SloMs:0.#} ms)")
                .AddColumns("Site", "Ownership", "Cost", "Serves", "Newly within target", "Nearest open region");
            foreach (var s in plan.Sites)
                table.AddRow(Markup.Escape($"{s.Name}, {s.Country}"), s.Facilities > 1 ? $"{s.Ownership} x{s.Facilities}" : s.Ownership, $"{s.Cost:0.#}",
                    Millions(s.ServedPopulation), Millions(s.NewlyWithinTarget), s.NearestRegion is null ? "-" : $"{s.NearestRegion}, {s.NearestRegionKm:N0} km");
            console.Write(table);
            var summary = new Table().Border(TableBorder.Rounded).AddColumns("", "Before", "After");
            summary.AddRow($"People within {plan.SloMs:0.#} ms", $"{plan.Before.ShareWithinTarget:P1}", $"{plan.After.ShareWithinTarget:P1}");
            summary.AddRow("Mean RTT (ms)", $"{plan.Before.MeanRttMs:0.0}", $"{plan.After.MeanRttMs:0.0}");
            summary.AddRow("People no region may serve", Millions(plan.Before.UnservedPopulation), Millions(plan.After.UnservedPopulation));
            console.Write(summary);
            console.MarkupLineInterpolated($"{plan.DemandPoints} demand points ({Millions(plan.Before.Population)} people in cities), {plan.Candidates} candidate cities, {plan.OpenRegions} open regions; total cost {plan.Cost:0.##}.");
            var how = plan.Optimal ? "proven optimal" : request.Greedy ? "greedy, no bound" : $"best plan found, within {plan.Gap:P2} of the bound";
            console.MarkupLineInterpolated($"Solver: {how} in {plan.Seconds:0.0} s.");
            return 0;
        }));
        return command;
    }

    private static Command Close()
    {
        var region = new Argument<string>("region") { Description = "The region to close, such as eu-west-1" };
        var top = new Option<int>("--top") { Description = "Countries listed", DefaultValueFactory = _ => 10 };
        var shared = SharedOptions();
        var command = new Command("close", "What-if: close a region and report the demand whose latency gets worse, by how much, and which regions take it over")
        {
            region, top,
        };
        Add(command, shared);
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var request = Fill(new ClosureRequest(parse.GetValue(region)!), parse, shared);
            var world = await WorldAsync(shared.Api, parse, ct);
            var report = WithProgress(parse.GetValue(shared.Json), $"Closing {request.Region}",
                p => ClosurePlanner.Close(world, request, new LatencyModel(), progress: p, ct: ct));
            if (parse.GetValue(shared.Json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(report, MeridianJson.Indented));
                return 0;
            }
            var console = CommonOptions.Console();
            // The worst outcome leads: people left with no region at all are not "a worse RTT".
            var stillServed = report.WorsePopulation - report.LosesServicePopulation;
            if (report.LosesServicePopulation > 0)
                console.MarkupLineInterpolated($"Closing [bold]{report.Region}[/] on {report.Date:yyyy-MM-dd} leaves [bold red]{Millions(report.LosesServicePopulation)} people with no region[/] their data may go to ({report.Residency} residency).");
            console.MarkupLineInterpolated($"{(report.LosesServicePopulation > 0 ? "Besides them, " : $"Closing [bold]{report.Region}[/] on {report.Date:yyyy-MM-dd}: ")}{Millions(stillServed)} people get a worse RTT, by {report.MeanIncreaseMs:0.0} ms on average (at most {report.MaxIncreaseMs:0.0} ms).");
            console.MarkupLineInterpolated($"{Millions(report.NewlyOutsideTarget)} people fall outside {report.SloMs:0.#} ms.");
            var countries = new Table().Border(TableBorder.Rounded).AddColumns("Country", "People worse off", "RTT before (ms)", "RTT after (ms)", "Left with no region");
            foreach (var c in report.Countries.Take(parse.GetValue(top)))
                countries.AddRow(c.Country, Millions(c.Population), $"{c.MeanBeforeMs:0.0}", c.MeanAfterMs is { } a ? $"{a:0.0}" : "-", Millions(c.LosesService));
            console.Write(countries);
            var takeover = new Table().Border(TableBorder.Rounded).AddColumns("Takes over", "People", "Their RTT (ms)");
            foreach (var t in report.Takeovers) takeover.AddRow(t.Region, Millions(t.Population), $"{t.MeanRttMs:0.0}");
            console.Write(takeover);
            console.MarkupLineInterpolated($"People within {report.SloMs:0.#} ms: {report.Before.ShareWithinTarget:P1} before, {report.After.ShareWithinTarget:P1} after.");
            return 0;
        }));
        return command;
    }

    private static PlanningCosts CostsFrom(FileInfo? file)
    {
        if (file is null) return PlanningCosts.Default;
        if (!file.Exists) throw new PlanningInputException("--costs", $"no file '{file.FullName}'");
        try
        {
            return JsonSerializer.Deserialize<PlanningCosts>(File.ReadAllText(file.FullName), MeridianJson.Options)
                   ?? throw new PlanningInputException("--costs", "is empty");
        }
        catch (JsonException e)
        {
            throw new PlanningInputException("--costs", $"{file.Name}: unexpected value at {e.Path ?? "$"} (line {e.LineNumber + 1}); " +
                "expected {\"owned\": {\"fixedCost\", \"capacityPeople\", \"unitCostPerMillion\"}, \"colocation\": {...}}");
        }
    }

    /// <summary>The footprint, read through the API (GET /api/v1/world); the planning itself runs here, on the
    /// operator's machine, so a long solve takes nothing from the servers.</summary>
    private static async Task<World> WorldAsync(ApiOptions api, ParseResult parse, CancellationToken ct)
    {
        using var client = api.Connect(parse);
        var (world, errors) = Meridian.Storage.Documents.WorldDocument.Read(await client.ExportWorldAsync("json", ct), Meridian.Storage.Documents.DocumentFormat.Json);
        return world ?? throw new FormatException($"the server's world did not read back: {string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}"))}");
    }

    private static string Millions(long people) => people >= 1_000_000 ? $"{people / 1e6:0.0} M" : people.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Runs the work with a progress bar on a terminal, plainly otherwise (scripts, JSON, CI).</summary>
    private static T WithProgress<T>(bool json, string title, Func<IProgress<PlanProgress>, T> work)
    {
        if (json) return work(new Progress<PlanProgress>());
        if (Console.IsOutputRedirected || Console.IsErrorRedirected) return work(new StageLog());
        T value = default!;
        AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: 1);
                value = work(new Progress<PlanProgress>(p =>
                {
                    task.Description = $"{title}: {p.Stage}";
                    task.Value = Math.Max(task.Value, p.Fraction);
                }));
                task.Description = $"{title}: done";
                task.Value = 1;
            });
        return value;
    }

    /// <summary>Without a terminal, the stages go to standard error, one line each, so a log still shows progress.</summary>
    private sealed class StageLog : IProgress<PlanProgress>
    {
        private string? _last;

        public void Report(PlanProgress value)
        {
            if (value.Stage == _last) return;
            _last = value.Stage;
            Console.Error.WriteLine($"{value.Fraction:P0} {value.Stage}");
        }
    }
}
