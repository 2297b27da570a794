using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Meridian.Client;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Storage.Security;
using Spectre.Console;

namespace Meridian.Cli.Commands;

/// <summary><c>meridian token create|list|revoke</c>: API tokens through the API (an admin token), or with --db straight
/// on the database (as kubeadm does) for the first token of a new installation or one lost: whoever can write the
/// database is its administrator already.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var command = new Command("token", "Create, list and revoke API tokens (through the API, or with --db on the database with no server)");
        command.Subcommands.Add(CreateToken());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Revoke());
        return command;
    }

    public static Option<string?> KeyFile() => new("--token-key")
    {
        Description = "With --db: the key file of the tokens' keyed hash; the server must use the same one (default: beside the database, meridian.token-key)",
    };

    private static Command CreateToken()
    {
        var db = CommonOptions.OfflineDatabase("the first token, or one lost");
        var api = ApiOptions.Make();
        var key = KeyFile();
        var name = new Option<string>("--name") { Description = "Who or what holds the token, for the change log", Required = true };
        var role = new Option<string>("--role") { Description = "viewer, operator, admin or member", Required = true };
        var tenant = new Option<string?>("--tenant") { Description = "The tenant of a member token" };
        var expires = new Option<string?>("--expires") { Description = "When the token stops working: a duration (90d, 12h) or a date (2027-01-31); default never" };
        var actor = Actor("as the token's creator");
        var command = new Command("create", "Create a token and print it, alone, on standard output; it is shown only this once") { name, role, tenant, expires, db, key, actor };
        api.AddTo(command);
        KeyOnlyWithDatabase(command, key, db);
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var r = Roles.Parse(parse.GetValue(role)) ?? throw RegistryException.Invalid([new("--role", $"'{parse.GetValue(role)}' is not viewer, operator, admin or member")]);
            var expiry = Expiry(parse.GetValue(expires));
            string id, secret;
            DateTimeOffset? expiresAt;
            if (parse.GetValue(db) is { } database)
            {
                var (store, tokens) = await OpenAsync(database, parse.GetValue(key), ct);
                using (store)
                {
                    var (token, s) = await tokens.CreateAsync(new TokenRequest(parse.GetValue(name)!, r, parse.GetValue(tenant), expiry), parse.GetValue(actor)!, ct);
                    (id, secret, expiresAt) = (token.Id, s, token.ExpiresAt);
                }
            }
            else
            {
                using var client = api.Connect(parse);
                var token = await client.CreateTokenAsync(parse.GetValue(name)!, r.Name(), parse.GetValue(tenant), expiry, ct);
                (id, secret, expiresAt) = (token.Id, token.Token!, token.ExpiresAt);
            }
            Console.Error.WriteLine($"meridian: created {r.Name()} token {id} '{parse.GetValue(name)}'{(expiresAt is { } e ? $", expires {e:u}" : "")}");
            Console.Out.WriteLine(secret);
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var db = CommonOptions.OfflineDatabase("when no admin token is at hand");
        var api = ApiOptions.Make();
        var key = KeyFile();
        var json = CommonOptions.Json();
        var command = new Command("list", "List tokens (never their secrets)") { json, db, key };
        api.AddTo(command);
        KeyOnlyWithDatabase(command, key, db);
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            IReadOnlyList<TokenView> list;
            if (parse.GetValue(db) is { } database)
            {
                var (store, tokens) = await OpenAsync(database, parse.GetValue(key), ct);
                using (store)
                    list = (await tokens.ListAsync(ct)).Select(t => new TokenView(t.Id, t.Name, t.Role.Name(), t.Tenant, t.CreatedAt, t.CreatedBy, t.ExpiresAt, t.LastUsedAt, t.RevokedAt)).ToArray();
            }
            else
            {
                using var client = api.Connect(parse);
                list = await client.ListTokensAsync(ct);
            }
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(list, MeridianJson.Indented));
                return 0;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Id", "Name", "Role", "Tenant", "Created", "Expires", "Last used", "Revoked");
            foreach (var t in list)
                table.AddRow(Markup.Escape(t.Id), Markup.Escape(t.Name), Markup.Escape(t.Role), Markup.Escape(t.Tenant ?? ""), Date(t.CreatedAt), Date(t.ExpiresAt), Date(t.LastUsedAt), Date(t.RevokedAt));
            CommonOptions.Console().Write(table);
            return 0;
        }));
        return command;
    }

    private static Command Revoke()
    {
        var db = CommonOptions.OfflineDatabase("when no admin token is at hand");
        var api = ApiOptions.Make();
        var key = KeyFile();
        var id = new Argument<string>("id") { Description = "The token's id (the 12 characters after mrd_)" };
        var actor = Actor("");
        var command = new Command("revoke", "Revoke a token; it stops working at once") { id, db, key, actor };
        api.AddTo(command);
        KeyOnlyWithDatabase(command, key, db);
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            string name;
            if (parse.GetValue(db) is { } database)
            {
                var (store, tokens) = await OpenAsync(database, parse.GetValue(key), ct);
                using (store)
                    name = (await tokens.RevokeAsync(parse.GetValue(id)!, parse.GetValue(actor)!, ct) ?? throw RegistryException.NotFound("token", parse.GetValue(id)!)).Name;
            }
            else
            {
                using var client = api.Connect(parse);
                name = (await client.RevokeTokenAsync(parse.GetValue(id)!, ct) ?? throw RegistryException.NotFound("token", parse.GetValue(id)!)).Name;
            }
            Console.Error.WriteLine($"meridian: token {parse.GetValue(id)} '{name}' is revoked");
            return 0;
        }));
        return command;
    }

    /// <summary>The key file matters only on the database; through the API the server holds it.</summary>
    private static void KeyOnlyWithDatabase(Command command, Option<string?> key, Option<string?> db) =>
        command.Validators.Add(r =>
        {
            if (r.GetResult(key) is { Implicit: false } && r.GetResult(db) is null or { Implicit: true })
                r.AddError("--token-key applies only with --db (through the API the server holds the key)");
        });

    private static Option<string> Actor(string what) => new("--actor")
    {
        Description = $"With --db: the name recorded in the change log{(what.Length > 0 ? " " + what : "")} (through the API it is the token's)",
        DefaultValueFactory = _ => $"{Environment.UserName} (cli)",
    };

    private static async Task<(Meridian.Storage.WorldStore, TokenStore)> OpenAsync(string db, string? keyFile, CancellationToken ct)
    {
        var store = await CommonOptions.OpenAsync(db, ct);
        try
        {
            return (store, new TokenStore(store, TokenKey.LoadOrCreate(keyFile ?? TokenKey.DefaultPath(db))));
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>"90d", "12h", "30m" from now, or a date or time.</summary>
    internal static DateTimeOffset? Expiry(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var v = value.Trim();
        if (v.Length > 1 && double.TryParse(v[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            var span = char.ToLowerInvariant(v[^1]) switch { 'd' => TimeSpan.FromDays(n), 'h' => TimeSpan.FromHours(n), 'm' => TimeSpan.FromMinutes(n), _ => (TimeSpan?)null };
            if (span is { } s) return DateTimeOffset.UtcNow + s;
        }
        if (DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at;
        throw RegistryException.Invalid([new("--expires", $"'{value}' is not a duration (90d, 12h, 30m) or a date (2027-01-31)")]);
    }

    private static string Date(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "";
}
