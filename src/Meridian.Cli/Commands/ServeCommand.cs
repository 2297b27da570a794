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
        var config = ConfigFile();
        var command = new Command("serve", "Run the HTTP server: the REST API under /api/v1, the API reference at /swagger and the console at /. " +
                                           "Every option can also be set in appsettings.json, --config FILE or MERIDIAN__... variables (docs/configuration.md)")
        {
            db, urls, key, adminFile, proxies, allowed, config,
        };
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var configuration = Configuration(parse, config, db, urls, key, adminFile, proxies, allowed);
            var options = ServerConfiguration.Bind(configuration);
            var created = !Meridian.Storage.Data.Database.IsPostgres(options.DatabasePath) && !File.Exists(options.DatabasePath);
            var app = await MeridianServer.BuildAsync(options, configuration: configuration);
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

    public static Option<string?> ConfigFile() => new("--config")
    {
        Description = "A JSON configuration file (as appsettings.json: a \"Meridian\" section, and \"Logging\"); flags and MERIDIAN__... variables override it",
    };

    /// <summary>The server's configuration: files and environment, then the flags given on the command line (and
    /// $MERIDIAN_DB), which win.</summary>
    public static Microsoft.Extensions.Configuration.IConfigurationRoot Configuration(System.CommandLine.ParseResult parse, Option<string?> config, Option<string> db,
        Option<string>? urls = null, Option<string?>? key = null, Option<string?>? adminFile = null, Option<string[]>? proxies = null, Option<string[]>? allowed = null)
    {
        var flags = new List<KeyValuePair<string, string?>>();
        void Given<T>(Option<T>? option, string name, Func<T, string?> text)
        {
            if (option is not null && parse.GetResult(option) is { Implicit: false }) flags.Add(new($"Meridian:{name}", text(parse.GetValue(option)!)));
        }
        Given(db, "DatabasePath", v => v);
        if (parse.GetResult(db) is null or { Implicit: true } && Environment.GetEnvironmentVariable("MERIDIAN_DB") is { Length: > 0 } env) flags.Add(new("Meridian:DatabasePath", env));
        Given(urls, "Urls", v => v);
        Given(key, "Security:TokenKeyFile", v => v);
        Given(adminFile, "Security:AdminTokenFile", v => v);
        if (proxies is not null)
            flags.AddRange((parse.GetValue(proxies) ?? []).Select((p, i) => new KeyValuePair<string, string?>($"Meridian:Security:TrustedProxies:{i}", p)));
        if (allowed is not null)
            flags.AddRange((parse.GetValue(allowed) ?? []).Select((p, i) => new KeyValuePair<string, string?>($"Meridian:Security:AllowedEndpointHosts:{i}", p)));
        return ServerConfiguration.Build(parse.GetValue(config), flags);
    }
}
