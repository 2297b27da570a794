namespace Meridian.Core.Model;

/// <summary>How far a client's data may travel for a service.</summary>
public enum Residency
{
    /// <summary>Never leave the client's data boundary.</summary>
    Strict,
    /// <summary>Leave the boundary only when nothing inside it can serve.</summary>
    Preferred,
    /// <summary>Any region.</summary>
    Global,
}
