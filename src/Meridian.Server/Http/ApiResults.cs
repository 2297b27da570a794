using System.Text.Json.Nodes;
using Meridian.Core.Serialization;

namespace Meridian.Server.Http;

/// <summary>Answers in Meridian's JSON shape (camelCase, enums as strings).</summary>
public static class ApiResults
{
    public static IResult Json(JsonNode body, int status = StatusCodes.Status200OK) =>
        Results.Text(body.ToJsonString(MeridianJson.Options), "application/json", statusCode: status);
}
