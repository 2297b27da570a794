using System.CommandLine;

namespace Meridian.Cli.Commands;

/// <summary>meridian init: creates a database explicitly (the other commands refuse a missing one).</summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Database();
        db.Description = "SQLite database file to create; its directory must exist";
        var empty = new Option<bool>("--empty") { Description = "Create an empty world instead of the demo world" };
        var command = new Command("init", "Create a database with the demo world (or an empty one); an existing database is left as it is") { db, empty };
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            using var store = await CommonOptions.OpenOrCreateAsync(parse.GetValue(db)!, parse.GetValue(empty), ct);
            return 0;
        }));
        return command;
    }
}
