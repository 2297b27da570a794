using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Validation;
using Meridian.Storage.Changes;

namespace Meridian.Storage.Registry;

/// <summary>The registry's writes as decisions over the latest world (see <see cref="IWorldStore.WriteAsync"/>):
/// each checks the resource and everything that refers to it, and refuses with a <see cref="RegistryException"/>.</summary>
public static class RegistryCommands
{
    public static Func<World, IReadOnlyList<Change>> Create(ResourceKind kind, IResource item) => world =>
    {
        if (kind.Find(world, item.Id) is not null)
            throw new RegistryException(ProblemKind.Conflict, $"{kind.Singular} '{item.Id}' already exists", [new("id", $"'{item.Id}' is taken")]);
        Check(kind.Put(world, item, 0), kind, item);
        return [new Change(kind, item.Id, null, item, "create")];
    };

    /// <summary>Replaces a resource with <paramref name="update"/>'s result for the current one.</summary>
    public static Func<World, IReadOnlyList<Change>> Update(ResourceKind kind, string id, long? expectedVersion, Func<IResource, IResource> update) => world =>
    {
        var before = kind.Find(world, id) ?? throw RegistryException.NotFound(kind.Singular, id);
        CheckVersion(kind, world, id, expectedVersion);
        var after = update(before);
        if (WorldDiff.SameContent(before, after)) return [];
        Check(kind.Put(world, after, 0), kind, after);
        return [new Change(kind, id, before, after, "update", expectedVersion)];
    };

    public static Func<World, IReadOnlyList<Change>> Delete(ResourceKind kind, string id, long? expectedVersion) => world =>
    {
        var before = kind.Find(world, id) ?? throw RegistryException.NotFound(kind.Singular, id);
        CheckVersion(kind, world, id, expectedVersion);
        var referrers = Rules.ReferencesTo(world, kind, id).Take(20).ToArray();
        if (referrers.Length > 0)
            throw new RegistryException(ProblemKind.Conflict, $"{kind.Singular} '{id}' is still referred to",
                [new("id", $"referred to by {string.Join(", ", referrers)}; delete or move those first")]);
        return [new Change(kind, id, before, null, "delete", expectedVersion)];
    };

    /// <summary>Appends a lifecycle event; refuses moves the lifecycle does not allow (Closed -> Live, Planned -> Draining).</summary>
    public static Func<World, IReadOnlyList<Change>> Transition(ResourceKind kind, string id, LifecycleEvent next, long? expectedVersion) => world =>
    {
        var before = kind.Find(world, id) as ILifecycleResource ?? throw RegistryException.NotFound(kind.Singular, id);
        CheckVersion(kind, world, id, expectedVersion);
        var last = before.History[^1];
        if (!LifecycleRules.CanMove(last.Status, next.Status))
            throw new RegistryException(ProblemKind.Conflict, $"{kind.Singular} '{id}' cannot move from {last.Status} to {next.Status}",
                [new("status", AllowedFrom(last.Status).Any()
                    ? $"from {last.Status} the allowed moves are: {string.Join(", ", AllowedFrom(last.Status))}"
                    : $"{last.Status} is final; a reopened site is a new resource")]);
        if (next.On < last.On)
            throw RegistryException.Invalid([new("on", $"{next.On:yyyy-MM-dd} is before the last event ({last.On:yyyy-MM-dd})")]);
        IReadOnlyList<LifecycleEvent> history = [.. before.History, next];
        IResource after = before switch
        {
            Region r => r with { History = history },
            Zone z => z with { History = history },
            Facility f => f with { History = history },
            _ => throw new InvalidOperationException($"{kind.Name} have no lifecycle"),
        };
        Check(kind.Put(world, after, 0), kind, after);
        return [new Change(kind, id, before, after, "transition", expectedVersion)];
    };

    public static IEnumerable<LifecycleStatus> AllowedFrom(LifecycleStatus from) =>
        Enum.GetValues<LifecycleStatus>().Where(to => LifecycleRules.CanMove(from, to));

    private static void CheckVersion(ResourceKind kind, World world, string id, long? expected)
    {
        if (expected is { } v && kind.VersionOf(world, id) != v)
            throw new RegistryException(ProblemKind.StaleVersion, $"{kind.Singular} '{id}' has changed since version {v}; fetch it again");
    }

    /// <summary>The item's own rules (422), then those of everything that refers to it, which the change may have broken (409).</summary>
    private static void Check(World world, ResourceKind kind, IResource item)
    {
        var errors = Rules.Check(item, world).ToArray();
        if (errors.Length > 0) throw RegistryException.Invalid(errors);
        var broken = Rules.ReferencesTo(world, kind, item.Id)
            .SelectMany(reference =>
            {
                var parts = reference.Split('/', 2);
                var referrer = Kinds.Named(parts[0])!.Find(world, parts[1])!;
                return Rules.Check(referrer, world).Select(e => new FieldError(reference, e.Message));
            })
            .Take(20).ToArray();
        if (broken.Length > 0)
            throw new RegistryException(ProblemKind.Conflict, $"the change to {kind.Singular} '{item.Id}' would break resources that refer to it", broken);
    }
}
