using System.Numerics;
using Meridian.Planning.Instances;

namespace Meridian.Planning.Solvers;

/// <summary>Exact uncapacitated facility location by Lagrangian branch and bound: the assignment constraints are
/// relaxed with one multiplier per customer, started from a dual ascent and tightened by subgradient steps; the bound
/// fixes facilities by reduced cost; local search over add/drop/swap moves supplies solutions; best-first branching
/// on one facility at a time closes the rest. With a time limit it is the heuristic for instances too large to prove:
/// it still reports the best solution and the proven bound.</summary>
public sealed class LagrangianSolver
{
    private double _relativeTolerance = 1e-9;
    private IProgress<SolveProgress>? _progress;
    private TimeSpan _lastReport;

    private readonly FacilityInstance _p;
    private readonly int _m;
    private readonly int _n;
    private readonly double[] _rho;
    private readonly double[] _mask;
    private readonly double[] _g;
    private readonly UflLocalSearch _search;
    private readonly HashSet<ulong> _searched = [];
    private bool[] _incumbent;
    private double _upper = double.PositiveInfinity;

    private LagrangianSolver(FacilityInstance instance)
    {
        _p = instance;
        _m = instance.Facilities;
        _n = instance.Customers;
        _rho = new double[_m];
        _mask = new double[_m];
        _g = new double[_n];
        _search = new UflLocalSearch(instance);
        _incumbent = new bool[_m];
    }

    public static SolveResult Solve(FacilityInstance instance, SolveOptions? options = null)
    {
        if (instance.IsCapacitated) throw new ArgumentException("the Lagrangian solver is for uncapacitated instances", nameof(instance));
        return new LagrangianSolver(instance).Run(options ?? new SolveOptions());
    }

    private sealed record Node(FacilityStatus[] Status, double[] Lambda, double Bound);

    private SolveResult Run(SolveOptions options)
    {
        var clock = new SolveClock(options.Time);
        _relativeTolerance = Math.Max(1e-9, options.TargetGap);
        _progress = options.Progress;
        var deadline = options.TimeLimit;
        var ct = options.Cancellation;
        var rootStatus = new FacilityStatus[_m];
        for (var i = 0; i < _m; i++) if (_p.ForcedOpen[i]) rootStatus[i] = FacilityStatus.Open;

        var lambda = DualAscent(rootStatus, passes: 60);
        Evaluate(lambda, rootStatus);
        var start = new bool[_m];
        for (var i = 0; i < _m; i++) start[i] = _rho[i] <= 0;
        TrySolution(start, rootStatus, ct);

        var open = new PriorityQueue<Node, double>();
        open.Enqueue(new Node(rootStatus, lambda, double.NegativeInfinity), double.NegativeInfinity);
        var leafBound = double.PositiveInfinity;
        long nodes = 0;
        while (open.TryPeek(out _, out var lowest) && lowest < _upper - Tolerance)
        {
            if (clock.Elapsed >= deadline || ct.IsCancellationRequested) break;
            var node = open.Dequeue();
            nodes++;
            var (bound, best, rho) = Bound(node, root: nodes == 1, clock, deadline, ct);
            if (bound >= _upper - Tolerance || best is null)
            {
                leafBound = Math.Min(leafBound, bound);
                continue;
            }
            var branch = Branching(node.Status, rho!);
            if (branch < 0)
            {
                leafBound = Math.Min(leafBound, bound);
                continue;
            }
            var openChild = (FacilityStatus[])node.Status.Clone();
            openChild[branch] = FacilityStatus.Open;
            var closedChild = (FacilityStatus[])node.Status.Clone();
            closedChild[branch] = FacilityStatus.Closed;
            // Forcing a facility against the relaxation raises the bound by its reduced cost at once.
            var openBound = bound + Math.Max(0, rho![branch]);
            var closedBound = bound + Math.Max(0, -rho[branch]);
            open.Enqueue(new Node(openChild, best, openBound), openBound);
            open.Enqueue(new Node(closedChild, (double[])best.Clone(), closedBound), closedBound);

            Report(clock, GlobalBound(open, leafBound), nodes);
        }
        var finished = !open.TryPeek(out _, out var rest) || rest >= _upper - Tolerance;
        var proven = finished ? Math.Min(_upper, leafBound) : GlobalBound(open, leafBound);
        options.Progress?.Report(new SolveProgress(_upper, proven, clock.Elapsed.TotalSeconds, nodes));
        return Result(finished, proven, clock.Elapsed.TotalSeconds, nodes);
    }

    private double Tolerance => _relativeTolerance * Math.Max(1, Math.Abs(_upper));

    private void Report(SolveClock clock, double bound, long nodes)
    {
        if (_progress is null || clock.Elapsed - _lastReport < TimeSpan.FromMilliseconds(200)) return;
        _lastReport = clock.Elapsed;
        _progress.Report(new SolveProgress(_upper, Math.Min(bound, _upper), clock.Elapsed.TotalSeconds, nodes));
    }

    private double GlobalBound(PriorityQueue<Node, double> open, double leafBound)
    {
        var lowest = open.TryPeek(out _, out var b) ? b : double.PositiveInfinity;
        return Math.Min(_upper, Math.Min(lowest, leafBound));
    }

    /// <summary>Subgradient optimisation of the node's multipliers with reduced-cost fixing between rounds.</summary>
    /// <returns>The node's bound, its best multipliers (null when the node is infeasible) and the reduced costs at them.</returns>
    private (double Bound, double[]? Lambda, double[]? Rho) Bound(Node node, bool root, SolveClock clock, TimeSpan deadline, CancellationToken ct)
    {
        var status = node.Status;
        if (!Feasible(status)) return (double.PositiveInfinity, null, null);
        var lambda = (double[])node.Lambda.Clone();
        var best = (double[])lambda.Clone();
        var bestBound = double.NegativeInfinity;
        var bestRho = new double[_m];
        var theta = root ? 2.0 : 0.5;
        var patience = root ? 40 : 12;
        var limit = root ? 5000 : 400;
        var stall = 0;
        var candidate = new bool[_m];
        for (var iteration = 0; iteration < limit; iteration++)
        {
            var bound = Evaluate(lambda, status);
            if (bound > bestBound + 1e-12 * Math.Abs(bound))
            {
                bestBound = bound;
                lambda.CopyTo(best, 0);
                _rho.CopyTo(bestRho, 0);
                stall = 0;
            }
            else if (++stall >= patience)
            {
                theta /= 2;
                stall = 0;
                best.CopyTo(lambda, 0);
            }
            if (bestBound >= _upper - Tolerance || theta < (root ? 1e-6 : 1e-4)) break;
            if (iteration % 10 == 0)
            {
                for (var i = 0; i < _m; i++) candidate[i] = _mask[i] > 0;
                TrySolution(candidate, status, ct);
                if (bestBound >= _upper - Tolerance) break;
                if (clock.Elapsed >= deadline || ct.IsCancellationRequested) break;
                if (root) Report(clock, bestBound, 1);
                if (FixByReducedCost(status, bestBound, bestRho)) return Bound(node with { Lambda = best }, root, clock, deadline, ct);
            }
            double norm = 0;
            for (var j = 0; j < _n; j++) norm += _g[j] * _g[j];
            if (norm == 0)
            {
                // Every customer has exactly one cheaper open facility: the relaxation's solution is feasible and optimal here.
                for (var i = 0; i < _m; i++) candidate[i] = _mask[i] > 0;
                TrySolution(candidate, status, ct);
                break;
            }
            var target = double.IsFinite(_upper) ? _upper : Math.Abs(bestBound) * 1.05 + 1;
            var step = theta * Math.Max(target - bound, 1e-9 * Math.Abs(target)) / norm;
            for (var j = 0; j < _n; j++) lambda[j] += step * _g[j];
        }
        if (FixByReducedCost(status, bestBound, bestRho) && bestBound < _upper - Tolerance)
            return Bound(node with { Lambda = best }, root, clock, deadline, ct);
        return (bestBound, best, bestRho);
    }

    /// <summary>L(λ) = Σλ + Σ over open facilities of ρ + Σ over free facilities of min(0, ρ), where
    /// ρ_i = f_i + Σ_j min(0, c_ij − λ_j). Leaves ρ, the relaxation's open set and the subgradient in the buffers.</summary>
    private double Evaluate(double[] lambda, FacilityStatus[] status)
    {
        var c = _p.Cost;
        _p.FixedCost.CopyTo(_rho, 0);
        var w = Vector<double>.Count;
        double sum = 0;
        for (var j = 0; j < _n; j++)
        {
            var lam = lambda[j];
            sum += lam;
            var row = c.AsSpan(j * _m, _m);
            var lamV = new Vector<double>(lam);
            var i = 0;
            for (; i <= _m - w; i += w)
            {
                var r = new Vector<double>(_rho.AsSpan(i));
                (r + Vector.Min(new Vector<double>(row[i..]) - lamV, Vector<double>.Zero)).CopyTo(_rho.AsSpan(i));
            }
            for (; i < _m; i++) _rho[i] += Math.Min(0, row[i] - lam);
        }
        var bound = sum;
        for (var i = 0; i < _m; i++)
        {
            var s = status[i];
            var open = s == FacilityStatus.Open || (s == FacilityStatus.Free && _rho[i] < 0);
            _mask[i] = open ? 1 : 0;
            if (open) bound += _rho[i];
        }
        for (var j = 0; j < _n; j++)
        {
            var lam = lambda[j];
            var row = c.AsSpan(j * _m, _m);
            var lamV = new Vector<double>(lam);
            var count = Vector<double>.Zero;
            var i = 0;
            for (; i <= _m - w; i += w)
                count += Vector.ConditionalSelect(Vector.LessThan(new Vector<double>(row[i..]), lamV), new Vector<double>(_mask.AsSpan(i)), Vector<double>.Zero);
            var n = Vector.Sum(count);
            for (; i < _m; i++) if (row[i] < lam) n += _mask[i];
            _g[j] = 1 - n;
        }
        return bound;
    }

    /// <summary>Raising λ_j while it pays: a feasible dual of the LP relaxation, a good start for the subgradient.</summary>
    private double[] DualAscent(FacilityStatus[] status, int passes)
    {
        var slack = (double[])_p.FixedCost.Clone();
        for (var i = 0; i < _m; i++) if (status[i] == FacilityStatus.Open) slack[i] = 0;
        var v = new double[_n];
        var levels = new double[_n][];
        for (var j = 0; j < _n; j++)
        {
            var row = _p.CostsOf(j).ToArray().Where(double.IsFinite).Distinct().ToArray();
            Array.Sort(row);
            levels[j] = row;
            v[j] = row[0];
        }
        var next = new int[_n];
        var done = new bool[_n];
        for (var pass = 0; pass < passes; pass++)
        {
            var moved = false;
            for (var j = 0; j < _n; j++)
            {
                if (done[j]) continue;
                var row = _p.CostsOf(j);
                var room = double.PositiveInfinity;
                for (var i = 0; i < _m; i++) if (row[i] <= v[j]) room = Math.Min(room, slack[i]);
                var lv = levels[j];
                while (next[j] < lv.Length && lv[next[j]] <= v[j]) next[j]++;
                var step = next[j] < lv.Length ? lv[next[j]] - v[j] : double.PositiveInfinity;
                var d = Math.Min(room, step);
                if (!(d > 0) || !double.IsFinite(d))
                {
                    done[j] = true;
                    continue;
                }
                for (var i = 0; i < _m; i++) if (row[i] <= v[j]) slack[i] -= d;
                v[j] += d;
                moved = true;
                if (d < step) done[j] = true;
            }
            if (!moved) break;
        }
        return v;
    }

    /// <summary>Fixes free facilities whose reduced cost alone lifts the bound past the incumbent.</summary>
    private bool FixByReducedCost(FacilityStatus[] status, double bound, double[] rho)
    {
        if (!double.IsFinite(_upper) || !double.IsFinite(bound)) return false;
        var changed = false;
        for (var i = 0; i < _m; i++)
        {
            if (status[i] != FacilityStatus.Free) continue;
            if (rho[i] >= 0 && bound + rho[i] >= _upper - Tolerance) (status[i], changed) = (FacilityStatus.Closed, true);
            else if (rho[i] < 0 && bound - rho[i] >= _upper - Tolerance) (status[i], changed) = (FacilityStatus.Open, true);
        }
        return changed;
    }

    /// <summary>The free facility whose reduced cost is nearest zero: the relaxation is least sure about it.</summary>
    private static int Branching(FacilityStatus[] status, double[] rho)
    {
        var best = -1;
        for (var i = 0; i < status.Length; i++)
        {
            if (status[i] != FacilityStatus.Free) continue;
            if (best < 0 || Math.Abs(rho[i]) < Math.Abs(rho[best])) best = i;
        }
        return best;
    }

    private bool Feasible(FacilityStatus[] status)
    {
        for (var j = 0; j < _n; j++)
        {
            var row = _p.CostsOf(j);
            var ok = false;
            for (var i = 0; i < _m && !ok; i++) ok = status[i] != FacilityStatus.Closed && double.IsFinite(row[i]);
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>Local search from a start set, once per distinct start.</summary>
    private void TrySolution(bool[] start, FacilityStatus[] status, CancellationToken ct)
    {
        ulong hash = 14695981039346656037UL;
        for (var i = 0; i < _m; i++) hash = (hash ^ (ulong)((start[i] ? 1 : 0) | ((int)status[i] + 1) << 1)) * 1099511628211UL;
        if (!_searched.Add(hash)) return;
        var result = new bool[_m];
        var cost = _search.Improve(start, status, result, ct);
        if (cost < _upper)
        {
            _upper = cost;
            _incumbent = result;
        }
    }

    private SolveResult Result(bool finished, double bound, double seconds, long nodes)
    {
        if (!double.IsFinite(_upper))
            return new SolveResult("lagrangian", finished ? SolveStatus.Infeasible : SolveStatus.NoSolution, double.NaN, bound, seconds, [], [], nodes);
        var open = Enumerable.Range(0, _m).Where(i => _incumbent[i]).ToArray();
        var assignment = new int[_n];
        for (var j = 0; j < _n; j++)
        {
            var row = _p.CostsOf(j);
            var best = -1;
            foreach (var i in open) if (best < 0 || row[i] < row[best]) best = i;
            assignment[j] = best;
        }
        var objective = _search.Evaluate(_incumbent);
        var proven = finished && (objective - bound) <= 1e-9 * Math.Max(1, Math.Abs(objective));
        return new SolveResult("lagrangian", proven ? SolveStatus.Optimal : SolveStatus.Feasible, objective, Math.Min(bound, objective), seconds, open, assignment, nodes);
    }
}
