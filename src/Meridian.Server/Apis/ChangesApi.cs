using Meridian.Core.Serialization;
using System.Globalization;
using System.Text.Json.Nodes;
using Meridian.Core.Registry;
using Meridian.Server.Http;
using Meridian.Server.Security;
using Meridian.Storage.Security;
using Meridian.Storage;
using Meridian.Storage.Changes;

using Meridian.Server.Apis.Contracts;

namespace Meridian.Server.Apis;

/// <summary>GET /api/v1/changes: the change log, newest first.</summary>
internal static class ChangesApi
{
    public static void MapChanges(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/changes", async (HttpContext http, IWorldStore store, ChangeWatch watch) =>
            {
                var q = http.Request.Query;
                var watching = q["watch"].ToString() switch
                {
                    "" or "false" => false,
                    "true" => true,
                    _ => throw Problems.BadQuery("watch", "is true or false"),
                };
                foreach (var key in q.Keys)
                {
                    if (watching ? key is not ("kind" or "id" or "watch" or "since") : key is not ("kind" or "id" or "limit" or "cursor" or "watch"))
                        throw Problems.BadQuery(key, watching
                            ? "is not a filter of a watch; use kind, id, since"
                            : "is not a filter of changes; use kind, id, limit, cursor (or watch=true with since)");
                }
                string[] kinds = [.. Kinds.All.Select(x => x.Name), "workloads", "tenants", "health", "tokens", "auth"];
                // Token and authentication entries are for admins, as tokens are.
                var admin = Caller.Of(http).Role == Role.Admin;
                var kind = q["kind"].ToString() is { Length: > 0 } k
                    ? kinds.Contains(k) ? k : throw Problems.BadQuery("kind", $"'{k}' is not one of {string.Join(", ", kinds)}")
                    : null;
                if (watching)
                {
                    var resume = q["since"].ToString() is { Length: > 0 } sv ? ("since", sv)
                        : http.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } le ? ("Last-Event-ID", le) : default;
                    long? since = resume.Item1 is null ? null
                        : long.TryParse(resume.Item2, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                        : throw Problems.BadQuery(resume.Item1, "is a sequence number (a whole number, 0 or more) from the change log");
                    var watchedId = q["id"].ToString() is { Length: > 0 } wi ? wi : null;
                    await watch.StreamAsync(http, since, r =>
                        (kind is null || r.Kind == kind) && (watchedId is null || r.Id == watchedId) && (admin || r.Kind is not ("tokens" or "auth")));
                    return Results.Empty;
                }
                var limit = q["limit"].ToString() is { Length: > 0 } l ? ListQuery.ParseLimit(l) : ListQuery.DefaultLimit;
                var before = q["cursor"].ToString() is { Length: > 0 } c
                    ? long.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : throw Problems.BadQuery("cursor", "is not a cursor this server issued")
                    : (long?)null;
                var id = q["id"].ToString() is { Length: > 0 } i ? i : null;

                // One more than asked tells whether there is a next page.
                var rows = await store.ChangesAsync(new ChangeQuery(kind, id, before, limit + 1, ExcludeKinds: admin ? [] : ["tokens", "auth"]), http.RequestAborted);
                var page = rows.Take(limit).ToArray();
                return ApiResults.Json(new Page<ChangeView>([.. page.Select(ChangeView.Of)],
                    rows.Count > limit ? ResourcesApi.NextUrl(http.Request, page[^1].Seq.ToString(CultureInfo.InvariantCulture)) : null));
            })
            .WithTags("changes").WithName("list-changes")
            .WithSummary("The change log: who changed what and when, with the resource before and after")
            .WithDescription("Filters: kind, id. Newest first; pages with limit and cursor. With watch=true, a stream of " +
                             "server-sent events instead, oldest first from since (or Last-Event-ID): 'change' events with " +
                             "the entry, and 'bookmark' events with the last sequence number passed; 410 when since is older " +
                             "than the log keeps.")
            .Produces<Page<ChangeView>>().ProducesProblem(StatusCodes.Status410Gone)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // The same 200 is a stream with watch=true: one Produces per status would replace the JSON page.
                operation.Responses!["200"].Content!["text/event-stream"] = new Microsoft.OpenApi.OpenApiMediaType
                {
                    Schema = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.String, Description = "Server-sent events: 'change' (data: a ChangeView) and 'bookmark' (data: the last sequence number passed)" },
                };
                return Task.CompletedTask;
            })
            .WithQuery("kind", "id", "limit", "cursor", "watch", "since").Allow(Role.Viewer);
    }
}
