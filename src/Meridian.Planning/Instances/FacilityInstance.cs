namespace Meridian.Planning.Instances;

/// <summary>A facility-location instance: candidate facilities with a fixed cost (and a capacity when capacitated),
/// customers with a demand, and the cost of serving all of a customer's demand from each facility.</summary>
/// <remarks>Costs are stored customer-major (<c>Cost[j * Facilities + i]</c>) because every solver sweeps all facilities
/// for one customer at a time. <see cref="double.PositiveInfinity"/> marks a pair that is not allowed (a data boundary
/// or a latency rule), and a facility with <see cref="ForcedOpen"/> is already open (a live region).</remarks>
public sealed class FacilityInstance
{
    public FacilityInstance(string name, double[] fixedCost, double[] capacity, double[] demand, double[] cost, bool[]? forcedOpen = null)
    {
        Name = name;
        FixedCost = fixedCost;
        Capacity = capacity;
        Demand = demand;
        Cost = cost;
        ForcedOpen = forcedOpen ?? new bool[fixedCost.Length];
        if (capacity.Length != Facilities || ForcedOpen.Length != Facilities || cost.Length != Facilities * Customers)
            throw new ArgumentException("the arrays of an instance must agree in size");
        Validate();
    }

    public string Name { get; }
    public int Facilities => FixedCost.Length;
    public int Customers => Demand.Length;
    public double[] FixedCost { get; }
    /// <summary>Capacity per facility; <see cref="double.PositiveInfinity"/> when it has none.</summary>
    public double[] Capacity { get; }
    public double[] Demand { get; }
    public double[] Cost { get; }
    public bool[] ForcedOpen { get; }

    public double CostOf(int customer, int facility) => Cost[customer * Facilities + facility];

    public ReadOnlySpan<double> CostsOf(int customer) => Cost.AsSpan(customer * Facilities, Facilities);

    public bool IsCapacitated => Capacity.Any(double.IsFinite);

    /// <summary>The same instance with capacities ignored.</summary>
    public FacilityInstance Uncapacitated() =>
        new(Name, FixedCost, Enumerable.Repeat(double.PositiveInfinity, Facilities).ToArray(), Demand, Cost, ForcedOpen);

    private void Validate()
    {
        if (Facilities == 0) throw new PlanningInputException("facilities", "an instance needs at least one facility");
        if (Customers == 0) throw new PlanningInputException("customers", "an instance needs at least one customer");
        for (var i = 0; i < Facilities; i++)
        {
            if (!(FixedCost[i] >= 0) || !double.IsFinite(FixedCost[i]))
                throw new PlanningInputException($"facilities[{i}].fixedCost", $"must be a finite number of at least 0, not {FixedCost[i]}");
            if (!(Capacity[i] >= 0)) throw new PlanningInputException($"facilities[{i}].capacity", $"must be at least 0, not {Capacity[i]}");
        }
        for (var j = 0; j < Customers; j++)
        {
            if (!(Demand[j] >= 0) || !double.IsFinite(Demand[j]))
                throw new PlanningInputException($"customers[{j}].demand", $"must be a finite number of at least 0, not {Demand[j]}");
            var any = false;
            foreach (var c in CostsOf(j))
            {
                if (!(c >= 0)) throw new PlanningInputException($"customers[{j}].cost", $"costs must be at least 0, not {c}");
                any |= double.IsFinite(c);
            }
            if (!any) throw new PlanningInputException($"customers[{j}]", "no facility may serve this customer");
        }
    }
}
