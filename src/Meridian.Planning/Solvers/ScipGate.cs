namespace Meridian.Planning.Solvers;

/// <summary>One SCIP model at a time in a process. SCIP keeps native state we do not control, and a test run that solved
/// in two servers at once hung once with both waiting in native code; on this 2-core machine a second concurrent solve
/// would not finish sooner anyway.</summary>
internal static class ScipGate
{
    public static readonly Lock Gate = new();
}
