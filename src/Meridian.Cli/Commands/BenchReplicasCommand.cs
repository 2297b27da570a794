using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Meridian.Cli.Bench;
using Meridian.Core.Serialization;
using Spectre.Console;

namespace Meridian.Cli.Commands;

/// <summary><c>meridian bench replicas</c>: placements through the HTTP API of 1..N replicas on one database, with group
/// commit and, as the same run's baseline, without it.</summary>
internal static class BenchReplicasCommand
{
    public static Command Create()
    {
        var db = new Option<string?>("--db")
        {
            Description = "A PostgreSQL server to use, as postgres://user@host:port/postgres (a fresh database is made on it for each run and dropped after); default: a SQLite file",
        };
        db.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } v && !Meridian.Storage.Data.Database.IsPostgres(v)) r.AddError("--db names a PostgreSQL server (postgres://...); leave it out for SQLite");
        });
        var servers = new Option<string>("--servers") { Description = "Replica counts to run, comma-separated (SQLite: 1)", DefaultValueFactory = _ => "1" };
        var clients = new Option<int>("--clients") { Description = "Concurrent HTTP clients, spread evenly over the replicas", DefaultValueFactory = _ => 32 };
        var requests = new Option<int>("--requests") { Description = "Workloads placed per run (3 replicas each)", DefaultValueFactory = _ => 4_000 };
        var batch = new Option<int>("--batch") { Description = "Group commit: placements per transaction at most", DefaultValueFactory = _ => 64 };
        var samples = new Option<int>("--catch-up-samples") { Description = "With 2 or more replicas: writes timed until the second replica shows them", DefaultValueFactory = _ => 200 };
        var noBaseline = new Option<bool>("--no-baseline") { Description = "Skip the same-run baseline (the first replica count without group commit)" };
        var json = CommonOptions.Json();
        var command = new Command("replicas", "Replicas placed per second through the HTTP API of 1..N servers on one database, conflicts per 1,000 placements, " +
                                              "and how soon a write on one replica shows on another; the baseline is the same run without group commit")
        {
            db, servers, clients, requests, batch, samples, noBaseline, json,
        };
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var counts = new List<int>();
            foreach (var part in parse.GetValue(servers)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 16)
                    throw new FormatException($"--servers: '{part}' is not a replica count from 1 to 16");
                counts.Add(n);
            }
            var (c, r, b, s) = (parse.GetValue(clients), parse.GetValue(requests), parse.GetValue(batch), parse.GetValue(samples));
            if (counts.Count == 0 || c is < 1 or > 1024 || r is < 1 or > 1_000_000 || b is < 1 or > 1024 || s is < 0 or > 100_000)
                throw new FormatException("need --servers with at least one count, --clients 1-1024, --requests 1-1000000, --batch 1-1024, --catch-up-samples 0-100000");
            var pg = parse.GetValue(db);
            if (pg is null && counts.Any(n => n > 1)) throw new FormatException("--servers above 1 needs --db postgres://...: SQLite is one server's store");

            var runs = new List<ReplicaBenchResult>();
            if (!parse.GetValue(noBaseline)) runs.Add(await ReplicaBench.RunAsync(pg, counts[0], c, r, 1, 0, ct));
            foreach (var n in counts) runs.Add(await ReplicaBench.RunAsync(pg, n, c, r, b, s, ct));

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(runs.Select(x => new { run = x, conflictsPer1000 = x.ConflictsPer1000 }), MeridianJson.Indented));
                return 0;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Store", "Replicas", "Clients", "Batch", "Replicas/s", "p50 ms", "p99 ms",
                "Placed", "Failed", "Conflicts /1000", "409s", "Tx", "Catch-up p50/p99 ms", "Over-commits");
            foreach (var x in runs)
                table.AddRow(x.Store, $"{x.Servers}", $"{x.Clients}", $"{x.Batch}", $"{x.ReplicasPerSecond:N0}", $"{x.P50Ms}", $"{x.P99Ms}", $"{x.Placed}", $"{x.Failed}",
                    $"{x.ConflictsPer1000}", $"{x.GaveUp}", $"{x.Transactions}", x.CatchUpP50Ms is { } p ? $"{p} / {x.CatchUpP99Ms}" : "-", $"{x.Overcommits}");
            CommonOptions.Console().Write(table);
            return 0;
        }));
        return command;
    }
}
