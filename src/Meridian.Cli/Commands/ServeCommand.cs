using System.CommandLine;
using Meridian.Server;
using Microsoft.Extensions.DependencyInjection;
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
            var created = !File.Exists(options.DatabasePath);
            var app = await MeridianServer.BuildAsync(options);
            CommonOptions.SayDatabase(options.DatabasePath, created);
            try
            {
                await app.StartAsync(ct);
            }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                throw new IOException($"cannot listen on {options.Urls}: the address is already in use (is another server running?)");
            }
            if (app.Services.GetRequiredService<Meridian.Server.Security.StartupNotes>().AdminTokenFile is { } tokenFile)
                Console.Error.WriteLine($"meridian: no admin token existed; one was written to {tokenFile} (readable only by you). " +
                                        "Log in to the console with it, or send it as 'Authorization: Bearer <token>'.");
            Console.Error.WriteLine($"meridian: serving the API and console on {string.Join(", ", app.Urls)}");
            await app.WaitForShutdownAsync(ct);
            return 0;
        }));
        return command;
    }
}
