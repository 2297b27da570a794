using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Meridian.Server.Tests.Apis;

/// <summary>The OpenAPI document is the API's contract (the console's types are generated from it): every JSON answer
/// of every operation is checked against the schema the document declares for it, and every operation that declares a
/// JSON answer is called.</summary>
public sealed class OpenApiContractTests : ServerTest
{
    private JsonObject _doc = null!;
    private readonly HashSet<string> _called = [];
    private readonly List<string> _problems = [];

    private async Task<JsonNode> CallAsync(HttpMethod method, string url, string template, string? body = null, HttpStatusCode? status = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null) request.Content = Problem.Json(body);
        var response = await Host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status is null ? response.IsSuccessStatusCode : response.StatusCode == status, $"{method} {url}: {(int)response.StatusCode} {text}");
        var code = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var operation = _doc["paths"]![template]?[method.Method.ToLowerInvariant()] ?? throw new Xunit.Sdk.XunitException($"{method} {template} is not in the document");
        var schema = operation["responses"]?[code]?["content"]?["application/json"]?["schema"]
                     ?? throw new Xunit.Sdk.XunitException($"{method} {template} declares no JSON schema for {code}");
        var value = JsonNode.Parse(text)!;
        var check = new SchemaCheck(_doc);
        check.Check(value, schema, $"{method} {template} {code}");
        _problems.AddRange(check.Problems);
        _called.Add($"{method.Method.ToLowerInvariant()} {template}");
        return value;
    }

    [Fact]
    public async Task Every_json_answer_matches_its_declared_schema_and_every_such_operation_is_called()
    {
        _doc = await Host.GetJsonAsync("/openapi/v1.json");
        var get = HttpMethod.Get;
        await CallAsync(get, "/healthz", "/healthz");
        await CallAsync(get, "/readyz", "/readyz");
        var world = await CallAsync(get, "/api/v1/world", "/api/v1/world");
        await CallAsync(HttpMethod.Post, "/api/v1/world/import?dryRun=true", "/api/v1/world/import", world.ToJsonString());
        await CallAsync(get, "/api/v1/me", "/api/v1/me");

        foreach (var kind in new[] { "boundaries", "services", "regions", "zones", "facilities", "hosts" })
        {
            var page = await CallAsync(get, $"/api/v1/{kind}?limit=500", $"/api/v1/{kind}");
            var first = page["items"]![0]!["id"]!.GetValue<string>();
            var item = (await CallAsync(get, $"/api/v1/{kind}/{first}", $"/api/v1/{kind}/{{id}}")).AsObject();
            // A copy under a new id (a zone's starts with its region's): created, patched (an empty merge patch changes nothing), and moved on if it has a lifecycle.
            var copy = $"{first}-copy";
            item["id"] = copy;
            var status = item["status"]?.GetValue<string>();
            item.Remove("status");
            item.Remove("zones");
            await CallAsync(HttpMethod.Post, $"/api/v1/{kind}", $"/api/v1/{kind}", item.ToJsonString(), HttpStatusCode.Created);
            await CallAsync(HttpMethod.Patch, $"/api/v1/{kind}/{copy}", $"/api/v1/{kind}/{{id}}", "{}");
            var next = status switch { "Planned" => "UnderConstruction", "UnderConstruction" => "Live", "Live" => "Draining", _ => "Closed" };
            if (status is not null)
                await CallAsync(HttpMethod.Post, $"/api/v1/{kind}/{copy}/transitions", $"/api/v1/{kind}/{{id}}/transitions", $$"""{"status":"{{next}}"}""");
        }
        // A region through its lifecycle: created with a status, patched, moved on.
        await CallAsync(HttpMethod.Post, "/api/v1/regions", "/api/v1/regions",
            """{"id":"eu-test-1","name":"Test","city":"Berlin","country":"DE","location":{"latitude":52.5,"longitude":13.4},"status":"Planned","services":["compute"]}""", HttpStatusCode.Created);
        await CallAsync(HttpMethod.Patch, "/api/v1/regions/eu-test-1", "/api/v1/regions/{id}", """{"notes":"checked"}""");
        await CallAsync(HttpMethod.Post, "/api/v1/regions/eu-test-1/transitions", "/api/v1/regions/{id}/transitions", """{"status":"UnderConstruction"}""");
        await CallAsync(get, "/api/v1/regions/eu-test-1?asOf=2026-11-22", "/api/v1/regions/{id}");

        // Placement: a GPU workload, capacity per host, a drain plan of the facility holding it.
        var workload = await CallAsync(HttpMethod.Post, "/api/v1/workloads", "/api/v1/workloads",
            """{"tenant":"acme","name":"qwen","replicas":2,"resources":{"vcpu":4,"memoryGiB":16,"gpus":1,"gpuShare":0.5},"constraints":{"regions":["eu-west-1"]}}""", HttpStatusCode.Created);
        await CallAsync(HttpMethod.Post, "/api/v1/workloads", "/api/v1/workloads",
            """{"tenant":"acme","name":"web","replicas":1,"resources":{"vcpu":2,"memoryGiB":4}}""", HttpStatusCode.Created);
        var id = workload["id"]!.GetValue<string>();
        await CallAsync(get, "/api/v1/workloads", "/api/v1/workloads");
        await CallAsync(get, $"/api/v1/workloads/{id}", "/api/v1/workloads/{id}");
        await CallAsync(get, "/api/v1/capacity?hosts=true", "/api/v1/capacity");
        var host = workload["allocations"]![0]!["host"]!.GetValue<string>();
        var facility = (await Host.GetJsonAsync($"/api/v1/hosts/{host}"))["facilityId"]!.GetValue<string>();
        await CallAsync(HttpMethod.Post, $"/api/v1/facilities/{facility}/drain", "/api/v1/facilities/{id}/drain");

        // Tenants and tokens.
        await CallAsync(HttpMethod.Post, "/api/v1/tenants", "/api/v1/tenants", """{"id":"globex","quota":{"gpus":8,"gpusByModel":{"H100":4}}}""", HttpStatusCode.Created);
        await CallAsync(HttpMethod.Patch, "/api/v1/tenants/globex", "/api/v1/tenants/{id}", """{"description":"a tenant"}""");
        await CallAsync(get, "/api/v1/tenants", "/api/v1/tenants");
        await CallAsync(get, "/api/v1/tenants/acme", "/api/v1/tenants/{id}");
        var token = await CallAsync(HttpMethod.Post, "/api/v1/tokens", "/api/v1/tokens", """{"name":"ci","role":"member","tenant":"acme"}""", HttpStatusCode.Created);
        await CallAsync(get, "/api/v1/tokens", "/api/v1/tokens");
        await CallAsync(get, $"/api/v1/tokens/{token["id"]!.GetValue<string>()}", "/api/v1/tokens/{id}");

        // Steering and health.
        await CallAsync(get, "/api/v1/route?service=qwen3-max&country=DE", "/api/v1/route");
        await CallAsync(HttpMethod.Put, "/api/v1/health/qwen3-max/eu-central-1", "/api/v1/health/{service}/{region}", """{"state":"Down"}""");
        await CallAsync(get, "/api/v1/health", "/api/v1/health");
        await CallAsync(get, "/api/v1/changes?limit=50", "/api/v1/changes");

        // Plans of both kinds, until they have their results (each checked against its half of the result's oneOf).
        foreach (var body in new[] { """{"kind":"closure","region":"eu-central-1","residency":"Global","date":"2025-09-30"}""", """{"kind":"expansion","add":1,"greedy":true}""" })
        {
            var plan = await CallAsync(HttpMethod.Post, "/api/v1/plans", "/api/v1/plans", body, HttpStatusCode.Accepted);
            var planId = plan["id"]!.GetValue<string>();
            // Polled, not timed: a plan on a busy machine takes longer, not a different path.
            for (var i = 0; i < 3000 && (await Host.GetJsonAsync($"/api/v1/plans/{planId}"))["status"]!.GetValue<string>() is "queued" or "running"; i++)
                await Task.Delay(100);
            var done = await CallAsync(get, $"/api/v1/plans/{planId}", "/api/v1/plans/{id}");
            Assert.Equal("succeeded", done["status"]!.GetValue<string>());
            Assert.NotNull(done["result"]);
        }
        await CallAsync(get, "/api/v1/plans", "/api/v1/plans");

        Assert.True(_problems.Count == 0, string.Join("\n", _problems));
        var declared = _doc["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(o => o.Value!["responses"]!.AsObject()
                    .Any(r => r.Key.StartsWith('2') && r.Value!["content"]?["application/json"] is not null))
                .Select(o => $"{o.Key} {p.Key}"))
            .ToHashSet();
        Assert.Empty(declared.Except(_called));
    }

    [Fact]
    public async Task Every_json_operation_declares_a_typed_answer()
    {
        _doc = await Host.GetJsonAsync("/openapi/v1.json");
        var untyped = new List<string>();
        foreach (var (path, operations) in _doc["paths"]!.AsObject())
        {
            foreach (var (method, operation) in operations!.AsObject())
            {
                var success = operation!["responses"]!.AsObject().Where(r => r.Key.StartsWith('2')).ToArray();
                if (success.Length == 0) untyped.Add($"{method} {path}: no success answer declared");
                foreach (var (code, response) in success)
                {
                    foreach (var (media, content) in response!["content"]?.AsObject() ?? [])
                    {
                        if (media == "text/event-stream") continue;
                        if (content!["schema"] is not { } schema || schema.ToJsonString() is "{}" || schema["$ref"]?.GetValue<string>() == "#/components/schemas/JsonObject")
                            untyped.Add($"{method} {path} {code} {media}: no schema");
                    }
                    if (response!["content"] is null && code != "204") untyped.Add($"{method} {path} {code}: no content declared");
                }
            }
        }
        Assert.Empty(untyped);
    }

    /// <summary>web/openapi.json is what the console's types are generated from; it must be the server's document.
    /// After an API change: MERIDIAN_UPDATE_OPENAPI=1 dotnet test --filter Committed_document (then rebuild the console).</summary>
    [Fact]
    public async Task Committed_document_is_the_servers_document()
    {
        var live = await Host.GetJsonAsync("/openapi/v1.json");
        live.Remove("servers");
        var path = Path.Combine(Repository.Root, "web", "openapi.json");
        var text = live.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        if (Environment.GetEnvironmentVariable("MERIDIAN_UPDATE_OPENAPI") == "1") await File.WriteAllTextAsync(path, text);
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path));
        Assert.True(JsonNode.DeepEquals(live, committed),
            "web/openapi.json differs from the server's /openapi/v1.json: run MERIDIAN_UPDATE_OPENAPI=1 dotnet test --filter Committed_document, then rebuild the console");
    }
}
