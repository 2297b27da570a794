using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Storage.Security;
using Spectre.Console;

namespace Meridian.Cli.Commands;

/// <summary><c>meridian token create|list|revoke</c>: API tokens, straight on the database (as kubeadm does), for the
/// first token of a new installation or one lost. Whoever can write the database file is its administrator already.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var command = new Command("token", "Create, list and revoke API tokens on a database (no server needed)");
        command.Subcommands.Add(CreateToken());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Revoke());
        return command;
    }

    public static Option<string?> KeyFile() => new("--token-key")
    {
        Description = "Key file of the tokens' keyed hash; the server must use the same one (default: beside the database, meridian.token-key)",
    };

    private static Command CreateToken()
    {
        var db = CommonOptions.Database();
        var key = KeyFile();
        var name = new Option<string>("--name") { Description = "Who or what holds the token, for the change log", Required = true };
        var role = new Option<string>("--role") { Description = "viewer, operator, admin or member", Required = true };
        var tenant = new Option<string?>("--tenant") { Description = "The tenant of a member token" };
        var expires = new Option<string?>("--expires") { Description = "When the token stops working: a duration (90d, 12h) or a date (2027-01-31); default never" };
        var actor = new Option<string>("--actor") { Description = "Name recorded in the change log as the token's creator", DefaultValueFactory = _ => $"{Environment.UserName} (cli)" };
        var command = new Command("create", "Create a token and print it, alone, on standard output; it is shown only this once") { db, key, name, role, tenant, expires, actor };
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var r = Roles.Parse(parse.GetValue(role)) ?? throw RegistryException.Invalid([new("--role", $"'{parse.GetValue(role)}' is not viewer, operator, admin or member")]);
            var (store, tokens) = await OpenAsync(parse.GetValue(db)!, parse.GetValue(key), ct);
            using (store)
            {
                var request = new TokenRequest(parse.GetValue(name)!, r, parse.GetValue(tenant), Expiry(parse.GetValue(expires)));
                var (token, secret) = await tokens.CreateAsync(request, parse.GetValue(actor)!, ct);
                Console.Error.WriteLine($"meridian: created {token.Role.Name()} token {token.Id} '{token.Name}'{(token.ExpiresAt is { } e ? $", expires {e:u}" : "")}");
                Console.Out.WriteLine(secret);
            }
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var db = CommonOptions.Database();
        var key = KeyFile();
        var json = CommonOptions.Json();
        var command = new Command("list", "List tokens (never their secrets)") { db, key, json };
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var (store, tokens) = await OpenAsync(parse.GetValue(db)!, parse.GetValue(key), ct);
            using (store)
            {
                var list = await tokens.ListAsync(ct);
                if (parse.GetValue(json))
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(list, MeridianJson.Indented));
                    return 0;
                }
                var table = new Table().Border(TableBorder.Rounded).AddColumns("Id", "Name", "Role", "Tenant", "Created", "Expires", "Last used", "Revoked");
                foreach (var t in list)
                    table.AddRow(t.Id, Markup.Escape(t.Name), t.Role.Name(), t.Tenant ?? "", Date(t.CreatedAt), Date(t.ExpiresAt), Date(t.LastUsedAt), Date(t.RevokedAt));
                CommonOptions.Console().Write(table);
            }
            return 0;
        }));
        return command;
    }

    private static Command Revoke()
    {
        var db = CommonOptions.Database();
        var key = KeyFile();
        var id = new Argument<string>("id") { Description = "The token's id (the 12 characters after mrd_)" };
        var actor = new Option<string>("--actor") { Description = "Name recorded in the change log", DefaultValueFactory = _ => $"{Environment.UserName} (cli)" };
        var command = new Command("revoke", "Revoke a token; it stops working at once") { db, key, id, actor };
        command.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var (store, tokens) = await OpenAsync(parse.GetValue(db)!, parse.GetValue(key), ct);
            using (store)
            {
                var token = await tokens.RevokeAsync(parse.GetValue(id)!, parse.GetValue(actor)!, ct) ?? throw RegistryException.NotFound("token", parse.GetValue(id)!);
                Console.Error.WriteLine($"meridian: token {token.Id} '{token.Name}' is revoked");
            }
            return 0;
        }));
        return command;
    }

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
