using System.Text.Json.Nodes;

namespace Meridian.Cli.Tests;

/// <summary>The CLI as a client of the API: the server and token it uses, contexts, roles, and what it says when the
/// server is not there.</summary>
public sealed class ClientCommandTests : CliTest
{
    [Fact]
    public async Task TokensMadeThroughTheApi_CarryTheirRole_AndStopWorkingWhenRevoked()
    {
        var created = await Cli("token", "create", "--name", "dash", "--role", "viewer");
        Assert.True(created.ExitCode == 0, created.Err);
        var viewer = created.Out.Trim();
        Assert.Matches("^mrd_[0-9a-f]{12}_[0-9a-f]{48}$", viewer);

        var read = await CliAs(viewer, "regions", "list", "--country", "GB", "--json");
        Assert.True(read.ExitCode == 0, read.Err);
        Assert.Equal("eu-west-1", JsonNode.Parse(read.Out)!["items"]!.AsArray().Single()!["id"]!.GetValue<string>());

        var refused = await CliAs(viewer, "tenant", "create", "shadow");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("not allowed (403)", refused.Err);
        Assert.Null(JsonNode.Parse((await Cli("tenant", "list", "--json")).Out)!.AsArray().FirstOrDefault(t => t!["id"]!.GetValue<string>() == "shadow"));

        var list = JsonNode.Parse((await Cli("token", "list", "--json")).Out)!.AsArray();
        var id = list.Single(t => t!["name"]!.GetValue<string>() == "dash")!["id"]!.GetValue<string>();
        Assert.DoesNotContain(viewer, list.ToJsonString());
        var revoke = await Cli("token", "revoke", id);
        Assert.True(revoke.ExitCode == 0, revoke.Err);

        var after = await CliAs(viewer, "regions", "list");
        Assert.Equal(1, after.ExitCode);
        Assert.Contains("refused the token (401)", after.Err);
    }

    [Fact]
    public async Task AContext_SavesTheServerAndToken_OwnerOnly_AndIsUsedWithoutFlags()
    {
        await StartServerAsync();
        var config = Path.Combine(Dir, "config", "meridian.json");
        var tokenFile = Path.Combine(Dir, "meridian.admin-token");
        var env = new Dictionary<string, string> { ["MERIDIAN_CONFIG"] = config };

        var set = await Meridian.RunAsync(env, "config", "set-context", "lab", "--server", Server, "--token-file", tokenFile);
        Assert.True(set.ExitCode == 0, set.Err);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));

        var contexts = await Meridian.RunAsync(env, "config", "get-contexts");
        Assert.Contains("lab", contexts.Out);
        Assert.Contains("*", contexts.Out);
        Assert.DoesNotContain(AdminToken, contexts.Out + contexts.Err);

        var regions = await Meridian.RunAsync(env, "regions", "list", "--as-of", "2025-09-30", "--json");
        Assert.True(regions.ExitCode == 0, regions.Err);
        Assert.Equal(29, JsonNode.Parse(regions.Out)!["items"]!.AsArray().Count);

        var unknown = await Meridian.RunAsync(env, "regions", "list", "--context", "prod");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no context 'prod'", unknown.Err);

        // The flag beats the context: a wrong server named on the command line is the one tried.
        var flag = await Meridian.RunAsync(env, "regions", "list", "--server", "http://127.0.0.1:1");
        Assert.Equal(1, flag.ExitCode);
        Assert.Contains("cannot reach the server at http://127.0.0.1:1/", flag.Err);
    }

    [Fact]
    public async Task NoServer_NoToken_OrABadUrl_IsOneClearLine()
    {
        var unreachable = await Meridian.RunAsync(new Dictionary<string, string> { ["MERIDIAN_TOKEN"] = "mrd_x" }, "capacity", "--server", "http://127.0.0.1:1");
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains("connection refused", unreachable.Err);
        Assert.DoesNotContain("   at ", unreachable.Err);

        var noToken = await Meridian.RunAsync("capacity", "--server", "http://127.0.0.1:1");
        Assert.Equal(1, noToken.ExitCode);
        Assert.Contains("no API token", noToken.Err);
        Assert.Contains("set-context", noToken.Err);

        var badUrl = await Meridian.RunAsync("capacity", "--server", "ftp://example.com");
        Assert.NotEqual(0, badUrl.ExitCode);
        Assert.Contains("--server", badUrl.Err);

        var badContext = await Meridian.RunAsync("config", "set-context", "a b", "--server", "http://x");
        Assert.Equal(1, badContext.ExitCode);
        Assert.Contains("not a context name", badContext.Err);
    }

    [Fact]
    public async Task ARefusedRequest_NamesTheFieldTheServerNamed_AndWritesNothing()
    {
        var (code, _, error) = await Cli("place", "--tenant", "acme", "--name", "x", "--replicas", "-3", "--vcpu", "1", "--memory-gib", "1");
        Assert.Equal(1, code);
        Assert.Contains("replicas", error);
        Assert.DoesNotContain("   at ", error);
        Assert.Equal(0, JsonNode.Parse((await Cli("tenant", "show", "acme")).Out)!["usage"]!["workloads"]!.GetValue<int>());

        var quota = await Cli("tenant", "quota", "acme", "--gpus-of", "H100");
        Assert.Equal(1, quota.ExitCode);
        Assert.Contains("--gpus-of", quota.Err);
    }

    [Fact]
    public async Task Watch_PrintsChangesInOrder_AsTheyHappen_AndStopsAfterCount()
    {
        var listed = await Cli("tenant", "list", "--json");
        Assert.True(listed.ExitCode == 0, listed.Err);
        using var http = new HttpClient { BaseAddress = new Uri(Server) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        var newest = JsonNode.Parse(await http.GetStringAsync("/api/v1/changes?limit=1"))!["items"]![0]!["seq"]!.GetValue<long>();

        // Follows from `newest` in another process while tenants are created here.
        var watching = CliAs(null, "watch", "--kind", "tenants", "--since", $"{newest}", "--count", "2", "--json");
        Assert.True((await Cli("tenant", "create", "first")).ExitCode == 0);
        Assert.True((await Cli("tenant", "create", "second")).ExitCode == 0);
        var watched = await watching;
        Assert.True(watched.ExitCode == 0, watched.Err);
        var lines = watched.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToArray();
        Assert.Equal(["first", "second"], lines.Select(l => l["id"]!.GetValue<string>()));
        Assert.True(lines[0]["seq"]!.GetValue<long>() < lines[1]["seq"]!.GetValue<long>());

        var bad = await Cli("watch", "--kind", "planets");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("kind", bad.Err);
        foreach (var since in new[] { "-3", "abc", "99999999999999999999999" })
        {
            var refused = await Cli("watch", "--since", since);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("--since", refused.Err);
            Assert.DoesNotContain("Unhandled exception", refused.Err);
        }
    }
}
