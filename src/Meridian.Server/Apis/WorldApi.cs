using Meridian.Core.Serialization;
using System.Text.Json.Nodes;
using Meridian.Core.Validation;
using Meridian.Server.Http;
using Meridian.Server.Security;
using Meridian.Storage.Security;
using Meridian.Storage;
using Meridian.Storage.Changes;
using Meridian.Storage.Documents;

namespace Meridian.Server.Apis;

/// <summary>GET /api/v1/world exports the whole world; POST /api/v1/world/import replaces it, all or nothing.</summary>
internal static class WorldApi
{
    public static void MapWorld(this IEndpointRouteBuilder app, ServerOptions options)
    {
        // A world document may be 64 MiB and its tree several times that: one import (or dry run) at a time.
        var importSlot = new SemaphoreSlim(1, 1);
        app.MapGet("/api/v1/world", (HttpContext http, IWorldStore store) =>
            {
                var format = FormatOf(http.Request.Query["format"].ToString(), http.Request.Headers.Accept.ToString());
                var text = WorldDocument.Write(store.Current.World, format);
                return Results.Text(text, format == DocumentFormat.Yaml ? "application/yaml" : "application/json");
            })
            .WithTags("world").WithName("export-world")
            .WithSummary("Export the whole world as JSON or YAML (format=json|yaml, or Accept: application/yaml)")
            .Produces<Contracts.WorldExport>(200, "application/json", "application/yaml").WithQuery("format").Allow(Role.Viewer);

        app.MapPost("/api/v1/world/import", async (HttpContext http, IWorldStore store, EndpointPolicy endpoints) =>
            {
                var dryRun = http.Request.Query["dryRun"].ToString() is { Length: > 0 } d
                    ? bool.TryParse(d, out var b) ? b : throw Problems.BadQuery("dryRun", "is true or false")
                    : false;
                var format = FormatOf(http.Request.Query["format"].ToString(), http.Request.ContentType ?? "");
                if (!importSlot.Wait(0))
                    throw new RegistryException(ProblemKind.Busy, "another world import is running; retry when it has finished");
                try
                {
                    return await ImportAsync(http, store, endpoints, options, format, dryRun);
                }
                finally
                {
                    importSlot.Release();
                }
            })
            .WithTags("world").WithName("import-world")
            .WithSummary("Replace the whole world with a JSON or YAML document, all or nothing; dryRun=true only checks it")
            .WithDescription("Every problem is listed with its location (such as regions[3].location.latitude) in a 422 problem; nothing is written then.")
            .Accepts<Contracts.WorldExport>("application/json", "application/yaml", "application/x-yaml", "text/yaml")
            .Produces<Contracts.ImportSummary>().ProducesProblem(422).ProducesProblem(413).ProducesProblem(503).WithQuery("dryRun", "format").Allow(Role.Admin);
    }

    private static async Task<IResult> ImportAsync(HttpContext http, IWorldStore store, EndpointPolicy endpoints, ServerOptions options, DocumentFormat format, bool dryRun)
    {
        var text = await RequestBody.ReadTextAsync(http, options.MaxImportBodyBytes);
        var (world, errors) = WorldDocument.Read(text, format);
        if (world is not null && endpoints.Check(world) is { Count: > 0 } refused)
            (world, errors) = (null, refused);
        if (world is null)
            return Problems.Result(422, $"the world document has {errors.Count} problem(s); nothing was imported", errors, http);
        if (dryRun)
        {
            var planned = WorldDiff.Between(store.Current.World, world, "import");
            return Summary(true, planned.Select(c => (c.Before is not null, c.After is not null)));
        }
        var result = await store.WriteAsync(Caller.ActorOf(http), current => WorldDiff.Between(current, world, "import"), http.RequestAborted);
        return Summary(false, result.Changes.Select(c => (c.Before is not null, c.After is not null)));
    }

    /// <summary>What an import did (or, in a dry run, would do).</summary>
    private static IResult Summary(bool dryRun, IEnumerable<(bool HasBefore, bool HasAfter)> changes)
    {
        var list = changes.ToArray();
        return ApiResults.Json(new Contracts.ImportSummary(dryRun, Valid: true, list.Count(c => !c.HasBefore),
            list.Count(c => c.HasBefore && c.HasAfter), list.Count(c => !c.HasAfter)));
    }

    private static DocumentFormat FormatOf(string format, string mediaType) => format switch
    {
        "json" => DocumentFormat.Json,
        "yaml" => DocumentFormat.Yaml,
        "" => WorldDocument.FormatOf(mediaType),
        _ => throw RegistryException.Malformed(new FieldError("format", $"'{format}' is not json or yaml")),
    };
}
