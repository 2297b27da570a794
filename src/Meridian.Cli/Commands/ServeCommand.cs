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
        var key = TokenCommand.KeyFile();
        var adminFile = new Option<string?>("--admin-token-file")
        {
            Description = "Where the first admin token is written when no admin token exists (default: beside the database, meridian.admin-token)",
        };
        var proxies = new Option<string[]>("--trusted-proxy")
        {
            Description = "Address or CIDR range of a reverse proxy whose X-Forwarded-For and X-Client-Country headers are believed (repeat for several)",
            AllowMultipleArgumentsPerToken = true,
        };
        var allowed = new Option<string[]>("--allow-endpoint-host")
        {
            Description = "Host (name or address, optionally :port) a service endpoint may name although it is loopback, link-local or this server (repeat for several)",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("serve", "Run the HTTP server: the REST API under /api/v1, the API reference at /swagger and the console at /")
        {
            db, urls, key, adminFile, proxies, allowed,
        };
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var options = new ServerOptions
            {
                DatabasePath = parse.GetValue(db)!, Urls = parse.GetValue(urls)!,
                Security = new Meridian.Server.Security.SecurityOptions
                {
                    TokenKeyFile = parse.GetValue(key), AdminTokenFile = parse.GetValue(adminFile),
                    TrustedProxies = [.. parse.GetValue(proxies) ?? []], AllowedEndpointHosts = [.. parse.GetValue(allowed) ?? []],
                },
            };
            var created = !Meridian.Storage.Data.Database.IsPostgres(options.DatabasePath) && !File.Exists(options.DatabasePath);
            var app = await MeridianServer.BuildAsync(options);
            CommonOptions.SayDatabase(app.Services.GetRequiredService<Meridian.Storage.WorldStore>().Database, created);
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
