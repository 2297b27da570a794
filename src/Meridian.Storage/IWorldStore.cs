using Meridian.Core.Registry;
using Meridian.Storage.Changes;

namespace Meridian.Storage;

/// <summary>The source of truth for the world. Implementations (SQLite now, PostgreSQL next) keep the same contract:
/// <list type="bullet">
/// <item>a write is one transaction holding the resources and their change-log entries;</item>
/// <item>writes are serialised through a store-wide generation number, so a decision is always made on the latest world,
/// also when several processes share one database;</item>
/// <item>every written resource gets the new generation as its version (its ETag), so versions never repeat.</item>
/// </list></summary>
public interface IWorldStore : IDisposable
{
    /// <summary>The latest snapshot this process has; lock-free.</summary>
    WorldSnapshot Current { get; }

    /// <summary>Reloads the world if another process has written since; returns the snapshot in force.</summary>
    Task<WorldSnapshot> RefreshAsync(CancellationToken cancellationToken = default);

    /// <summary>Runs <paramref name="decide"/> on the latest world inside the write transaction and writes what it returns.
    /// <paramref name="decide"/> refuses by throwing <see cref="Meridian.Core.Validation.RegistryException"/>; then nothing is written.</summary>
    Task<WriteResult> WriteAsync(string actor, Func<World, IReadOnlyList<Change>> decide, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ChangeRecord>> ChangesAsync(ChangeQuery query, CancellationToken cancellationToken = default);
}
