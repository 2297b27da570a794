using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Storage.Registry;

namespace Meridian.Server.Tests.Apis;

public sealed class WriteApiTests : ServerTest
{
    private const string Region = """{"id":"eu-test-1","name":"Test","city":"Berlin","country":"DE","location":{"latitude":52.5,"longitude":13.4},"status":"Planned","services":["compute"]}""";

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? json = null, string? ifMatch = null, string? actor = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = json is null ? null : Problem.Json(json) };
        if (ifMatch is not null) request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        if (actor is not null) request.Headers.Add("X-Meridian-Actor", actor);
        return await Host.Http.SendAsync(request);
    }

    [Fact]
    public async Task Create_Is201_WithLocationAndETag_AndIsLoggedWithItsActor()
    {
        var response = await SendAsync(HttpMethod.Post, "/api/v1/regions", Region, actor: "alice");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/v1/regions/eu-test-1", response.Headers.Location!.OriginalString);
        Assert.NotNull(response.Headers.ETag);
        var created = await Host.GetJsonAsync("/api/v1/regions/eu-test-1");
        Assert.Equal("Planned", created["status"]!.GetValue<string>());
        Assert.Equal("2026-11-22", created["history"]![0]!["on"]!.GetValue<string>());

        var change = (await Host.GetJsonAsync("/api/v1/changes?kind=regions&id=eu-test-1"))["items"]![0]!;
        // An admin may name whom it acts for; the log keeps who really did it.
        Assert.Matches(@"^first-admin \(token [0-9a-f]{12}\) as alice$", change["actor"]!.GetValue<string>());
        Assert.Equal("create", change["action"]!.GetValue<string>());
        Assert.Null(change["before"]);
        Assert.Equal("Test", change["after"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_WithCurrentETag_ChangesTheField_LogsBeforeAndAfter_AndIssuesANewETag()
    {
        var etag = (await Host.Http.GetAsync("/api/v1/regions/eu-west-1")).Headers.ETag!.Tag;
        var response = await SendAsync(HttpMethod.Patch, "/api/v1/regions/eu-west-1", """{"name":"United Kingdom (London)"}""", ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(etag, response.Headers.ETag!.Tag);

        var change = (await Host.GetJsonAsync("/api/v1/changes?id=eu-west-1&limit=1"))["items"]![0]!;
        Assert.Equal("UK (London)", change["before"]!["name"]!.GetValue<string>());
        Assert.Equal("United Kingdom (London)", change["after"]!["name"]!.GetValue<string>());

        // The old ETag is now stale.
        var stale = await SendAsync(HttpMethod.Patch, "/api/v1/regions/eu-west-1", """{"name":"Again"}""", ifMatch: etag);
        await Problem.AssertAsync(stale, HttpStatusCode.PreconditionFailed, null);
    }

    [Fact]
    public async Task Patch_RemovesOptionalFieldsWithNull()
    {
        var response = await SendAsync(HttpMethod.Patch, "/api/v1/facilities/lon1", """{"support":null,"notes":"checked"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var facility = await Host.GetJsonAsync("/api/v1/facilities/lon1");
        Assert.Null(facility["support"]);
        Assert.Equal("checked", facility["notes"]!.GetValue<string>());
    }

    [Fact]
    public async Task Lifecycle_FromPlannedToLiveToDrainingToClosed_ThenDelete()
    {
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, "/api/v1/regions", Region)).StatusCode);
        foreach (var status in new[] { "UnderConstruction", "Live", "Draining", "Closed" })
        {
            var moved = await SendAsync(HttpMethod.Post, "/api/v1/regions/eu-test-1/transitions", $$"""{"status":"{{status}}","note":"step"}""");
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        }
        var region = await Host.GetJsonAsync("/api/v1/regions/eu-test-1");
        Assert.Equal("Closed", region["status"]!.GetValue<string>());
        Assert.Equal(5, region["history"]!.AsArray().Count);

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, "/api/v1/regions/eu-test-1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Host.Http.GetAsync("/api/v1/regions/eu-test-1")).StatusCode);
        var actions = (await Host.GetJsonAsync("/api/v1/changes?id=eu-test-1"))["items"]!.AsArray().Select(c => c!["action"]!.GetValue<string>());
        Assert.Equal(["delete", "transition", "transition", "transition", "transition", "create"], actions);
    }

    [Fact]
    public async Task ExportThenImport_IsAllOrNothing_AndReportsWhatChanged()
    {
        var yaml = await Host.Http.GetStringAsync("/api/v1/world?format=yaml");
        var dry = await Host.Http.PostAsync("/api/v1/world/import?dryRun=true", new StringContent(yaml, System.Text.Encoding.UTF8, "application/yaml"));
        var summary = JsonNode.Parse(await dry.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        Assert.Equal((0, 0, 0), (summary["created"]!.GetValue<int>(), summary["updated"]!.GetValue<int>(), summary["deleted"]!.GetValue<int>()));

        var json = JsonNode.Parse(await Host.Http.GetStringAsync("/api/v1/world"))!.AsObject();
        var hosts = json["hosts"]!.AsArray();
        hosts.RemoveAt(0);
        json["regions"]!.AsArray().First(r => r!["id"]!.GetValue<string>() == "eu-west-1")!["name"] = "London";
        var before = Host.Fingerprint();
        var imported = await Host.Http.PostAsync("/api/v1/world/import", Problem.Json(json.ToJsonString()));
        var result = JsonNode.Parse(await imported.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.Equal((0, 1, 1), (result["created"]!.GetValue<int>(), result["updated"]!.GetValue<int>(), result["deleted"]!.GetValue<int>()));
        var after = Host.Fingerprint();
        Assert.Equal(before.Resources - 1, after.Resources);
        Assert.Equal(before.Changes + 2, after.Changes);
        Assert.Equal(before.Generation + 1, after.Generation);
        Assert.Equal("London", (await Host.GetJsonAsync("/api/v1/regions/eu-west-1"))["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task WritesByAnotherProcess_AreServedAfterTheRefreshInterval()
    {
        using (var other = await Meridian.Storage.WorldStore.OpenAsync(Host.DatabasePath))
        {
            var zone = new Zone("eu-west-1c", "eu-west-1", [new LifecycleEvent(LifecycleStatus.Planned, new DateOnly(2026, 12, 1))]);
            await other.WriteAsync("cli", RegistryCommands.Create(Kinds.Zones, zone));
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode status;
        do
        {
            status = (await Host.Http.GetAsync("/api/v1/zones/eu-west-1c")).StatusCode;
            if (status == HttpStatusCode.OK) break;
            await Task.Delay(50);
        } while (DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
