namespace Meridian.Core.Model;

/// <summary>Who owns and runs a facility.</summary>
public enum Ownership
{
    Owned,
    Colocation,
    PartnerOperated,
}
