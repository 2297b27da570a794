using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Core.Serialization;
using Meridian.Placement.Replay;
using Meridian.Placement.Replay.Fgd;
using Meridian.Placement.Scoring;
using Spectre.Console;

namespace Meridian.Cli.Commands;

internal static class ReplayCommand
{
    public static Command Create()
    {
        var nodes = new Option<FileInfo>("--nodes") { Description = "Node list CSV (sn,cpu_milli,memory_mib,gpu,model), such as openb_node_list_all_node.csv", Required = true };
        var pods = new Option<FileInfo>("--pods") { Description = "Pod list CSV (name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,...), such as openb_pod_list_default.csv", Required = true };
        var policy = new Option<string>("--policy") { Description = "Meridian's policy: fragmentation, best-fit or worst-fit", DefaultValueFactory = _ => "fragmentation" };
        policy.AcceptOnlyFromAmong("fragmentation", "best-fit", "worst-fit");
        var seed = new Option<int>("--seed") { Description = "Seed of the task draw and of random-fit (inflation protocol)", DefaultValueFactory = _ => 42 };
        var protocol = new Option<string>("--protocol")
        {
            Description = "inflation: Meridian's own (draw tasks until they ask for the cluster's GPUs; compare with best-fit and random-fit). " +
                          "fgd: the paper's (Weng et al., USENIX ATC 2023): tune the list to 130% of the GPUs per seed, shuffle, submit each task once; " +
                          "allocation at every whole percent of arrived demand, every policy, per seed and the mean",
            DefaultValueFactory = _ => "inflation",
        };
        protocol.AcceptOnlyFromAmong("inflation", "fgd");
        var seeds = new Option<string?>("--seeds") { Description = "Seeds of the fgd protocol, such as 42-51 (the paper's, the default) or 42,43" };
        var policies = new Option<string?>("--policies")
        {
            Description = $"Policies of the fgd protocol, comma-separated (default: all): {string.Join(", ", FgdSuite.PolicyNames)}",
        };
        var published = new Option<FileInfo?>("--published")
        {
            Description = "The paper's published means (published_allocation_ratios.csv) to show beside ours; default: that file beside --pods, if there",
        };
        var chart = new Option<FileInfo?>("--chart") { Description = "fgd protocol: also write an SVG chart of allocation against arrived demand, every policy, to this file" };
        var json = CommonOptions.Json();
        var openb = new Command("openb", "Replay Alibaba's GPU cluster trace (cluster-trace-gpu-v2023): by Meridian's workload inflation (submit tasks drawn from the " +
                                         "pod list until they ask for the cluster's GPU capacity; Meridian's policy, best-fit and random-fit), or with --protocol fgd " +
                                         "by the FGD paper's own protocol, every policy (its cluster is the GPU nodes: --nodes openb_node_list_gpu_node.csv)")
        {
            nodes, pods, protocol, policy, seed, seeds, policies, published, chart, json,
        };
        openb.SetAction((parse, ct) => CommonOptions.RunAsync(() =>
        {
            var nodeFile = parse.GetValue(nodes)!;
            var podFile = parse.GetValue(pods)!;
            foreach (var f in new[] { nodeFile, podFile })
            {
                if (!f.Exists)
                {
                    CommonOptions.Error($"no file '{f.FullName}'", []);
                    return Task.FromResult(1);
                }
            }
            using var nr = nodeFile.OpenText();
            using var pr = podFile.OpenText();
            var nodeList = OpenbTrace.ReadNodes(nr, nodeFile.Name);
            var podList = OpenbTrace.ReadPods(pr, podFile.Name);
            if (parse.GetValue(protocol) == "fgd")
                return Task.FromResult(RunFgd(parse, nodeList, podList, podFile, seeds, policies, published, chart, json));
            var s = parse.GetValue(seed);
            IReadOnlyList<OpenbTask> draw;
            try
            {
                draw = InflationReplay.Draw(nodeList, podList, s);
            }
            catch (ArgumentException e)
            {
                CommonOptions.Error(e.Message.Split(" (Parameter")[0], []);
                return Task.FromResult(1);
            }
            IHostScorer meridian = parse.GetValue(policy) switch
            {
                "best-fit" => BestFitScorer.Instance,
                "worst-fit" => WorstFitScorer.Instance,
                _ => new FragmentationScorer(podList.Select(p => (p.Resources, p.GpuModels)), Placement.Capacity.Fleet.GpusByModel(nodeList)),
            };
            var runs = new (string Key, IHostScorer Scorer)[] { ("meridian", meridian), ("best-fit", BestFitScorer.Instance), ("random-fit", new RandomFitScorer(s)) };
            var reports = new Dictionary<string, ReplayReport>();
            if (parse.GetValue(json) || Console.IsOutputRedirected)
            {
                foreach (var (key, scorer) in runs) reports[key] = InflationReplay.Run(nodeList, draw, scorer);
            }
            else
            {
                AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(ctx =>
                    {
                        foreach (var (key, scorer) in runs)
                        {
                            var task = ctx.AddTask($"{key} ({scorer.Name})", maxValue: draw.Count);
                            reports[key] = InflationReplay.Run(nodeList, draw, scorer, new Progress<int>(i => task.Value = i));
                            task.Value = draw.Count;
                        }
                    });
            }
            if (parse.GetValue(json))
            {
                var policies = new JsonObject();
                foreach (var (key, r) in reports) policies[key] = JsonSerializer.SerializeToNode(r, MeridianJson.Options);
                Console.Out.WriteLine(new JsonObject
                {
                    ["nodes"] = nodeList.Count, ["gpus"] = nodeList.Sum(n => n.Gpus), ["tasksDrawn"] = draw.Count, ["seed"] = s, ["policies"] = policies,
                }.ToJsonString(MeridianJson.Indented));
                return Task.FromResult(0);
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Policy", "Placed", "Failed", "GPUs unallocated", "Share", "Over-commits", "Seconds");
            foreach (var (key, r) in reports)
            {
                table.AddRow($"{key} ({r.Policy})", $"{r.TasksPlaced}", $"{r.TasksFailed}", $"{r.GpuCapacity - r.GpusAllocated:0.#}",
                    r.UnallocatedGpuShare.ToString("P2", CultureInfo.InvariantCulture), $"{r.Overcommits}", $"{r.Seconds:0.0}");
            }
            var console = CommonOptions.Console();
            console.Write(table);
            var best = reports["best-fit"].UnallocatedGpuShare;
            if (best > 0)
                console.MarkupLineInterpolated($"meridian leaves {1 - reports["meridian"].UnallocatedGpuShare / best:P1} fewer GPUs unallocated than best-fit ({nodeList.Count} nodes, {draw.Count} tasks, seed {s}).");
            return Task.FromResult(0);
        }));
        return new Command("replay", "Replay real cluster traces through the placement engine") { openb };
    }

    private static int RunFgd(ParseResult parse, IReadOnlyList<Placement.Capacity.HostSpec> nodeList, IReadOnlyList<OpenbTask> podList, FileInfo podFile,
        Option<string?> seeds, Option<string?> policies, Option<FileInfo?> published, Option<FileInfo?> chart, Option<bool> json)
    {
        var seedList = ReplayFgdCommand.ParseSeeds(parse.GetValue(seeds));
        if (seedList is null)
        {
            CommonOptions.Error($"--seeds: '{parse.GetValue(seeds)}' is not a list of seeds such as 42-51 or 42,43 (at most 1000)", []);
            return 1;
        }
        var names = (parse.GetValue(policies) ?? string.Join(',', Placement.Replay.Fgd.FgdSuite.PolicyNames))
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToArray();
        if (names.Length == 0 || names.FirstOrDefault(n => !Placement.Replay.Fgd.FgdSuite.PolicyNames.Contains(n)) is { } unknown)
        {
            CommonOptions.Error($"--policies: '{(names.Length == 0 ? "" : names.First(n => !Placement.Replay.Fgd.FgdSuite.PolicyNames.Contains(n)))}' is not a policy; use {string.Join(", ", Placement.Replay.Fgd.FgdSuite.PolicyNames)}", []);
            return 1;
        }
        if (nodeList.Sum(n => n.Gpus) == 0 || podList.Count == 0 || !podList.Any(p => p.Resources.Gpus > 0))
        {
            CommonOptions.Error(nodeList.Sum(n => n.Gpus) == 0 ? "the nodes have no GPUs" : "no pod asks for a GPU", []);
            return 1;
        }
        var file = parse.GetValue(published) ?? new FileInfo(Path.Combine(podFile.DirectoryName ?? ".", "published_allocation_ratios.csv"));
        IReadOnlyList<Placement.Replay.Fgd.PublishedRatio> paper = [];
        if (file.Exists)
        {
            using var reader = file.OpenText();
            paper = Placement.Replay.Fgd.PublishedRatio.Read(reader, file.Name);
        }
        else if (parse.GetValue(published) is not null)
        {
            CommonOptions.Error($"no file '{file.FullName}'", []);
            return 1;
        }
        var chartFile = parse.GetValue(chart);
        if (chartFile is not null && chartFile.Directory is { Exists: false } dir)
        {
            CommonOptions.Error($"--chart: no directory '{dir.FullName}'", []);
            return 1;
        }
        return ReplayFgdCommand.Run(nodeList, podList, Path.GetFileNameWithoutExtension(podFile.Name), seedList, names, paper, parse.GetValue(json), chartFile);
    }
}
