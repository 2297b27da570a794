using Meridian.Core.Validation;

namespace Meridian.Server.Http;

/// <summary>Turns every refused request into problem details: registry refusals keep their status, Kestrel's own
/// (such as an oversized body) keep theirs, and anything unexpected is a 500 without a stack trace.</summary>
internal sealed partial class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (RegistryException e) when (!context.Response.HasStarted)
        {
            await Problems.From(e, context).ExecuteAsync(context);
        }
        catch (Meridian.Storage.Ledger.PlacementRefusedException e) when (!context.Response.HasStarted)
        {
            await Apis.WorkloadsApi.Refused(e, context).ExecuteAsync(context);
        }
        catch (Meridian.Planning.Instances.PlanningInputException e) when (!context.Response.HasStarted)
        {
            await Problems.Result(422, e.Message, [new FieldError(e.Field, e.Message)], context).ExecuteAsync(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await Problems.Result(e.StatusCode, e.Message, [], context).ExecuteAsync(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && Unavailable(context, e))
        {
            // The database is down or restarting: the client may retry (on this replica or another); nothing acknowledged was lost.
            LogUnavailable(logger, e.Message);
            context.Response.Headers.RetryAfter = "1";
            await Problems.Result(503, "the database is unavailable; retry shortly", [new FieldError("database", "unreachable or restarting")], context).ExecuteAsync(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            LogUnexpected(logger, e, context.Request.Method, context.Request.Path);
            await Problems.Result(500, "An unexpected error occurred; it has been logged.", [], context).ExecuteAsync(context);
        }
    }

    private static bool Unavailable(HttpContext context, Exception e) =>
        e is Meridian.Storage.Data.StoreUnavailableException ||
        context.RequestServices.GetService<Meridian.Storage.WorldStore>()?.Database.IsUnavailable(e) == true;

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Database unavailable: {Message}")]
    private static partial void LogUnavailable(ILogger logger, string message);

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unexpected error serving {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception e, string method, string path);
}
