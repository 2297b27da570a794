using Meridian.Core.Serialization;
using System.Text.Json.Nodes;
using Meridian.Core.Validation;

namespace Meridian.Server.Http;

/// <summary>RFC 9457 problem details, with the fields at fault in an "errors" list.</summary>
public static class Problems
{
    public static int StatusOf(ProblemKind kind) => kind switch
    {
        ProblemKind.Malformed => StatusCodes.Status400BadRequest,
        ProblemKind.Invalid => StatusCodes.Status422UnprocessableEntity,
        ProblemKind.NotFound => StatusCodes.Status404NotFound,
        ProblemKind.Conflict => StatusCodes.Status409Conflict,
        ProblemKind.StaleVersion => StatusCodes.Status412PreconditionFailed,
        _ => StatusCodes.Status400BadRequest,
    };

    public static IResult From(RegistryException e, HttpContext context) =>
        Result(StatusOf(e.Kind), e.Message, e.Errors, context);

    public static IResult Result(int status, string detail, IReadOnlyList<FieldError> errors, HttpContext context) =>
        Results.Text(Body(status, detail, errors, context).ToJsonString(MeridianJson.Options), "application/problem+json", statusCode: status);

    public static JsonObject Body(int status, string detail, IReadOnlyList<FieldError> errors, HttpContext context)
    {
        var body = new JsonObject
        {
            ["type"] = $"https://meridian.dev/problems/{status}",
            ["title"] = Title(status),
            ["status"] = status,
            ["detail"] = detail,
            ["instance"] = context.Request.Path.Value,
        };
        if (errors.Count > 0)
            body["errors"] = new JsonArray(errors.Select(e => (JsonNode)new JsonObject { ["field"] = e.Field, ["message"] = e.Message }).ToArray());
        return body;
    }

    public static RegistryException BadQuery(string field, string message) => RegistryException.Malformed(new FieldError(field, message));

    private static string Title(int status) => status switch
    {
        400 => "The request could not be read",
        404 => "Not found",
        409 => "Conflict with the current state",
        412 => "The resource has changed",
        413 => "The request body is too large",
        415 => "Unsupported media type",
        422 => "The request breaks a rule",
        503 => "Unavailable",
        _ => "Error",
    };
}
