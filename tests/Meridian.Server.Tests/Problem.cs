using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Meridian.Server.Tests;

internal static class Problem
{
    /// <summary>Asserts an RFC 9457 problem with the status, naming the field; returns it.</summary>
    public static async Task<JsonObject> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string? field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)status, body["status"]!.GetValue<int>());
        Assert.DoesNotContain("   at ", text); // never a stack trace
        if (field is not null)
        {
            var fields = body["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>()).ToArray();
            Assert.Contains(field, fields);
        }
        return body;
    }

    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
