namespace Meridian.Storage.Documents;

public enum DocumentFormat
{
    Json,
    Yaml,
}
