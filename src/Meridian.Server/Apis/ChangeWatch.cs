using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Core.Serialization;
using Meridian.Server.Http;
using Meridian.Storage;
using Meridian.Storage.Changes;
using Microsoft.AspNetCore.Http.Features;

namespace Meridian.Server.Apis;

/// <summary>GET /api/v1/changes?watch=true&amp;since=SEQ: the change log as server-sent events, in sequence order, as
/// Kubernetes' watch and kine's watch over SQL do. Only entries up to the feed's stable position are sent (no gap below
/// them), so one that commits late under a lower number is never skipped; a client resumes with <c>since</c> (or
/// Last-Event-ID) at the last id it saw and loses nothing. Idle streams get a bookmark (the last sequence number passed)
/// every <see cref="ChangesOptions.BookmarkInterval"/>. Each stream reads the log in pages and writes with back-pressure,
/// so a slow client costs one page of memory; at most <see cref="ChangesOptions.MaxWatchers"/> streams at once.</summary>
internal sealed class ChangeWatch(WorldStore store, ChangesOptions options, IHostApplicationLifetime lifetime, TimeProvider time)
{
    private const int Page = 256;
    private int _watchers;

    public int Watchers => Volatile.Read(ref _watchers);

    /// <summary>Checks the request, then streams until the client leaves or the server stops.</summary>
    public async Task StreamAsync(HttpContext http, long? since, Func<ChangeRecord, bool> visible)
    {
        // The slot is taken first: a flood of watch requests costs no database reads past the bound.
        if (Interlocked.Increment(ref _watchers) > options.MaxWatchers)
        {
            Interlocked.Decrement(ref _watchers);
            http.Response.Headers.RetryAfter = Problems.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await Problems.Result(503, $"{options.MaxWatchers} watches are open on this server; retry later or on another replica", [], http).ExecuteAsync(http);
            return;
        }
        try
        {
            var (oldest, newest) = await store.ChangeRangeAsync(http.RequestAborted);
            var from = since ?? store.Feed.StablePosition;
            // Entries after `since` were compacted away: the client must list again (Kubernetes' 410 Gone).
            if (since is { } s && oldest > 0 && s < oldest - 1)
            {
                await Problems.Result(StatusCodes.Status410Gone,
                    $"changes after {s} are no longer kept (the oldest kept is {oldest}); list the current state and watch from the newest change",
                    [new("since", $"is older than the oldest change kept ({oldest})")], http).ExecuteAsync(http);
                return;
            }
            if (since is { } ahead && ahead > newest)
                throw Problems.BadQuery("since", $"is ahead of the change log, whose newest change is {newest}");
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
            await SendAsync(http, from, visible, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // The client left or the server is stopping: the stream just ends, and the client resumes with since.
        }
        finally
        {
            Interlocked.Decrement(ref _watchers);
        }
    }

    private async Task SendAsync(HttpContext http, long cursor, Func<ChangeRecord, bool> visible, CancellationToken ct)
    {
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass events on as they come
        var body = http.Response.Body;
        await WriteAsync(body, $"retry: 2000\n\n", ct);
        await WriteBookmarkAsync(body, cursor, ct);
        var lastSent = time.GetTimestamp();
        while (true)
        {
            var stable = store.Feed.StablePosition;
            if (stable > cursor)
            {
                var rows = await store.ChangesAfterAsync(cursor, stable, Page, ct);
                foreach (var row in rows)
                {
                    if (row.Kind != ChangeLog.GapKind && visible(row))
                        await WriteAsync(body, $"id: {row.Seq}\nevent: change\ndata: {JsonSerializer.Serialize(Contracts.ChangeView.Of(row), MeridianJson.Options)}\n\n", ct);
                    cursor = row.Seq;
                }
                // Fewer than a page: everything up to the stable position was read (the rest were compacted or filtered).
                if (rows.Count < Page) cursor = stable;
                await body.FlushAsync(ct);
                if (rows.Count > 0) lastSent = time.GetTimestamp();
                continue;
            }
            var quiet = time.GetElapsedTime(lastSent);
            if (quiet >= options.BookmarkInterval)
            {
                await WriteBookmarkAsync(body, cursor, ct);
                lastSent = time.GetTimestamp();
                continue;
            }
            await store.Feed.WaitPastAsync(cursor, options.BookmarkInterval - quiet, ct);
        }
    }

    private static async Task WriteBookmarkAsync(Stream body, long seq, CancellationToken ct)
    {
        var data = new JsonObject { ["seq"] = seq };
        await WriteAsync(body, $"id: {seq}\nevent: bookmark\ndata: {data.ToJsonString()}\n\n", ct);
        await body.FlushAsync(ct);
    }

    private static ValueTask WriteAsync(Stream body, string text, CancellationToken ct) => body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
}

/// <summary>The change log's retention and watch streams.</summary>
public sealed record ChangesOptions
{
    /// <summary>How long change-log entries are kept; older ones are deleted (a watch from before them answers 410).
    /// Zero keeps them for ever. Default 30 days.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How often old entries are looked for. Default 1 hour.</summary>
    public TimeSpan CompactionInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How often an idle watch is sent a bookmark. Default 10 s.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Watch streams open at once on one server; past it, 503 with Retry-After. Default 256.</summary>
    public int MaxWatchers { get; init; } = 256;
}
