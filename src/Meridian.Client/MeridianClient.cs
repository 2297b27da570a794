using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Meridian.Client;

/// <summary>A typed client of Meridian's REST API. Errors come back as <see cref="MeridianApiException"/> with the
/// server's problem details, or <see cref="ServerUnreachableException"/>. Reads are retried (a bounded number of times)
/// when the server answers 503 or cannot be reached, honouring Retry-After; writes are never retried here, because a
/// write that timed out may have happened.</summary>
public sealed partial class MeridianClient : IDisposable
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>A client of the server at <paramref name="server"/> sending <paramref name="token"/> as a bearer token.</summary>
    public MeridianClient(Uri server, string? token, TimeSpan? timeout = null)
        : this(new HttpClient { BaseAddress = server, Timeout = timeout ?? TimeSpan.FromSeconds(100) }, token) => _ownsHttp = true;

    /// <summary>A client over an existing HttpClient whose BaseAddress is the server (tests, custom handlers).</summary>
    public MeridianClient(HttpClient http, string? token)
    {
        _http = http;
        Server = http.BaseAddress ?? throw new ArgumentException("the HttpClient needs a BaseAddress (the server's URL)", nameof(http));
        if (token is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("meridian-client", "1"));
    }

    public Uri Server { get; }

    /// <summary>How many times a read is tried in all when the server is unavailable (503) or unreachable.</summary>
    public int ReadAttempts { get; init; } = 4;

    /// <summary>Longest wait between read attempts, whatever Retry-After asks.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    public Task<Caller> WhoAmIAsync(CancellationToken ct = default) => GetAsync<Caller>("api/v1/me", ct);

    /// <summary>Every region matching the filters (asOf, country, status, boundary, service), all pages.</summary>
    public Task<IReadOnlyList<RegionView>> ListRegionsAsync(IReadOnlyDictionary<string, string?> filters, CancellationToken ct = default) =>
        ListAllAsync<RegionView>("api/v1/regions", filters, ct);

    public Task<IReadOnlyList<ServiceView>> ListServicesAsync(CancellationToken ct = default) =>
        ListAllAsync<ServiceView>("api/v1/services", new Dictionary<string, string?>(), ct);

    /// <summary>The raw JSON of a list's every item (any resource kind), all pages.</summary>
    public Task<IReadOnlyList<JsonObject>> ListResourcesAsync(string kind, IReadOnlyDictionary<string, string?> filters, CancellationToken ct = default) =>
        ListAllAsync<JsonObject>($"api/v1/{Uri.EscapeDataString(kind)}", filters, ct);

    /// <summary>The whole world as one document, json or yaml.</summary>
    public async Task<string> ExportWorldAsync(string format = "json", CancellationToken ct = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"api/v1/world?format={Uri.EscapeDataString(format)}"), read: true, ct);
        return await response.Content.ReadAsStringAsync(ct);
    }

    /// <summary>Replaces the whole world with a document (all or nothing); with <paramref name="dryRun"/> only says what would change.</summary>
    public Task<ImportResult> ImportWorldAsync(string document, string format, bool dryRun, CancellationToken ct = default) =>
        SendForAsync<ImportResult>(() => new HttpRequestMessage(HttpMethod.Post, $"api/v1/world/import{(dryRun ? "?dryRun=true" : "")}")
        {
            Content = new StringContent(document, Encoding.UTF8, format == "yaml" ? "application/yaml" : "application/json"),
        }, read: false, ct);

    public Task<WorkloadView> PlaceAsync(WorkloadRequest request, CancellationToken ct = default) =>
        PlaceAsync(JsonSerializer.SerializeToNode(request, Json)!.AsObject(), ct);

    /// <summary>POST /api/v1/workloads with a body as JSON; every replica is placed, or none.</summary>
    public async Task<WorkloadView> PlaceAsync(JsonObject body, CancellationToken ct = default) =>
        Workload(await SendForAsync<JsonObject>(() => JsonRequest(HttpMethod.Post, "api/v1/workloads", body), read: false, ct));

    /// <summary>A workload, or null when there is none with that id (or the caller may not see it).</summary>
    public async Task<WorkloadView?> GetWorkloadAsync(string id, CancellationToken ct = default) =>
        await OrWhenMissing(async () => Workload(await GetAsync<JsonObject>($"api/v1/workloads/{Uri.EscapeDataString(id)}", ct)), null);

    public async Task<IReadOnlyList<WorkloadView>> ListWorkloadsAsync(string? tenant = null, CancellationToken ct = default) =>
        (await ListAllAsync<JsonObject>("api/v1/workloads", new Dictionary<string, string?> { ["tenant"] = tenant }, ct)).Select(Workload).ToArray();

    /// <summary>Releases a workload's capacity; false when there was none with that id.</summary>
    public Task<bool> ReleaseAsync(string id, CancellationToken ct = default) =>
        SendOrMissingAsync(HttpMethod.Delete, $"api/v1/workloads/{Uri.EscapeDataString(id)}", ct);

    /// <summary>Capacity of the hosts in service, per region and zone; per host too with <paramref name="hosts"/>.</summary>
    public Task<CapacityView> CapacityAsync(string? region = null, string? zone = null, string? boundary = null, bool hosts = false, CancellationToken ct = default) =>
        GetAsync<CapacityView>("api/v1/capacity" + Query(new Dictionary<string, string?>
        {
            ["region"] = region, ["zone"] = zone, ["boundary"] = boundary, ["hosts"] = hosts ? "true" : null,
        }), ct);

    /// <summary>How a facility's replicas would move; with <paramref name="apply"/>, marks it Draining and moves them.</summary>
    public Task<DrainView> DrainAsync(string facility, bool apply, CancellationToken ct = default) =>
        SendForAsync<DrainView>(() => new HttpRequestMessage(HttpMethod.Post, $"api/v1/facilities/{Uri.EscapeDataString(facility)}/drain{(apply ? "?apply=true" : "")}"), read: !apply, ct);

    /// <summary>Which region serves a client; when none may, the answer has a Problem and the exclusions instead of a region.</summary>
    public async Task<RouteView> RouteAsync(string service, string? lat, string? lon, string? country, string? policy, CancellationToken ct = default)
    {
        var path = "api/v1/route" + Query(new Dictionary<string, string?> { ["service"] = service, ["lat"] = lat, ["lon"] = lon, ["country"] = country, ["policy"] = policy });
        try
        {
            return await GetAsync<RouteView>(path, ct, retryUnavailable: false);
        }
        catch (MeridianApiException e) when (e.Status == 503 && e.Body is { } body && body["exclusions"] is JsonArray)
        {
            return body.Deserialize<RouteView>(Json)! with { Problem = e.Problem?.Detail ?? e.Problem?.Title };
        }
    }

    private static WorkloadView Workload(JsonObject node) => node.Deserialize<WorkloadView>(Json)! with { Spec = node };

    private static HttpRequestMessage JsonRequest(HttpMethod method, string path, JsonNode body, string contentType = "application/json") => new(method, path)
    {
        Content = new StringContent(body.ToJsonString(Json), Encoding.UTF8, contentType),
    };

    internal static string Query(IReadOnlyDictionary<string, string?> values)
    {
        var parts = values.Where(kv => kv.Value is not null).Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value!)}").ToArray();
        return parts.Length == 0 ? "" : "?" + string.Join('&', parts);
    }

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
