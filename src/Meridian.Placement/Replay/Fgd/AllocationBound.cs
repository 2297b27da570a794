using Google.OrTools.LinearSolver;
using Meridian.Placement.Capacity;
using Meridian.Placement.Model;
using Meridian.Placement.Scoring;

namespace Meridian.Placement.Replay.Fgd;

/// <summary>A bound: no placement of these tasks on these nodes, offline or online, allocates more than
/// <see cref="Gpus"/> GPUs.</summary>
public sealed record BoundResult(double Gpus, double Capacity, int TaskClasses, int NodeTypes)
{
    public double Percent => 100 * Gpus / Capacity;
}

/// <summary>An upper bound on the GPUs any policy could allocate to a set of arrived tasks: the offline optimum of a
/// relaxation, solved as a linear program (OR-Tools' GLOP). Nodes are grouped into types and tasks into classes;
/// x[c,t] tasks of class c go to nodes of type t (fractions allowed) within the type's total CPU, memory and GPUs,
/// only where one task fits an empty node (GPU model included), and at most one per node of the tasks that need more
/// than half of a node's GPUs, CPU or memory. GPU shares are packed GPU by GPU: the GPUs that hold shares are split
/// into patterns (sets of share sizes that fit one GPU), so a GPU holding 0.81 of a task keeps its 0.19 empty unless a
/// task that small arrived. Every real placement satisfies all of this, so the optimum is at least what any placement
/// achieves. What it leaves out (how CPU and GPUs split between the nodes of a type) is where it is loose.</summary>
public static class AllocationBound
{
    /// <summary>The bound over every subset of the tasks: a policy may leave any of them out.</summary>
    public static BoundResult Solve(IReadOnlyList<HostSpec> nodes, IEnumerable<OpenbTask> tasks) =>
        Solve(nodes, tasks, everyShare: false) ?? throw new InvalidOperationException("the bound's LP has no solution");

    /// <summary>The bound of the placements that hold every GPU-sharing task; null if no placement can. It is what a
    /// policy that left no share out would be held to: below it only by leaving shares out.</summary>
    public static BoundResult? SolveWithEveryShare(IReadOnlyList<HostSpec> nodes, IEnumerable<OpenbTask> tasks) =>
        Solve(nodes, tasks, everyShare: true);

    private static BoundResult? Solve(IReadOnlyList<HostSpec> nodes, IEnumerable<OpenbTask> tasks, bool everyShare)
    {
        var types = nodes.GroupBy(n => (n.VcpuMilli, n.MemoryMiB, n.Gpus, n.GpuModel))
            .Select(g => (g.Key.VcpuMilli, g.Key.MemoryMiB, g.Key.Gpus, g.Key.GpuModel, Count: g.Count())).ToArray();
        var classes = tasks.GroupBy(t => (t.Resources, Models: HostStateKeys.Models(t.GpuModels)))
            .Select(g => (g.Key.Resources, Models: HostStateKeys.SplitModels(g.Key.Models), Count: g.Count())).ToArray();
        var capacity = nodes.Sum(n => (double)n.Gpus);
        using var solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("OR-Tools has no LP solver here");
        var objective = solver.Objective();
        var perClass = classes.Select(c => solver.MakeConstraint(everyShare && c.Resources.IsGpuShare ? c.Count : 0, c.Count, "")).ToArray();
        foreach (var t in types)
        {
            var cpu = solver.MakeConstraint(0, (double)t.Count * t.VcpuMilli, "");
            var memory = solver.MakeConstraint(0, (double)t.Count * t.MemoryMiB, "");
            var gpuMilli = solver.MakeConstraint(0, (double)t.Count * t.Gpus * 1000, "");
            var gpus = solver.MakeConstraint(0, (double)t.Count * t.Gpus, "");
            var big = solver.MakeConstraint(0, t.Count, "");
            var slots = ShareSlots(solver, t, classes, gpus);
            for (var i = 0; i < classes.Length; i++)
            {
                var (r, models, count) = classes[i];
                var fits = r.VcpuMilli <= t.VcpuMilli && r.MemoryMiB <= t.MemoryMiB && r.Gpus <= t.Gpus &&
                           (r.Gpus == 0 || models.Count == 0 || (t.GpuModel is not null && models.Contains(t.GpuModel)));
                if (!fits) continue;
                var x = solver.MakeNumVar(0, count, "");
                perClass[i].SetCoefficient(x, 1);
                cpu.SetCoefficient(x, r.VcpuMilli);
                memory.SetCoefficient(x, r.MemoryMiB);
                gpuMilli.SetCoefficient(x, r.TotalGpuMilli);
                if (r.Gpus > 0 && r.GpuMilli >= 1000) gpus.SetCoefficient(x, r.Gpus);
                if (r.IsGpuShare) slots[r.GpuMilli].SetCoefficient(x, 1);
                // Two tasks that each need more than half of a node cannot share one.
                if (2L * r.TotalGpuMilli > t.Gpus * 1000L && r.Gpus > 0 || 2L * r.VcpuMilli > t.VcpuMilli || 2 * r.MemoryMiB > t.MemoryMiB) big.SetCoefficient(x, 1);
                objective.SetCoefficient(x, r.TotalGpuMilli / 1000.0);
            }
        }
        objective.SetMaximization();
        var status = solver.Solve();
        if (status == Solver.ResultStatus.INFEASIBLE && everyShare) return null;
        if (status != Solver.ResultStatus.OPTIMAL) throw new InvalidOperationException($"the bound's LP ended {status}");
        return new BoundResult(objective.Value(), capacity, classes.Length, types.Length);
    }

    /// <summary>How the GPUs of a node type that hold shares are filled: y[p] GPUs with pattern p, a set of share sizes
    /// that fits one GPU and leaves no room for another arrived size (a fuller pattern only adds room). Each pattern's
    /// GPUs count against the type's GPUs, and the shares of a size placed on the type cannot outnumber the slots of
    /// that size the patterns give. This is what makes a GPU holding 0.81 of a task lose its 0.19 unless a task that
    /// small has arrived to take it.</summary>
    private static Dictionary<int, Constraint> ShareSlots(Solver solver, (int VcpuMilli, long MemoryMiB, int Gpus, string? GpuModel, int Count) t,
        (Resources Resources, IReadOnlyList<string> Models, int Count)[] classes, Constraint gpus)
    {
        var available = classes.Where(c => c.Resources.IsGpuShare && (c.Models.Count == 0 || (t.GpuModel is not null && c.Models.Contains(t.GpuModel))))
            .GroupBy(c => c.Resources.GpuMilli).ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
        var slots = classes.Where(c => c.Resources.IsGpuShare).Select(c => c.Resources.GpuMilli).Distinct()
            .ToDictionary(s => s, _ => solver.MakeConstraint(double.NegativeInfinity, 0, ""));
        if (t.Gpus == 0 || available.Count == 0) return slots;
        var sizes = available.Keys.Order().ToArray();
        var patterns = SharePatterns.Maximal(sizes, [.. sizes.Select(s => Math.Min(1000 / s, available[s]))], int.MaxValue)!;
        foreach (var pattern in patterns)
        {
            var y = solver.MakeNumVar(0, (double)t.Count * t.Gpus, "");
            gpus.SetCoefficient(y, 1);
            for (var k = 0; k < sizes.Length; k++) if (pattern[k] > 0) slots[sizes[k]].SetCoefficient(y, -pattern[k]);
        }
        return slots;
    }
}
