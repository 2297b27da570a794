namespace Meridian.Planning.Instances;

/// <summary>Input a plan cannot be made from, naming the field at fault (an API answers 422, the CLI exits 1).</summary>
public sealed class PlanningInputException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
