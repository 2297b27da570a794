using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.Metadata;

namespace Meridian.Server.Http;

/// <summary>The query parameters an API operation takes; anything else is refused with 400 naming it.</summary>
public sealed class QueryParameters(params string[] names)
{
    public IReadOnlyList<string> Names { get; } = names;
}

/// <summary>Checks every API request once, at the edge, before its handler runs: the size of its request line and
/// headers, where a write comes from (a browser on another site may not write), the media type of its body, and its
/// query parameters. Sets the security headers on every answer. Refusals are problem details; nothing is written.</summary>
internal sealed class RequestGuard(RequestDelegate next)
{
    public const int MaxTargetBytes = 8 * 1024;
    public const int MaxHeaderBytes = 32 * 1024;

    public Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        var api = path.StartsWith("/api/", StringComparison.Ordinal);
        SecurityHeaders(http, path, api);

        var target = path.Length + (http.Request.QueryString.Value?.Length ?? 0);
        if (target > MaxTargetBytes)
            return Refuse(http, 414, $"the path and query are longer than {MaxTargetBytes} bytes", "path");
        long headerBytes = 0;
        foreach (var (name, values) in http.Request.Headers) headerBytes += name.Length + values.ToString().Length + 4;
        if (headerBytes > MaxHeaderBytes)
            return Refuse(http, 431, $"the request headers are larger than {MaxHeaderBytes} bytes in all", "headers");
        if (!api) return next(http);

        var method = http.Request.Method;
        var unsafeMethod = !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));
        if (unsafeMethod && CrossOrigin(http.Request) is { } why)
            return Refuse(http, 403, $"a write from another site is refused ({why})", "Origin");

        var endpoint = http.GetEndpoint();
        if (endpoint is null) return next(http); // 404 comes from routing, as problem details
        if (endpoint is not RouteEndpoint)
        {
            // Routing's own answers: 405 for a method no operation takes, 415 for a media type none accepts.
            if (endpoint.DisplayName?.StartsWith("415", StringComparison.Ordinal) == true)
                return Refuse(http, 415, $"'{http.Request.ContentType}' is not accepted here; /openapi/v1.json lists each operation's media types", "Content-Type");
            return next(http);
        }
        if (unsafeMethod && MediaTypeProblem(http, endpoint) is { } media)
            return media;
        var allowed = endpoint.Metadata.GetMetadata<QueryParameters>()?.Names ?? [];
        foreach (var key in http.Request.Query.Keys)
        {
            if (!allowed.Contains(key, StringComparer.Ordinal))
                return Refuse(http, 400, allowed.Count == 0 ? $"'{key}' is not a parameter of this operation; it takes none"
                    : $"'{key}' is not a parameter of this operation; use {string.Join(", ", allowed)}", key);
        }
        return next(http);
    }

    private static void SecurityHeaders(HttpContext http, string path, bool api)
    {
        if (path.StartsWith("/gw/", StringComparison.Ordinal)) return; // a proxied answer keeps the backend's headers
        var h = http.Response.Headers;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "no-referrer";
        h.ContentSecurityPolicy = api || path.StartsWith("/openapi", StringComparison.Ordinal)
            ? "default-src 'none'; frame-ancestors 'none'"
            // The console and Swagger UI: their own scripts only; d3 and Swagger set inline styles.
            : "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
        if (api) h.CacheControl = "no-store";
    }

    /// <summary>Why a write comes from another site, or null. Browsers send Sec-Fetch-Site (and Origin) on every
    /// cross-site request, including the form posts and "simple" fetches that skip a CORS preflight.</summary>
    private static string? CrossOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0) return site is "same-origin" or "none" ? null : $"Sec-Fetch-Site: {site}";
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return null; // not a browser, or a same-origin GET-like request
        return Uri.TryCreate(origin, UriKind.Absolute, out var o) && string.Equals(o.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"Origin: {origin}";
    }

    /// <summary>A write's body must be one of the media types its operation declares (415 otherwise); an operation
    /// that declares none takes no body.</summary>
    private static Task? MediaTypeProblem(HttpContext http, Endpoint endpoint)
    {
        var request = http.Request;
        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (!hasBody) return null;
        var accepts = endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes ?? [];
        if (accepts.Count == 0) return Refuse(http, 415, "this operation takes no body", "Content-Type");
        var list = string.Join(", ", accepts);
        http.Response.Headers[HttpMethods.IsPatch(request.Method) ? "Accept-Patch" : "Accept-Post"] = list;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || type.MediaType is null)
            return Refuse(http, 415, $"send the body with Content-Type {list}", "Content-Type");
        if (type.CharSet is { Length: > 0 } charset && !charset.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            return Refuse(http, 415, $"the body must be UTF-8, not {charset}", "Content-Type");
        return accepts.Contains(type.MediaType, StringComparer.OrdinalIgnoreCase) ? null
            : Refuse(http, 415, $"{type.MediaType} is not accepted here; send {list}", "Content-Type");
    }

    private static Task Refuse(HttpContext http, int status, string detail, string field) =>
        Problems.Result(status, detail, [new(field, detail)], http).ExecuteAsync(http);
}

internal static class QueryParameterExtensions
{
    /// <summary>Lists an operation's query parameters in the OpenAPI document, from the same declaration the guard enforces.</summary>
    public static Task Document(Microsoft.OpenApi.OpenApiOperation operation, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext context, CancellationToken _)
    {
        var names = context.Description.ActionDescriptor.EndpointMetadata.OfType<QueryParameters>().LastOrDefault()?.Names ?? [];
        foreach (var name in names)
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new Microsoft.OpenApi.OpenApiParameter
            {
                Name = name,
                In = Microsoft.OpenApi.ParameterLocation.Query,
                Schema = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.String },
            });
        }
        return Task.CompletedTask;
    }

    /// <summary>Declares the query parameters an operation takes; <see cref="RequestGuard"/> refuses any other.</summary>
    public static TBuilder WithQuery<TBuilder>(this TBuilder builder, params string[] names) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new QueryParameters(names));
}
