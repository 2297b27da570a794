using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Meridian.Server.Tests.Apis;

/// <summary>Mutated requests to every operation in /openapi/v1.json, against a real server and SQLite file, seeded and
/// reproducible (set MERIDIAN_FUZZ_SEED to replay another run). No answer is a 5xx (but a 503 that says when to come
/// back, or that no region may serve); every 4xx is a problem; nothing a refused request carried reaches the world or
/// the change log.</summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Requests = 3200;

    private static readonly string[] OddStrings =
    [
        "", " ", "x", new string('a', 5000), "\u202Eevil", "a\u0000b", "\\ud800", "ünïcødé", "🙂", "../../etc", "%00", "null", "true", "-1",
        "1e309", "0x10", "<script>", "'; DROP TABLE resources; --", "\t\n", "eu-west-1", "EU", "Live",
    ];

    private static readonly JsonNode?[] OddValues =
    [
        null, true, false, 0, -1, 1.5, 1e308, -1e308, long.MaxValue, long.MinValue, int.MaxValue, 0.000001, "", "x",
        new string('z', 3000), new JsonArray(), new JsonObject(), new JsonArray(1, 2, 3), new JsonObject { ["x"] = 1 },
    ];

    private static readonly string[] OddSegments =
    [
        "", "x", "%2e%2e", "..", "%20", new string('s', 300), "%C3%BC", "eu-west-1", "lon1", "qwen3-max", "a%2Fb", "%ff", "0", "-1",
    ];

    private static readonly string[] MediaTypes =
    [
        "application/json", "application/json", "application/json", "application/merge-patch+json", "application/yaml", "text/plain",
        "application/x-www-form-urlencoded", "application/json; charset=utf-16", "", "multipart/form-data; boundary=x",
    ];

    private sealed record Operation(string Method, string Path, string[] Query, string[] MediaTypes, string? Schema);

    [Fact]
    public async Task MutatedRequests_ToEveryOperation_NeverFail_AndRefusalsWriteNothing()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("MERIDIAN_FUZZ_SEED"), out var s) ? s : 20261123;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        await using var host = await MeridianHost.StartAsync(o => o with { MaxQueuedPlans = 2 });
        // MeridianHost's clients time out after 30 s: "a few seconds", with room for a loaded two-core machine.

        var document = await host.GetJsonAsync("/openapi/v1.json");
        var operations = Operations(document).ToArray();
        Assert.True(operations.Length >= 45, $"only {operations.Length} operations in the document");
        var seeds = await SeedBodiesAsync(host);
        var ids = await IdsAsync(host);

        var refusedMarkers = new List<string>();
        var byStatus = new SortedDictionary<int, int>();
        var covered = new HashSet<string>();
        for (var n = 0; n < Requests; n++)
        {
            var op = operations[n % operations.Length];
            var marker = $"fz{n:D5}q";
            var request = Build(op, marker, random, document, seeds, ids);
            var what = $"#{n} {request.Method} {request.RequestUri}";
            HttpResponseMessage response;
            try
            {
                response = await host.Http.SendAsync(request);
            }
            catch (TaskCanceledException)
            {
                Assert.Fail($"{what} took more than {host.Http.Timeout.TotalSeconds} s (seed {seed})");
                return;
            }
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
            covered.Add($"{op.Method} {op.Path}");
            var type = response.Content.Headers.ContentType?.MediaType;
            if (status >= 500)
            {
                var busyOrUnroutable = status == 503 && type == "application/problem+json" &&
                                       (response.Headers.RetryAfter is not null || text.Contains("\"exclusions\"", StringComparison.Ordinal));
                Assert.True(busyOrUnroutable, $"{what}: {status} {text} (seed {seed})");
            }
            if (status >= 400)
            {
                Assert.True(type == "application/problem+json", $"{what}: {status} with {type ?? "no"} body (seed {seed})");
                Assert.DoesNotContain("   at ", text);
                refusedMarkers.Add(marker);
            }
        }
        output.WriteLine(string.Join(", ", byStatus.Select(kv => $"{kv.Key}: {kv.Value}")));
        Assert.Equal(operations.Length, covered.Count);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/healthz")).StatusCode);

        // Nothing a refused request sent is in the world or the change log.
        var world = await (await host.Http.GetAsync("/api/v1/world")).Content.ReadAsStringAsync();
        var changes = new StringBuilder();
        for (var url = "/api/v1/changes?limit=1000"; url is not null;)
        {
            var page = await host.GetJsonAsync(url);
            changes.Append(page["items"]!.ToJsonString());
            url = page["next"]?.GetValue<string>();
        }
        var everything = world + changes;
        var leaked = refusedMarkers.Where(m => everything.Contains(m, StringComparison.Ordinal)).ToArray();
        Assert.True(leaked.Length == 0, $"refused requests left traces: {string.Join(", ", leaked.Take(10))} (seed {seed})");
        foreach (var plan in (await host.GetJsonAsync("/api/v1/plans"))["items"]!.AsArray())
            await host.Http.DeleteAsync($"/api/v1/plans/{plan!["id"]}");
    }

    private static IEnumerable<Operation> Operations(JsonObject document)
    {
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, op) in item!.AsObject())
            {
                var query = op!["parameters"]?.AsArray().Where(p => p!["in"]!.GetValue<string>() == "query").Select(p => p!["name"]!.GetValue<string>()).ToArray() ?? [];
                var content = op["requestBody"]?["content"]?.AsObject();
                var media = content?.Select(c => c.Key).ToArray() ?? [];
                var schema = content?.FirstOrDefault().Value?["schema"]?["$ref"]?.GetValue<string>()?.Split('/')[^1];
                yield return new Operation(method.ToUpperInvariant(), path, query, media, schema);
            }
        }
    }

    /// <summary>Real, valid bodies to start mutating from: a resource of each kind, and the other operations' bodies.</summary>
    private static async Task<Dictionary<string, JsonObject>> SeedBodiesAsync(MeridianHost host)
    {
        var seeds = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (kind, schema) in new[] { ("boundaries", "DataBoundary"), ("services", "Service"), ("regions", "Region"), ("zones", "Zone"), ("facilities", "Facility"), ("hosts", "Host") })
            seeds[schema] = (await host.GetJsonAsync($"/api/v1/{kind}/{(await host.GetJsonAsync($"/api/v1/{kind}?limit=1"))["items"]![0]!["id"]}")).DeepClone().AsObject();
        seeds["WorkloadSpec"] = JsonNode.Parse("""{"tenant":"acme","name":"w","replicas":2,"resources":{"vcpu":2,"memoryGiB":4,"gpus":1,"gpuShare":0.5},"constraints":{"boundary":"EU","spread":{"minZones":2,"maxSkew":1}},"strategy":"Spread"}""")!.AsObject();
        seeds["TransitionRequest"] = JsonNode.Parse("""{"status":"Draining","on":"2026-11-22","estimated":false,"note":"n"}""")!.AsObject();
        seeds["HealthRequest"] = JsonNode.Parse("""{"state":"Auto"}""")!.AsObject();
        seeds["PlanBody"] = JsonNode.Parse("""{"kind":"closure","region":"eu-west-1","sloMs":50,"residency":"Strict"}""")!.AsObject();
        seeds["JsonObject"] = JsonNode.Parse("""{"name":"renamed"}""")!.AsObject();
        return seeds;
    }

    private static async Task<string[]> IdsAsync(MeridianHost host)
    {
        var ids = new List<string>();
        foreach (var kind in new[] { "boundaries", "services", "regions", "zones", "facilities", "hosts" })
            ids.AddRange((await host.GetJsonAsync($"/api/v1/{kind}?limit=20"))["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        return [.. ids];
    }

    private static HttpRequestMessage Build(Operation op, string marker, Random random, JsonObject document, Dictionary<string, JsonObject> seeds, string[] ids)
    {
        var path = System.Text.RegularExpressions.Regex.Replace(op.Path, @"\{(\w+)\}", _ => random.Next(4) switch
        {
            0 => Uri.EscapeDataString(marker),
            1 => OddSegments[random.Next(OddSegments.Length)],
            _ => Uri.EscapeDataString(ids[random.Next(ids.Length)]),
        });
        var query = new List<string>();
        foreach (var name in op.Query.Where(_ => random.Next(3) == 0))
            query.Add($"{name}={Uri.EscapeDataString(random.Next(2) == 0 ? OddStrings[random.Next(OddStrings.Length)] : ids[random.Next(ids.Length)])}");
        if (random.Next(12) == 0) query.Add($"{marker}=1");
        if (random.Next(20) == 0) query.Add("limit=-5&limit=2");
        var request = new HttpRequestMessage(new HttpMethod(op.Method), path + (query.Count > 0 ? "?" + string.Join('&', query) : ""));
        if (op.Method is "GET" or "DELETE" && random.Next(10) != 0) return request;
        if (op.Method == "POST" && op.MediaTypes.Length == 0 && random.Next(4) != 0) return request;

        var body = op.Schema is not null && seeds.TryGetValue(op.Schema, out var seed) ? seed.DeepClone().AsObject() : new JsonObject();
        if (body.ContainsKey("id")) body["id"] = marker;
        if (body.ContainsKey("name")) body["name"] = marker;
        var mutations = random.Next(0, 4);
        for (var i = 0; i < mutations; i++) Mutate(body, random, marker);
        byte[] bytes = random.Next(25) switch
        {
            0 => [0xff, 0xfe, 0x7b, 0x7d],                                               // not UTF-8
            1 => Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000)), // deep nesting
            2 => Encoding.UTF8.GetBytes(body.ToJsonString()[..^1]),                    // cut short
            3 => Encoding.UTF8.GetBytes(body.ToJsonString().Replace("\"" + marker + "\"", "\"\\ud800" + marker + "\"")), // lone surrogate
            4 => Encoding.UTF8.GetBytes("a: &x [1]\nb: *x\n"),                         // YAML alias
            _ => Encoding.UTF8.GetBytes(body.ToJsonString()),
        };
        request.Content = new ByteArrayContent(bytes);
        var media = random.Next(5) == 0 || op.MediaTypes.Length == 0 ? MediaTypes[random.Next(MediaTypes.Length)] : op.MediaTypes[random.Next(op.MediaTypes.Length)];
        if (media.Length > 0) request.Content.Headers.TryAddWithoutValidation("Content-Type", media);
        return request;
    }

    /// <summary>One change somewhere in the tree: a value of another type, a field removed or added, an odd number or
    /// string, deeper nesting.</summary>
    private static void Mutate(JsonNode node, Random random, string marker)
    {
        // Walk down to a random container.
        for (var depth = 0; depth < 4; depth++)
        {
            var children = node switch
            {
                JsonObject o => o.Select(kv => kv.Value).Where(v => v is JsonObject or JsonArray).ToArray(),
                JsonArray a => a.Where(v => v is JsonObject or JsonArray).ToArray(),
                _ => [],
            };
            if (children.Length == 0 || random.Next(2) == 0) break;
            node = children[random.Next(children.Length)]!;
        }
        JsonNode? Odd() => random.Next(3) switch
        {
            0 => OddValues[random.Next(OddValues.Length)]?.DeepClone(),
            1 => JsonValue.Create(OddStrings[random.Next(OddStrings.Length)] + marker),
            _ => new JsonArray(JsonValue.Create(marker), null),
        };
        switch (node)
        {
            case JsonObject o when o.Count > 0 && random.Next(3) > 0:
                var key = o.ElementAt(random.Next(o.Count)).Key;
                if (random.Next(4) == 0) o.Remove(key);
                else o[key] = Odd();
                break;
            case JsonObject o:
                o[random.Next(2) == 0 ? marker : "extra"] = Odd();
                break;
            case JsonArray a when a.Count > 0:
                a[random.Next(a.Count)] = Odd();
                break;
            case JsonArray a:
                a.Add(Odd());
                break;
        }
    }
}
