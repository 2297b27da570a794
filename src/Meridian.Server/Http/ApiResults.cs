using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Core.Serialization;

namespace Meridian.Server.Http;

/// <summary>Answers in Meridian's JSON shape (camelCase, enums as strings). Endpoints answer typed views and declare
/// them with Produces&lt;T&gt;, so the OpenAPI document carries their schemas.</summary>
public static class ApiResults
{
    public static IResult Json<T>(T body, int status = StatusCodes.Status200OK) =>
        Results.Text(JsonSerializer.Serialize(body, MeridianJson.Options), "application/json", statusCode: status);

    /// <summary>For answers whose shape is the resource's own (registry resources with their derived fields).</summary>
    public static IResult Json(JsonNode body, int status = StatusCodes.Status200OK) =>
        Results.Text(body.ToJsonString(MeridianJson.Options), "application/json", statusCode: status);
}
