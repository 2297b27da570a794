using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Meridian.Client;

public sealed partial class MeridianClient
{
    /// <summary>Follows the change log (GET /api/v1/changes?watch=true): changes in sequence order from
    /// <paramref name="since"/> (or from now), and bookmarks. A dropped stream, a stopping server or a 503 is resumed
    /// from the last sequence number seen, so nothing is lost or repeated; 410 (<paramref name="since"/> older than the
    /// log keeps) and other refusals throw <see cref="MeridianApiException"/>.</summary>
    public async IAsyncEnumerable<WatchEvent> WatchChangesAsync(string? kind = null, long? since = null, string? id = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var cursor = since;
        for (var attempt = 1; ; attempt++)
        {
            using var response = await OpenWatchAsync(kind, cursor, id, attempt, ct);
            if (response is null) continue;
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            while (await ReadEventAsync(reader, ct) is { } e)
            {
                attempt = 0;
                cursor = e.Seq;
                yield return e;
            }
            await Task.Delay(Backoff(Math.Max(1, attempt), null), ct);
        }
    }

    /// <summary>The stream, or null when it should be tried again (unreachable, 503).</summary>
    private async Task<HttpResponseMessage?> OpenWatchAsync(string? kind, long? since, string? id, int attempt, CancellationToken ct)
    {
        var path = "api/v1/changes" + Query(new Dictionary<string, string?> { ["watch"] = "true", ["kind"] = kind, ["id"] = id, ["since"] = since?.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException { InnerException: TimeoutException } && !ct.IsCancellationRequested)
        {
            if (attempt >= ReadAttempts) throw new ServerUnreachableException(Server, Reason(e), e);
            await Task.Delay(Backoff(attempt, null), ct);
            return null;
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var retryAfter = response.Headers.RetryAfter?.Delta;
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < ReadAttempts)
            {
                await Task.Delay(Backoff(attempt, retryAfter), ct);
                return null;
            }
            throw Failure((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct), retryAfter, request);
        }
    }

    /// <summary>The next event of the stream, or null when the stream ended or broke.</summary>
    private static async Task<WatchEvent?> ReadEventAsync(StreamReader reader, CancellationToken ct)
    {
        string? type = null, data = null, id = null;
        try
        {
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.Length == 0)
                {
                    if (id is not null && long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq))
                    {
                        if (type == "change" && data is not null) return new WatchEvent(seq, JsonSerializer.Deserialize<ChangeEntry>(data, Json));
                        if (type == "bookmark") return new WatchEvent(seq, null);
                    }
                    (type, data, id) = (null, null, null);
                    continue;
                }
                if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
                else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !ct.IsCancellationRequested)
        {
            // The connection dropped: the caller resumes from the last event.
        }
        return null;
    }
}
