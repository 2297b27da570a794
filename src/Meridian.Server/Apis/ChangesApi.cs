using Meridian.Core.Serialization;
using System.Globalization;
using System.Text.Json.Nodes;
using Meridian.Core.Registry;
using Meridian.Server.Http;
using Meridian.Server.Security;
using Meridian.Storage.Security;
using Meridian.Storage;
using Meridian.Storage.Changes;

namespace Meridian.Server.Apis;

/// <summary>GET /api/v1/changes: the change log, newest first.</summary>
internal static class ChangesApi
{
    public static void MapChanges(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/changes", async (HttpContext http, IWorldStore store) =>
            {
                var q = http.Request.Query;
                foreach (var key in q.Keys)
                {
                    if (key is not ("kind" or "id" or "limit" or "cursor"))
                        throw Problems.BadQuery(key, "is not a filter of changes; use kind, id, limit, cursor");
                }
                string[] kinds = [.. Kinds.All.Select(x => x.Name), "workloads", "tenants", "health", "tokens", "auth"];
                // Token and authentication entries are for admins, as tokens are.
                var admin = Caller.Of(http).Role == Role.Admin;
                var kind = q["kind"].ToString() is { Length: > 0 } k
                    ? kinds.Contains(k) ? k : throw Problems.BadQuery("kind", $"'{k}' is not one of {string.Join(", ", kinds)}")
                    : null;
                var limit = q["limit"].ToString() is { Length: > 0 } l ? ListQuery.ParseLimit(l) : ListQuery.DefaultLimit;
                var before = q["cursor"].ToString() is { Length: > 0 } c
                    ? long.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : throw Problems.BadQuery("cursor", "is not a cursor this server issued")
                    : (long?)null;
                var id = q["id"].ToString() is { Length: > 0 } i ? i : null;

                // One more than asked tells whether there is a next page.
                var rows = await store.ChangesAsync(new ChangeQuery(kind, id, before, limit + 1, ExcludeKinds: admin ? [] : ["tokens", "auth"]), http.RequestAborted);
                var page = rows.Take(limit).ToArray();
                var body = new JsonObject
                {
                    ["items"] = new JsonArray(page.Select(ToJson).ToArray()),
                    ["next"] = rows.Count > limit ? ResourcesApi.NextUrl(http.Request, page[^1].Seq.ToString(CultureInfo.InvariantCulture)) : null,
                };
                return ApiResults.Json(body);
            })
            .WithTags("changes").WithName("list-changes")
            .WithSummary("The change log: who changed what and when, with the resource before and after")
            .WithDescription("Filters: kind, id. Newest first; pages with limit and cursor.")
            .Produces<JsonObject>().WithQuery("kind", "id", "limit", "cursor").Allow(Role.Viewer);
    }

    private static JsonNode ToJson(ChangeRecord r) => new JsonObject
    {
        ["seq"] = r.Seq,
        ["at"] = r.At.ToString("O", CultureInfo.InvariantCulture),
        ["actor"] = r.Actor,
        ["action"] = r.Action,
        ["kind"] = r.Kind,
        ["id"] = r.Id,
        ["generation"] = r.Generation,
        ["before"] = r.Before?.DeepClone(),
        ["after"] = r.After?.DeepClone(),
    };
}
