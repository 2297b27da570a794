using Meridian.Core.Model;
using Meridian.Core.Registry;

namespace Meridian.Storage.Changes;

/// <summary>One resource written by a write: created (no Before), deleted (no After) or updated.</summary>
/// <param name="ExpectedVersion">The version the client based the change on (If-Match); the write is refused if it is no longer current.</param>
/// <param name="Action">What the change log calls it: create, update, delete, transition or import.</param>
public sealed record Change(ResourceKind Kind, string Id, IResource? Before, IResource? After, string Action, long? ExpectedVersion = null);
