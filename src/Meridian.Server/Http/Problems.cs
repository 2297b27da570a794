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
        ProblemKind.Busy => StatusCodes.Status503ServiceUnavailable,
        ProblemKind.Forbidden => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status400BadRequest,
    };

    public static IResult From(RegistryException e, HttpContext context)
    {
        if (e.Kind == ProblemKind.Busy) context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Result(StatusOf(e.Kind), e.Message, e.Errors, context);
    }

    /// <summary>What a 429 or 503 tells a client to wait before trying again.</summary>
    public const int RetryAfterSeconds = 5;

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
            ["instance"] = Instance(context),
            // Quoted in a bug report, it finds the request's trace and log lines.
            ["traceId"] = Telemetry.Observability.TraceId ?? context.TraceIdentifier,
        };
        if (errors.Count > 0)
            body["errors"] = new JsonArray(errors.Select(e => (JsonNode)new JsonObject { ["field"] = e.Field, ["message"] = e.Message }).ToArray());
        return body;
    }

    /// <summary>The request's path, cut short when it is long (a 414's path is the problem, not worth echoing).</summary>
    private static string Instance(HttpContext context)
    {
        var path = (context.Request.PathBase + context.Request.Path).Value ?? "";
        return path.Length <= 256 ? path : path[..256] + "...";
    }

    public static RegistryException BadQuery(string field, string message) => RegistryException.Malformed(new FieldError(field, message));

    private static string Title(int status) => status switch
    {
        400 => "The request could not be read",
        401 => "Not authenticated",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        406 => "Not acceptable",
        408 => "Request timeout",
        409 => "Conflict with the current state",
        410 => "No longer available",
        412 => "The resource has changed",
        411 => "Length required",
        413 => "The request body is too large",
        414 => "The request target is too long",
        415 => "Unsupported media type",
        422 => "The request breaks a rule",
        429 => "Too many requests",
        431 => "The request headers are too large",
        500 => "Internal error",
        502 => "Bad gateway",
        503 => "Unavailable",
        504 => "Gateway timeout",
        _ => status < 500 ? "The request was refused" : "The server could not answer",
    };
}
