using System.CommandLine;
using Meridian.Server;
using Microsoft.Extensions.Hosting;

namespace Meridian.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Database();
        var urls = new Option<string>("--urls")
        {
            Description = "Addresses to listen on, separated by ';'",
            DefaultValueFactory = _ => "http://127.0.0.1:5080",
        };
        var command = new Command("serve", "Run the HTTP server: the REST API under /api/v1, the API reference at /swagger and the footprint page at /") { db, urls };
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var options = new ServerOptions { DatabasePath = parse.GetValue(db)!, Urls = parse.GetValue(urls)! };
            var app = await MeridianServer.BuildAsync(options);
            await app.StartAsync(ct);
            await app.WaitForShutdownAsync(ct);
            return 0;
        }));
        return command;
    }
}
