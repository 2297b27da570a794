using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Meridian.Core.Serialization;

namespace Meridian.Cli.Commands;

/// <summary>meridian watch: the change log as it grows, through the API's watch stream.</summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var api = ApiOptions.Make();
        var kind = new Option<string?>("--kind") { Description = "Only changes of this kind: regions, zones, facilities, hosts, services, boundaries, workloads, tenants, health (tokens and auth for admins)" };
        var id = new Option<string?>("--id") { Description = "Only changes of the resource with this id" };
        var since = new Option<long?>("--since") { Description = "Start after this sequence number (as 'meridian watch' or GET /api/v1/changes showed it) instead of now" };
        // The tokens, not the value: a value that does not parse is the parser's own error, and reading it would throw.
        since.Validators.Add(r =>
        {
            if (r.Tokens is [var t] && long.TryParse(t.Value, out var v) && v < 0) r.AddError("--since is a sequence number, 0 or more");
        });
        var count = new Option<int?>("--count") { Description = "Exit after this many changes (default: follow until interrupted)" };
        count.Validators.Add(r =>
        {
            if (r.Tokens is [var t] && int.TryParse(t.Value, out var v) && v < 1) r.AddError("--count must be 1 or more");
        });
        var json = new Option<bool>("--json") { Description = "Write each change as one line of JSON (NDJSON) for scripts" };
        var command = new Command("watch", "Print changes to the world, workloads, tenants and health as they happen, in order; a dropped connection is resumed where it stopped") { kind, id, since, count, json };
        api.AddTo(command);
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            using var client = api.Connect(parse);
            var left = parse.GetValue(count) ?? int.MaxValue;
            var asJson = parse.GetValue(json);
            await foreach (var e in client.WatchChangesAsync(parse.GetValue(kind), parse.GetValue(since), parse.GetValue(id), ct))
            {
                if (e.Change is not { } c) continue;
                Console.Out.WriteLine(asJson
                    ? JsonSerializer.Serialize(c, MeridianJson.Options)
                    : string.Create(CultureInfo.InvariantCulture, $"{c.Seq,8}  {c.At:yyyy-MM-dd HH:mm:ss}  {c.Action,-8} {c.Kind}/{c.Id}  by {c.Actor}"));
                Console.Out.Flush();
                if (--left == 0) break;
            }
            return 0;
        }));
        return command;
    }
}
