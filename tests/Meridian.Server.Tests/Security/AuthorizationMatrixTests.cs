using System.Net;
using System.Text.Json.Nodes;

namespace Meridian.Server.Tests.Security;

/// <summary>Every operation in /openapi/v1.json: it names the roles it admits; anonymous gets 401; every role it does
/// not admit gets 403; a role it admits gets past authorization.</summary>
public sealed class AuthorizationMatrixTests : ServerTest
{
    private static readonly string[] AllRoles = ["member", "viewer", "operator", "admin"];

    private static bool Covers(string held, string needed)
    {
        string[] ladder = ["viewer", "operator", "admin"];
        return held == needed || (held != "member" && needed != "member" && Array.IndexOf(ladder, held) >= Array.IndexOf(ladder, needed));
    }

    [Fact]
    public async Task EveryOperation_Anonymous401_WeakerRole403_AdmittedRolePasses()
    {
        var tokens = new Dictionary<string, string>
        {
            ["member"] = await Host.TokenAsync("member", "acme"),
            ["viewer"] = await Host.TokenAsync("viewer"),
            ["operator"] = await Host.TokenAsync("operator"),
            ["admin"] = Host.AdminToken,
        };
        var clients = tokens.ToDictionary(t => t.Key, t => Host.Client(t.Value));
        var document = await Host.GetJsonAsync("/openapi/v1.json");
        var checkedOperations = 0;
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (path is "/healthz" or "/readyz" or "/footprint") continue; // anonymous by design (probes) / needs a viewer, checked below
                var roles = operation!["x-meridian-roles"]?.AsArray().Select(r => r!.GetValue<string>()).ToArray();
                Assert.True(roles is { Length: > 0 }, $"{method.ToUpperInvariant()} {path} names no roles");
                var url = path.Replace("{id}", "x").Replace("{service}", "x").Replace("{region}", "x");
                var what = $"{method.ToUpperInvariant()} {path}";

                var anonymous = await Host.Anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url));
                Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, $"{what} anonymous: {(int)anonymous.StatusCode}");
                Assert.StartsWith("Bearer", anonymous.Headers.WwwAuthenticate.ToString());

                foreach (var role in AllRoles)
                {
                    var admitted = roles!.Any(r => Covers(role, r));
                    var response = await clients[role].SendAsync(new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url));
                    if (admitted)
                        Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{what} as {role}: {(int)response.StatusCode}");
                    else
                        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{what} as {role} should be 403: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
                checkedOperations++;
            }
        }
        Assert.True(checkedOperations > 40, $"only {checkedOperations} operations");
    }

    [Theory]
    [InlineData("/healthz", HttpStatusCode.OK)]
    [InlineData("/", HttpStatusCode.OK)]
    [InlineData("/openapi/v1.json", HttpStatusCode.OK)]
    [InlineData("/footprint", HttpStatusCode.Unauthorized)]
    [InlineData("/api/v1/regions", HttpStatusCode.Unauthorized)]
    [InlineData("/api/v1/nothing-here", HttpStatusCode.Unauthorized)]
    public async Task Anonymous_GetsHealthTheConsoleAndTheApiDescription_AndNothingElse(string url, HttpStatusCode status) =>
        Assert.Equal(status, (await Host.Anonymous.GetAsync(url)).StatusCode);

    [Fact]
    public async Task TheWritesAHostileClientTried_AreAll401Anonymously_AndChangeNothing()
    {
        var before = Host.Fingerprint();
        var attempts = new (HttpMethod Method, string Url, string? Body)[]
        {
            (HttpMethod.Post, "/api/v1/regions", """{"id":"eu-evil-1","name":"Evil","city":"X","country":"DE","location":{"latitude":1,"longitude":1},"status":"Live","services":[]}"""),
            (HttpMethod.Delete, "/api/v1/regions/eu-west-1", null),
            (HttpMethod.Post, "/api/v1/regions/eu-west-1/transitions", """{"status":"Draining"}"""),
            (HttpMethod.Post, "/api/v1/facilities/lon1/drain?apply=true", null),
            (HttpMethod.Put, "/api/v1/health/qwen3-max/eu-central-1", """{"state":"Down"}"""),
            (HttpMethod.Post, "/api/v1/world/import", """{"regions":[]}"""),
            (HttpMethod.Patch, "/api/v1/services/qwen3-max", """{"endpoints":{"eu-central-1":"http://169.254.169.254/"}}"""),
            (HttpMethod.Get, "/api/v1/workloads", null),
            (HttpMethod.Post, "/api/v1/tokens", """{"name":"me","role":"admin"}"""),
        };
        foreach (var (method, url, body) in attempts)
        {
            using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : Problem.Json(body) };
            if (method == HttpMethod.Patch) request.Content!.Headers.ContentType = new("application/merge-patch+json");
            await Problem.AssertAsync(await Host.Anonymous.SendAsync(request), HttpStatusCode.Unauthorized, "Authorization");
        }
        Assert.Equal(before, Host.Fingerprint());
    }
}
