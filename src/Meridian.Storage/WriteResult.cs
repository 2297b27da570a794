using Meridian.Storage.Changes;

namespace Meridian.Storage;

public sealed record WriteResult(WorldSnapshot Snapshot, IReadOnlyList<ChangeRecord> Changes);
