using System.Reflection;
using Microsoft.AspNetCore.StaticFiles;

namespace Meridian.Server.Pages;

/// <summary>Serves the console built from web/ and embedded in this assembly: "/" is its index.html, "/assets/..." its
/// scripts and styles (their names carry a content hash, so they may be cached for good).</summary>
internal static class ConsoleFiles
{
    private static readonly Assembly Assembly = typeof(ConsoleFiles).Assembly;
    private static readonly FileExtensionContentTypeProvider Types = new();

    public static bool Available => Assembly.GetManifestResourceInfo("wwwroot/index.html") is not null;

    public static void MapConsole(this IEndpointRouteBuilder app)
    {
        // The console's files are public; everything it shows comes from the API with the token its login holds.
        app.MapGet("/", () => Serve("index.html", cache: false)).ExcludeFromDescription().AllowAnonymous();
        app.MapGet("/assets/{file}", (string file) => Serve($"assets/{file}", cache: true)).ExcludeFromDescription().AllowAnonymous();
    }

    private static IResult Serve(string path, bool cache)
    {
        var stream = Assembly.GetManifestResourceStream($"wwwroot/{path}");
        if (stream is null) return Results.NotFound();
        if (!Types.TryGetContentType(path, out var type)) type = "application/octet-stream";
        return Results.Stream(stream, type, lastModified: null, entityTag: null, enableRangeProcessing: false) is var result && cache
            ? new CachedResult(result)
            : result;
    }

    private sealed class CachedResult(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
