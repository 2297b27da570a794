namespace Meridian.Core.Validation;

/// <summary>Why a registry request cannot be carried out; the HTTP edge maps it to a status code.</summary>
public enum ProblemKind
{
    /// <summary>The input cannot be read: malformed JSON, a wrong type, an unknown field or enum value (400).</summary>
    Malformed,
    /// <summary>The input is well formed but breaks a rule, such as a latitude outside [-90, 90] (422).</summary>
    Invalid,
    NotFound,
    /// <summary>The request clashes with the state of the world: a duplicate id, a resource still referred to, an impossible move.</summary>
    Conflict,
    /// <summary>The client's version (If-Match) is not the current one.</summary>
    StaleVersion,
    /// <summary>A bounded queue or slot is full; the client should retry later (503 with Retry-After).</summary>
    Busy,
    /// <summary>The caller is known but its role or tenant does not allow this (403).</summary>
    Forbidden,
}

/// <summary>A refused registry request; nothing was written.</summary>
public sealed class RegistryException(ProblemKind kind, string title, IReadOnlyList<FieldError>? errors = null) : Exception(title)
{
    public ProblemKind Kind { get; } = kind;

    public IReadOnlyList<FieldError> Errors { get; } = errors ?? [];

    public static RegistryException NotFound(string kind, string id) => new(ProblemKind.NotFound, $"no {kind} '{id}'");

    public static RegistryException Invalid(IReadOnlyList<FieldError> errors, ProblemKind kind = ProblemKind.Invalid) =>
        new(kind, errors.Count == 1 ? $"{errors[0].Field}: {errors[0].Message}" : $"{errors.Count} problems with the input", errors);

    public static RegistryException Malformed(FieldError error) => Invalid([error], ProblemKind.Malformed);
}
