using System.Text.RegularExpressions;

namespace Meridian.Storage.Ledger;

/// <summary>Names of tenants and workloads: DNS labels, as Kubernetes names namespaces.</summary>
public static partial class LedgerNames
{
    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex Label();

    public static bool IsName(string? value) => value is not null && Label().IsMatch(value);

    public const string Rule = "lower-case letters, digits and inner hyphens, at most 63 characters";
}
