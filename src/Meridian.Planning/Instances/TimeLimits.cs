namespace Meridian.Planning.Instances;

/// <summary>Turns a time limit in seconds, as a user gives it, into a <see cref="TimeSpan"/>, refusing what cannot be
/// one (zero, negative, or so large the conversion would overflow).</summary>
public static class TimeLimits
{
    public const double MaxSeconds = 86_400;

    public static TimeSpan FromSeconds(double seconds, string field) =>
        seconds is > 0 and <= MaxSeconds ? TimeSpan.FromSeconds(seconds)
            : throw new PlanningInputException(field, $"must be above 0 and at most {MaxSeconds:0} seconds, not {seconds}");
}
