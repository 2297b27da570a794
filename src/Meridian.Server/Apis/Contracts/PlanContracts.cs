using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Meridian.Server.Planning;

namespace Meridian.Server.Apis.Contracts;

/// <summary>A plan job: its state and progress, the request that started it, and its result once it has succeeded
/// (an expansion plan or a closure report; left out of lists).</summary>
public sealed record PlanView(
    string Id, string Kind, string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Stage,
    double Progress, DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? StartedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? FinishedAt,
    JsonObject Request,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] PlanError? Error,
    JsonNode? Result = null)
{
    public static PlanView Of(PlanJob job, bool withResult = true) => new(job.Id, job.Kind, job.State.ToString().ToLowerInvariant(), job.Progress.Stage,
        Math.Round(job.Progress.Fraction, 3), job.CreatedAt, job.StartedAt, job.FinishedAt, job.Request,
        job.Error is { } e ? new PlanError(e.Field, e.Message) : null, withResult ? job.Result : null);
}

/// <summary>Why a plan failed, naming the request field at fault when there is one.</summary>
public sealed record PlanError(string Field, string Message);
