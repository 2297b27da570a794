using System.Diagnostics;

namespace Meridian.Storage;

/// <summary>Spans for the store's transactions, so a trace follows a request into the database.</summary>
public static class StorageTelemetry
{
    public const string Name = "Meridian.Storage";

    public static readonly ActivitySource Source = new(Name);
}
