using System.Text.Json;
using Meridian.Core.Serialization;

namespace Meridian.Server.Http;

/// <summary>Answers in Meridian's JSON shape (camelCase, enums as strings). Endpoints answer typed views and declare
/// them with Produces&lt;T&gt;, so the OpenAPI document carries their schemas; a registry resource, answered in its stored
/// shape plus what is derived on the view date, is a JsonObject.</summary>
public static class ApiResults
{
    public static IResult Json<T>(T body, int status = StatusCodes.Status200OK) =>
        Results.Text(JsonSerializer.Serialize(body, MeridianJson.Options), "application/json", statusCode: status);
}
