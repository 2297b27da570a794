namespace Meridian.Steering.Health;

/// <summary>What an operator says about a region's service: Auto leaves it to the checks.</summary>
public enum OperatorState
{
    Auto,
    Up,
    Down,
}
