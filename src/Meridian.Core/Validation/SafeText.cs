using System.Globalization;

namespace Meridian.Core.Validation;

/// <summary>Names people read in the change log, the console and terminals may not carry control characters or invisible
/// format characters (bidirectional overrides such as U+202E, zero-width marks): they let one name pose as another.</summary>
public static class SafeText
{
    /// <summary>Why <paramref name="value"/> is not a safe name, or null when it is.</summary>
    public static string? Problem(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(value, i);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
                return $"contains the control or formatting character U+{(int)value[i]:X4} at position {i}";
        }
        return null;
    }
}
