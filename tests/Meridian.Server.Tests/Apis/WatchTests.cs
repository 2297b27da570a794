using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Meridian.Storage;

namespace Meridian.Server.Tests.Apis;

/// <summary>GET /api/v1/changes?watch=true: server-sent events in order, resumable with since, 410 when too old.</summary>
public sealed class WatchTests
{
    /// <summary>Reads a watch stream's events (id, type, data).</summary>
    internal sealed class Stream(HttpResponseMessage response) : IDisposable
    {
        private readonly StreamReader _reader = new(response.Content.ReadAsStream());

        public static async Task<Stream> OpenAsync(HttpClient http, string query)
        {
            var response = await http.GetAsync($"/api/v1/changes?watch=true{query}", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            return new Stream(response);
        }

        public async Task<(long Id, string Type, JsonObject Data)> NextAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a hang fails the test, not the run
            string? type = null, data = null, id = null;
            while (await _reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (type is not null) return (long.Parse(id!), type, JsonNode.Parse(data!)!.AsObject());
                    continue;
                }
                if (line.StartsWith("event: ")) type = line[7..];
                else if (line.StartsWith("data: ")) data = line[6..];
                else if (line.StartsWith("id: ")) id = line[4..];
            }
            throw new EndOfStreamException("the watch stream ended");
        }

        /// <summary>The next change event, skipping bookmarks.</summary>
        public async Task<JsonObject> NextChangeAsync()
        {
            while (true)
            {
                var (_, type, data) = await NextAsync();
                if (type == "change") return data;
            }
        }

        public void Dispose()
        {
            _reader.Dispose();
            response.Dispose();
        }
    }

    internal static async Task<long> NewestSeqAsync(MeridianHost host) =>
        (await host.GetJsonAsync("/api/v1/changes?limit=1"))["items"]!.AsArray()[0]!["seq"]!.GetValue<long>();

    /// <summary>Every change-log number after <paramref name="after"/>, oldest first, through the list API.</summary>
    internal static async Task<List<long>> SeqsAfterAsync(MeridianHost host, long after)
    {
        var seqs = new List<long>();
        string? next = "/api/v1/changes?limit=500";
        while (next is not null)
        {
            var page = await host.GetJsonAsync(next);
            var numbers = page["items"]!.AsArray().Select(i => i!["seq"]!.GetValue<long>()).ToArray();
            seqs.AddRange(numbers.Where(s => s > after));
            // Newest first: once a page reaches back to `after`, the older pages hold nothing wanted.
            next = page["next"]?.GetValue<string>() is { } n && numbers.Length > 0 && numbers[^1] > after ? new Uri(n).PathAndQuery : null;
        }
        seqs.Reverse();
        return seqs;
    }

    [Fact]
    public async Task A_client_gets_every_change_once_and_in_order_across_a_dropped_connection()
    {
        await using var host = await MeridianHost.StartAsync();
        var start = await NewestSeqAsync(host);
        var seen = new List<long>();
        using (var watch = await Stream.OpenAsync(host.Http, $"&since={start}"))
        {
            var (id, type, _) = await watch.NextAsync();
            Assert.Equal(("bookmark", start), (type, id));
            for (var i = 0; i < 10; i++) await host.TenantAsync($"t{i}");
            for (var i = 0; i < 6; i++) seen.Add((await watch.NextChangeAsync())["seq"]!.GetValue<long>());
        } // dropped with changes still unread
        for (var i = 10; i < 20; i++) await host.TenantAsync($"t{i}");
        using (var watch = await Stream.OpenAsync(host.Http, $"&since={seen[^1]}"))
        {
            while (seen.Count < 20) seen.Add((await watch.NextChangeAsync())["seq"]!.GetValue<long>());
        }
        Assert.Equal(await SeqsAfterAsync(host, start), seen);
    }

    [Fact]
    public async Task Filters_apply_and_a_viewer_never_sees_token_entries()
    {
        await using var host = await MeridianHost.StartAsync();
        var start = await NewestSeqAsync(host);
        var viewer = host.Client(await host.TokenAsync("viewer"));
        using var all = await Stream.OpenAsync(viewer, $"&since={start}");
        using var tenants = await Stream.OpenAsync(host.Http, $"&since={start}&kind=tenants");
        await host.TokenAsync("viewer");
        await host.TenantAsync("zeta");
        var first = await all.NextChangeAsync();
        Assert.Equal(("tenants", "zeta"), (first["kind"]!.GetValue<string>(), first["id"]!.GetValue<string>()));
        Assert.Equal("zeta", (await tenants.NextChangeAsync())["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_since_older_than_the_log_keeps_is_410_and_bad_values_are_400()
    {
        await using var host = await MeridianHost.StartAsync();
        await host.TenantAsync("older");
        var newest = await NewestSeqAsync(host);
        var store = (WorldStore)host.Services.GetService(typeof(WorldStore))!;
        Assert.True(await store.CompactChangesAsync(MeridianHost.Today.AddDays(1)) > 0);

        await Problem.AssertAsync(await host.Http.GetAsync("/api/v1/changes?watch=true&since=1"), HttpStatusCode.Gone, "since");
        using (var fromNewest = await Stream.OpenAsync(host.Http, $"&since={newest - 1}")) // the one entry kept
            Assert.Equal(newest, (await fromNewest.NextChangeAsync())["seq"]!.GetValue<long>());

        foreach (var (query, field) in new[]
                 {
                     ("watch=true&since=-1", "since"), ("watch=true&since=abc", "since"), ($"watch=true&since={newest + 5}", "since"),
                     ("watch=yes", "watch"), ("watch=true&limit=5", "limit"), ("watch=true&kind=nope", "kind"),
                 })
        {
            await Problem.AssertAsync(await host.Http.GetAsync($"/api/v1/changes?{query}"), HttpStatusCode.BadRequest, field);
        }
    }

    [Fact]
    public async Task Idle_watches_get_bookmarks_hold_no_request_slot_and_are_bounded()
    {
        await using var host = await MeridianHost.StartAsync(o => o with
        {
            MaxConcurrentRequests = 1, MaxQueuedRequests = 0,
            Changes = new Meridian.Server.Apis.ChangesOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200), MaxWatchers = 2 },
        });
        var newest = await NewestSeqAsync(host);
        using var a = await Stream.OpenAsync(host.Http, "");
        using var b = await Stream.OpenAsync(host.Http, "");
        for (var i = 0; i < 2; i++)
        {
            var (id, type, data) = await a.NextAsync();
            Assert.Equal(("bookmark", newest, newest), (type, id, data["seq"]!.GetValue<long>()));
        }
        // Two open streams, one request slot: ordinary requests are still served.
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/api/v1/regions?limit=1")).StatusCode);
        var third = await host.Http.GetAsync("/api/v1/changes?watch=true", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.NotNull(third.Headers.RetryAfter);
    }
}
