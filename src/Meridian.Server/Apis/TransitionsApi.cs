using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Server.Http;
using Meridian.Server.Security;
using Meridian.Storage.Security;
using Meridian.Core.Validation;
using Meridian.Storage;
using Meridian.Storage.Registry;

namespace Meridian.Server.Apis;

/// <summary>POST /api/v1/{regions|zones|facilities}/{id}/transitions: the one way a lifecycle moves.</summary>
internal static class TransitionsApi
{
    /// <summary>The body: the new status, from when (default today), whether that date is an estimate, and a note.</summary>
    public sealed record TransitionRequest(LifecycleStatus Status, DateOnly? On = null, bool Estimated = false, string? Note = null);

    public static void MapTransitions(this RouteGroupBuilder group, ResourceKind kind, ServerOptions options)
    {
        group.MapPost("/{id}/transitions", async (string id, HttpContext http, IWorldStore store, TimeProvider time) =>
            {
                var body = await RequestBody.ReadObjectAsync(http, options.MaxResourceBodyBytes);
                var request = (TransitionRequest)RequestBody.Deserialize(body, typeof(TransitionRequest));
                var next = new LifecycleEvent(request.Status, request.On ?? ResourcesApi.Today(time), request.Estimated, request.Note);
                var result = await store.WriteAsync(Caller.ActorOf(http), RegistryCommands.Transition(kind, id, next, ETags.IfMatch(http.Request)), http.RequestAborted);
                return ResourcesApi.Written(kind, id, result.Snapshot, http, time, created: false);
            })
            .WithName($"transition-{kind.Singular}")
            .WithSummary($"Move a {kind.Singular} to a new lifecycle status")
            .WithDescription("Allowed moves: Planned -> UnderConstruction | Live | Closed; UnderConstruction -> Live | Closed; " +
                             "Live -> Draining; Draining -> Live | Closed. Anything else is 409.")
            .Accepts<TransitionRequest>("application/json").Produces(200, kind.Type)
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(422).Allow(Role.Operator);
    }
}
