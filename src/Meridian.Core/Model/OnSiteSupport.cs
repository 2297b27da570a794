namespace Meridian.Core.Model;

/// <summary>Staff on site at a facility.</summary>
/// <param name="Hours">"24/7" for around the clock, otherwise a free description such as "business hours".</param>
/// <param name="Roles">Roles present, such as "security" and "engineering".</param>
public sealed record OnSiteSupport(string Hours, IReadOnlyList<string> Roles)
{
    public bool AroundTheClock => Hours == "24/7";
}
