using System.Diagnostics;
using Meridian.Core.Validation;
using Meridian.Placement.Model;
using Meridian.Storage.Ledger;

namespace Meridian.Server.Telemetry;

/// <summary>A placement through the API, measured as kube-scheduler measures its attempts, traced, and logged when refused.</summary>
internal static partial class Placements
{
    public static async Task<Workload> PlaceAsync(AllocationLedger ledger, WorkloadSpec spec, string actor, HttpContext http)
    {
        using var activity = MeridianMetrics.Source.StartActivity("place workload");
        activity?.SetTag("meridian.tenant", spec.Tenant);
        activity?.SetTag("meridian.replicas", spec.Replicas);
        var started = Stopwatch.GetTimestamp();
        var result = MeridianMetrics.Results.Error;
        try
        {
            var workload = await ledger.PlaceAsync(spec, actor, http.RequestAborted);
            result = MeridianMetrics.Results.Scheduled;
            activity?.SetTag("meridian.workload", workload.Id);
            return workload;
        }
        catch (PlacementRefusedException e)
        {
            result = MeridianMetrics.Results.Unschedulable;
            LogRefused(Logger(http), spec.Tenant, spec.Name, e.Problem.Constraint, e.Problem.Message);
            throw;
        }
        catch (RegistryException e) when (e.Kind is ProblemKind.Conflict or ProblemKind.Invalid)
        {
            // 409: other writers kept the hosts or the name is taken; 422: over quota, which is the tenant's limit.
            result = e.Kind == ProblemKind.Conflict ? MeridianMetrics.Results.Conflict : MeridianMetrics.Results.Unschedulable;
            throw;
        }
        finally
        {
            activity?.SetTag("meridian.result", result);
            MeridianMetrics.RecordPlacement(result, Stopwatch.GetElapsedTime(started));
        }
    }

    private static ILogger Logger(HttpContext http) => http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Meridian.Placement");

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Placement refused for {Tenant}/{Name}: {Constraint}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string tenant, string name, string constraint, string reason);
}
