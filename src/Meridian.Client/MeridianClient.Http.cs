using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Meridian.Client;

public sealed partial class MeridianClient
{
    private async Task<T> GetAsync<T>(string path, CancellationToken ct, bool retryUnavailable = true) =>
        await SendForAsync<T>(() => new HttpRequestMessage(HttpMethod.Get, path), read: retryUnavailable, ct);

    private async Task<T> SendForAsync<T>(Func<HttpRequestMessage> request, bool read, CancellationToken ct)
    {
        using var response = await SendAsync(request, read, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            return JsonSerializer.Deserialize<T>(text, Json) ?? throw new JsonException("the answer is empty");
        }
        catch (JsonException e)
        {
            throw new MeridianApiException((int)response.StatusCode, new ApiProblem(null, "the server's answer is not what this client understands", (int)response.StatusCode,
                $"{e.Message} (is {Server} a Meridian server of the same version?)", null), null, response.RequestMessage?.Method.Method ?? "", response.RequestMessage?.RequestUri?.ToString() ?? "");
        }
    }

    /// <summary>The call's value, or <paramref name="missing"/> when the server answers 404 (none, or not visible to the caller).</summary>
    private static async Task<T> OrWhenMissing<T>(Func<Task<T>> call, T missing)
    {
        try
        {
            return await call();
        }
        catch (MeridianApiException e) when (e.Status == 404)
        {
            return missing;
        }
    }

    /// <summary>Sends a request whose answer has no body worth reading (204); false on 404.</summary>
    private Task<bool> SendOrMissingAsync(HttpMethod method, string path, CancellationToken ct) => OrWhenMissing(async () =>
    {
        using var _ = await SendAsync(() => new HttpRequestMessage(method, path), read: false, ct);
        return true;
    }, false);

    /// <summary>Sends a request (built afresh for each attempt); a success status comes back, anything else throws.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, bool read, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = build();
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException { InnerException: TimeoutException } && !ct.IsCancellationRequested)
            {
                if (read && attempt < ReadAttempts)
                {
                    await Task.Delay(Backoff(attempt, null), ct);
                    continue;
                }
                throw new ServerUnreachableException(Server, Reason(e), e);
            }
            if (response.IsSuccessStatusCode) return response;
            using (response)
            {
                var retryAfter = response.Headers.RetryAfter?.Delta ?? (response.Headers.RetryAfter?.Date is { } d ? d - DateTimeOffset.UtcNow : null);
                if (read && attempt < ReadAttempts && response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    await Task.Delay(Backoff(attempt, retryAfter), ct);
                    continue;
                }
                var text = await response.Content.ReadAsStringAsync(ct);
                throw Failure((int)response.StatusCode, text, retryAfter, request);
            }
        }
    }

    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var wanted = retryAfter ?? TimeSpan.FromMilliseconds(100 * (1 << Math.Min(attempt, 5)));
        return wanted < TimeSpan.Zero ? TimeSpan.Zero : wanted > MaxRetryDelay ? MaxRetryDelay : wanted;
    }

    private static MeridianApiException Failure(int status, string text, TimeSpan? retryAfter, HttpRequestMessage request)
    {
        ApiProblem? problem = null;
        JsonObject? body = null;
        try
        {
            body = JsonNode.Parse(text) as JsonObject;
            problem = body?.Deserialize<ApiProblem>(Json);
        }
        catch (JsonException)
        {
            // Not problem details (a proxy's error page): say what status came back.
        }
        problem ??= new ApiProblem(null, $"HTTP {status}", status, text.Length is > 0 and < 200 ? text.Trim() : null, null);
        var path = request.RequestUri?.OriginalString ?? "";
        return new MeridianApiException(status, problem, retryAfter, request.Method.Method, path) { Body = body };
    }

    private static string Reason(Exception e) => e switch
    {
        HttpRequestException { InnerException: SocketException s } => s.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused (is 'meridian serve' running there?)",
            SocketError.HostNotFound or SocketError.NoData => "no such host",
            _ => s.Message,
        },
        TaskCanceledException => "no answer before the timeout",
        _ => e.Message,
    };

    /// <summary>Every page of a list, following <c>next</c>.</summary>
    private async Task<IReadOnlyList<T>> ListAllAsync<T>(string path, IReadOnlyDictionary<string, string?> filters, CancellationToken ct, bool paged = true)
    {
        var items = new List<T>();
        string? next = path + Query(paged ? new Dictionary<string, string?>(filters) { ["limit"] = "1000" } : filters);
        while (next is not null)
        {
            var page = await GetAsync<Page<T>>(next, ct);
            items.AddRange(page.Items);
            // The server writes an absolute URL as it was asked; behind a proxy that may name another host, so only
            // its path and query are followed, on this client's server.
            next = page.Next is null ? null : Uri.TryCreate(page.Next, UriKind.Absolute, out var u) ? new Uri(Server, u.PathAndQuery).ToString() : page.Next;
        }
        return items;
    }
}
