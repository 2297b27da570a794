using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Meridian.Cli.Tests;

/// <summary>meridian token and meridian tenant, offline on a database.</summary>
public sealed class SecurityCommandTests : CliTest
{
    [Fact]
    public async Task TokenCreate_PrintsTheTokenAlone_StoresOnlyItsKeyedHash_AndTheKeyFileIsOwnerOnly()
    {
        var (code, output, error) = await Meridian.RunAsync("token", "create", "--db", Db, "--role", "admin", "--name", "ops");
        Assert.True(code == 0, error);
        var token = output.Trim();
        Assert.Matches("^mrd_[0-9a-f]{12}_[0-9a-f]{48}$", token);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        using (var c = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT secret_hash, role, name FROM tokens";
            using var r = cmd.ExecuteReader();
            Assert.True(r.Read());
            Assert.DoesNotContain(token[17..], r.GetString(0), StringComparison.OrdinalIgnoreCase);
            Assert.Equal(64, r.GetString(0).Length); // HMAC-SHA256, hex
            Assert.Equal("admin", r.GetString(1));
        }
        var key = Path.Combine(Dir, "meridian.token-key");
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));

        var list = await Meridian.RunAsync("token", "list", "--db", Db, "--json");
        Assert.DoesNotContain(token, list.Out);
        var id = JsonNode.Parse(list.Out)!.AsArray().Single()!["id"]!.GetValue<string>();
        var revoke = await Meridian.RunAsync("token", "revoke", id, "--db", Db);
        Assert.True(revoke.ExitCode == 0, revoke.Err);
        Assert.NotNull(JsonNode.Parse((await Meridian.RunAsync("token", "list", "--db", Db, "--json")).Out)!.AsArray().Single()!["revokedAt"]);
    }

    [Theory]
    [InlineData("--role", "root", "--role")]
    [InlineData("--role", "member", "tenant")]
    [InlineData("--expires", "soon", "--expires")]
    [InlineData("--name", "eve\u202Egnp.exe", "name")]
    public async Task TokenCreate_BadInput_NamesIt_AndWritesNothing(string option, string value, string field)
    {
        var args = new List<string> { "token", "create", "--db", Db, "--name", "x", "--role", "viewer" };
        var at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value;
        else args.AddRange([option, value]);
        var (code, output, error) = await Meridian.RunAsync([.. args]);
        Assert.Equal(1, code);
        Assert.Equal("", output.Trim());
        Assert.Contains(field, error);
        Assert.Equal("[]", (await Meridian.RunAsync("token", "list", "--db", Db, "--json")).Out.Trim());
    }

    [Fact]
    public async Task TenantQuota_RefusesAPlacementOverIt_AndShowsUsage()
    {
        Assert.Equal(0, (await Cli("tenant", "create", "lab", "--gpus", "2")).ExitCode);
        var first = await Cli("place", "--tenant", "lab", "--name", "a", "--replicas", "1", "--vcpu", "4", "--memory-gib", "16", "--gpus", "2");
        Assert.True(first.ExitCode == 0, first.Err);
        var second = await Cli("place", "--tenant", "lab", "--name", "b", "--replicas", "1", "--vcpu", "4", "--memory-gib", "16", "--gpus", "1");
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("quota.gpus", second.Err);
        Assert.Contains("may hold 2 GPUs; it holds 2", second.Err);

        var show = JsonNode.Parse((await Cli("tenant", "show", "lab")).Out)!;
        Assert.Equal(2, show["usage"]!["gpus"]!.GetValue<double>());
        Assert.Equal(1, show["usage"]!["workloads"]!.GetValue<int>());

        Assert.Equal(0, (await Cli("tenant", "quota", "lab", "--gpus", "3")).ExitCode);
        Assert.Equal(0, (await Cli("place", "--tenant", "lab", "--name", "b", "--replicas", "1", "--vcpu", "4", "--memory-gib", "16", "--gpus", "1")).ExitCode);
        var delete = await Cli("tenant", "delete", "lab");
        Assert.Equal(1, delete.ExitCode);
        Assert.Contains("still has workloads", delete.Err);
    }

    [Fact]
    public async Task Place_ForATenantThatDoesNotExist_IsRefused()
    {
        var (code, _, error) = await Cli("place", "--tenant", "nobody", "--name", "a", "--replicas", "1", "--vcpu", "1", "--memory-gib", "1");
        Assert.Equal(1, code);
        Assert.Contains("no tenant 'nobody'", error);
    }
}
