namespace Meridian.Storage.Data;

/// <summary>The database cannot be reached or is restarting: the request may be retried (HTTP 503), nothing was written
/// that was acknowledged.</summary>
public sealed class StoreUnavailableException(string message, Exception inner) : Exception(message, inner);
