using System.Text.Json;
using System.Text.Json.Nodes;

namespace Meridian.Client;

/// <summary>Tenants and tokens.</summary>
public sealed partial class MeridianClient
{
    public async Task<TenantView> CreateTenantAsync(string id, string? description, TenantQuota? quota, CancellationToken ct = default)
    {
        var body = new JsonObject { ["id"] = id, ["description"] = description, ["quota"] = quota is null ? null : JsonSerializer.SerializeToNode(quota, Json) };
        using var response = await SendAsync(() => JsonRequest(HttpMethod.Post, "api/v1/tenants", body), read: false, ct);
        return await TenantAsync(response, ct);
    }

    public Task<IReadOnlyList<TenantView>> ListTenantsAsync(CancellationToken ct = default) =>
        ListAllAsync<TenantView>("api/v1/tenants", new Dictionary<string, string?>(), ct);

    /// <summary>A tenant with its ETag, or null when there is none.</summary>
    public Task<TenantView?> GetTenantAsync(string id, CancellationToken ct = default) => OrWhenMissing<TenantView?>(async () =>
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"api/v1/tenants/{Uri.EscapeDataString(id)}"), read: true, ct);
        return await TenantAsync(response, ct);
    }, null);

    /// <summary>Changes a tenant with a JSON merge patch (RFC 7396), only if it is still at <paramref name="ifMatch"/>
    /// (412 otherwise) when one is given.</summary>
    public async Task<TenantView> PatchTenantAsync(string id, JsonObject mergePatch, string? ifMatch, CancellationToken ct = default)
    {
        using var response = await SendAsync(() =>
        {
            var request = JsonRequest(HttpMethod.Patch, $"api/v1/tenants/{Uri.EscapeDataString(id)}", mergePatch, "application/merge-patch+json");
            if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            return request;
        }, read: false, ct);
        return await TenantAsync(response, ct);
    }

    /// <summary>Deletes a tenant; false when there was none.</summary>
    public Task<bool> DeleteTenantAsync(string id, CancellationToken ct = default) =>
        SendOrMissingAsync(HttpMethod.Delete, $"api/v1/tenants/{Uri.EscapeDataString(id)}", ct);

    /// <summary>Creates a token; the answer's <see cref="TokenView.Token"/> holds its secret, this once.</summary>
    public Task<TokenView> CreateTokenAsync(string name, string role, string? tenant, DateTimeOffset? expiresAt, CancellationToken ct = default) =>
        SendForAsync<TokenView>(() => JsonRequest(HttpMethod.Post, "api/v1/tokens", new JsonObject
        {
            ["name"] = name, ["role"] = role, ["tenant"] = tenant, ["expiresAt"] = expiresAt?.ToString("O"),
        }), read: false, ct);

    public Task<IReadOnlyList<TokenView>> ListTokensAsync(CancellationToken ct = default) =>
        ListAllAsync<TokenView>("api/v1/tokens", new Dictionary<string, string?>(), ct, paged: false);

    /// <summary>Revokes a token; null when there is none with that id.</summary>
    public Task<TokenView?> RevokeTokenAsync(string id, CancellationToken ct = default) => OrWhenMissing<TokenView?>(async () =>
    {
        var token = await GetAsync<TokenView>($"api/v1/tokens/{Uri.EscapeDataString(id)}", ct);
        return await SendOrMissingAsync(HttpMethod.Delete, $"api/v1/tokens/{Uri.EscapeDataString(id)}", ct) ? token : null;
    }, null);

    private static async Task<TenantView> TenantAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var tenant = JsonSerializer.Deserialize<TenantView>(await response.Content.ReadAsStringAsync(ct), Json)!;
        return tenant with { ETag = response.Headers.ETag?.ToString() };
    }
}
