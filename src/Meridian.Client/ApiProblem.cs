namespace Meridian.Client;

/// <summary>One field the server refused, as named in an RFC 9457 problem's <c>errors</c>.</summary>
public sealed record FieldProblem(string Field, string Message);

/// <summary>An RFC 9457 problem details body, as Meridian writes them.</summary>
public sealed record ApiProblem(string? Type, string? Title, int? Status, string? Detail, IReadOnlyList<FieldProblem>? Errors);

/// <summary>The server answered with an error status. <see cref="Problem"/> holds its problem details when it sent
/// them (it always does for 4xx and 503); <see cref="RetryAfter"/> the delay it asked for on 429 and 503.</summary>
public sealed class MeridianApiException(int status, ApiProblem? problem, TimeSpan? retryAfter, string method, string path)
    : Exception($"{method} {path}: {status} {problem?.Detail ?? problem?.Title ?? "error"}")
{
    public int Status { get; } = status;

    public ApiProblem? Problem { get; } = problem;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    public IReadOnlyList<FieldProblem> Errors => Problem?.Errors ?? [];

    /// <summary>The whole JSON body of the answer, for extensions beyond RFC 9457's members.</summary>
    public System.Text.Json.Nodes.JsonObject? Body { get; init; }
}

/// <summary>The server could not be reached (refused, reset, name unknown, timed out).</summary>
public sealed class ServerUnreachableException(Uri server, string reason, Exception inner)
    : Exception($"cannot reach the server at {server}: {reason}", inner)
{
    public Uri Server { get; } = server;
}
