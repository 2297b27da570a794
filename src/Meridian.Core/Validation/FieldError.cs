namespace Meridian.Core.Validation;

/// <summary>One problem with input, at a location such as "location.latitude" or "regions[3].id".</summary>
public sealed record FieldError(string Field, string Message)
{
    public FieldError Under(string prefix) =>
        this with { Field = Field.Length == 0 ? prefix : Field.StartsWith('[') ? prefix + Field : $"{prefix}.{Field}" };
}
