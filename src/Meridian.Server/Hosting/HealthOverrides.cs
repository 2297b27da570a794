using Meridian.Steering.Health;
using Meridian.Storage.Health;

namespace Meridian.Server.Hosting;

/// <summary>Keeps this replica's health board in step with the overrides in the database.</summary>
internal static class HealthOverrides
{
    public static void Follow(HealthOverrideStore store, HealthBoard board)
    {
        store.Changed += o => board.SetOperator(o.Service, o.Region, Parse(o.State));
        foreach (var o in store.All()) board.SetOperator(o.Service, o.Region, Parse(o.State));
    }

    public static string Name(OperatorState state) => state.ToString().ToLowerInvariant();

    private static OperatorState Parse(string state) => Enum.TryParse<OperatorState>(state, ignoreCase: true, out var s) ? s : OperatorState.Auto;
}
