using System.CommandLine;
using Meridian.Storage.Changes;
using Meridian.Storage.Documents;
using Spectre.Console;

namespace Meridian.Cli.Commands;

/// <summary><c>meridian world import|export</c>: through the API, or with --db straight on a database (offline).</summary>
internal static class WorldCommand
{
    public static Command Create()
    {
        return new Command("world", "Export or import the whole world as one JSON or YAML document") { Import(), Export() };
    }

    private static Command Import()
    {
        var db = CommonOptions.OfflineDatabase("offline import");
        var api = ApiOptions.Make();
        var json = CommonOptions.Json();
        var file = new Argument<FileInfo>("FILE") { Description = "World document (.json, .yaml or .yml), as written by 'meridian world export'" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only check the document and say what would change; write nothing" };
        var actor = new Option<string>("--actor") { Description = "With --db: the name recorded in the change log (through the API it is the token's)", DefaultValueFactory = _ => $"{Environment.UserName} (cli)" };
        var command = new Command("import", "Replace the whole world with a document, all or nothing; every problem is listed with its location") { file, dryRun, json, db, actor };
        api.AddTo(command);
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                CommonOptions.Error($"no file '{path.FullName}'", []);
                return 1;
            }
            var text = await File.ReadAllTextAsync(path.FullName, ct);
            var format = WorldDocument.FormatOf(path.Name);
            var isDry = parse.GetValue(dryRun);
            int created, updated, deleted;
            if (parse.GetValue(db) is { } database)
            {
                var (world, errors) = WorldDocument.Read(text, format);
                if (world is null)
                {
                    CommonOptions.Error($"{path.Name} has {errors.Count} problem(s); nothing was imported", errors);
                    return 1;
                }
                using var store = await CommonOptions.OpenAsync(database, ct);
                IReadOnlyList<(bool Before, bool After)> changes = isDry
                    ? WorldDiff.Between(store.Current.World, world, "import").Select(c => (c.Before is not null, c.After is not null)).ToArray()
                    : (await store.WriteAsync(parse.GetValue(actor)!, current => WorldDiff.Between(current, world, "import"), ct))
                        .Changes.Select(c => (c.Before is not null, c.After is not null)).ToArray();
                (created, updated, deleted) = (changes.Count(c => !c.Before), changes.Count(c => c.Before && c.After), changes.Count(c => !c.After));
            }
            else
            {
                // The server checks the document and lists every problem with its location (422).
                using var client = api.Connect(parse);
                var result = await client.ImportWorldAsync(text, format == DocumentFormat.Yaml ? "yaml" : "json", isDry, ct);
                (created, updated, deleted) = (result.Created, result.Updated, result.Deleted);
            }
            if (parse.GetValue(json))
                Console.Out.WriteLine($$"""{"dryRun":{{(isDry ? "true" : "false")}},"valid":true,"created":{{created}},"updated":{{updated}},"deleted":{{deleted}}}""");
            else
                AnsiConsole.MarkupLine($"{(isDry ? "[blue]dry run[/]: valid; would create" : "[green]imported[/]: created")} {created}, {(isDry ? "update" : "updated")} {updated}, {(isDry ? "delete" : "deleted")} {deleted} resources.");
            return 0;
        }));
        return command;
    }

    private static Command Export()
    {
        var db = CommonOptions.OfflineDatabase("offline export");
        var api = ApiOptions.Make();
        var format = new Option<string>("--format") { Description = "json or yaml", DefaultValueFactory = _ => "json" };
        format.AcceptOnlyFromAmong("json", "yaml");
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write to this file instead of standard output" };
        var command = new Command("export", "Write the whole world as one document") { format, output, db };
        api.AddTo(command);
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            string text;
            if (parse.GetValue(db) is { } database)
            {
                using var store = await CommonOptions.OpenAsync(database, ct);
                text = WorldDocument.Write(store.Current.World, parse.GetValue(format) == "yaml" ? DocumentFormat.Yaml : DocumentFormat.Json);
            }
            else
            {
                using var client = api.Connect(parse);
                text = await client.ExportWorldAsync(parse.GetValue(format)!, ct);
            }
            if (parse.GetValue(output) is { } file) await File.WriteAllTextAsync(file.FullName, text, ct);
            else await Console.Out.WriteAsync(text);
            return 0;
        }));
        return command;
    }
}
