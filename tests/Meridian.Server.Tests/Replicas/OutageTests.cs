using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Meridian.Storage.Tests;

namespace Meridian.Server.Tests.Replicas;

/// <summary>PostgreSQL stops for a while under a running server: requests that need it answer 503 with problem details,
/// never 500, and the server goes on by itself once the database is back. The cluster is this test's own.</summary>
public sealed class OutageTests
{
    [Fact]
    public async Task While_the_database_is_down_the_server_answers_503_and_recovers_by_itself()
    {
        var pg = PostgresServer.StartNew();
        var shared = Directory.CreateTempSubdirectory("meridian-outage-").FullName;
        try
        {
            var url = pg.CreateDatabase();
            await using var host = await MeridianHost.StartReplicaAsync(url, shared);
            var before = await host.Http.PostAsJsonAsync("/api/v1/workloads", Workload("before"));
            Assert.Equal(HttpStatusCode.Created, before.StatusCode);

            pg.Stop(removeFiles: false);
            var during = await host.Http.PostAsJsonAsync("/api/v1/workloads", Workload("during"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
            Assert.Equal("application/problem+json", during.Content.Headers.ContentType?.MediaType);
            Assert.Contains("database", await during.Content.ReadAsStringAsync());
            Assert.NotNull(during.Headers.RetryAfter);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Anonymous.GetAsync("/readyz")).StatusCode);
            // Writes of the world and reads of the change log fail the same way.
            var patch = new StringContent("""{"name":"x"}""", System.Text.Encoding.UTF8, "application/merge-patch+json");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Http.PatchAsync("/api/v1/regions/eu-central-1", patch)).StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Http.GetAsync("/api/v1/changes")).StatusCode);

            pg.Start();
            HttpResponseMessage? after = null;
            for (var i = 0; i < 200 && after?.StatusCode != HttpStatusCode.Created; i++)
            {
                if (i > 0) await Task.Delay(100);
                after = await host.Http.PostAsJsonAsync("/api/v1/workloads", Workload("after"));
                Assert.True(after.StatusCode is HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable, $"{(int)after.StatusCode}: {await after.Content.ReadAsStringAsync()}");
            }
            Assert.Equal(HttpStatusCode.Created, after!.StatusCode);
            var list = await host.GetJsonAsync("/api/v1/workloads");
            Assert.Equal(["after", "before"], list["items"]!.AsArray().Select(w => w!["name"]!.GetValue<string>()).Order().ToArray());
        }
        finally
        {
            pg.Stop();
        }
    }

    private static JsonObject Workload(string name) => new()
    {
        ["tenant"] = "acme", ["name"] = name, ["replicas"] = 1,
        ["resources"] = new JsonObject { ["vcpu"] = 2, ["memoryGiB"] = 4, ["gpus"] = 0 },
    };
}
