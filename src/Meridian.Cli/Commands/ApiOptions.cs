using System.CommandLine;
using Meridian.Client;

namespace Meridian.Cli.Commands;

/// <summary>How a command that talks to the API finds its server and token: --server, then $MERIDIAN_SERVER, then the
/// context (--context, $MERIDIAN_CONTEXT, else the config's current one), else http://127.0.0.1:5080; the token from
/// --token-file, then $MERIDIAN_TOKEN, then the context.</summary>
internal sealed record ApiOptions(Option<string?> Server, Option<string?> Context, Option<FileInfo?> TokenFile)
{
    public const string DefaultServer = "http://127.0.0.1:5080";

    public static ApiOptions Make()
    {
        var server = new Option<string?>("--server", "-s") { Description = $"The server's URL. Default: $MERIDIAN_SERVER, else the context's, else {DefaultServer}" };
        server.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } s && ServerUri(s) is null) r.AddError($"--server: '{s}' is not an http:// or https:// URL");
        });
        return new ApiOptions(
            server,
            new Option<string?>("--context") { Description = "A context of the config file ('meridian config'); default: $MERIDIAN_CONTEXT, else the current one" },
            new Option<FileInfo?>("--token-file") { Description = "File holding the API token. Default: $MERIDIAN_TOKEN, else the context's token" });
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(Context);
        command.Options.Add(TokenFile);
    }

    /// <summary>A client for the server and token these options (and the environment and config) name.</summary>
    public MeridianClient Connect(ParseResult parse)
    {
        var explicitServer = parse.GetValue(Server) ?? Env("MERIDIAN_SERVER");
        var explicitToken = parse.GetValue(TokenFile) is { } file ? ReadToken(file.FullName, "--token-file") : Env("MERIDIAN_TOKEN");
        // The config file is read only when a context is needed, so a broken one does not stop explicit flags.
        var contextName = parse.GetValue(Context) ?? Env("MERIDIAN_CONTEXT");
        ClientContext? context = null;
        if (contextName is not null || explicitServer is null || explicitToken is null)
        {
            var config = ClientConfig.Load();
            contextName ??= config.CurrentContext;
            if (contextName is not null && !config.Contexts.TryGetValue(contextName, out context))
                throw new FormatException($"no context '{contextName}' in {config.Path}; 'meridian config get-contexts' lists them");
        }

        var serverText = explicitServer ?? context?.Server ?? DefaultServer;
        var server = ServerUri(serverText) ?? throw new FormatException($"the server '{serverText}' is not an http:// or https:// URL");
        var token = explicitToken ?? context?.Token ?? (context?.TokenFile is { } f ? ReadToken(f, $"the context '{contextName}'") : null);
        if (token is null)
            throw new FormatException($"no API token for {server}: give --token-file FILE, set MERIDIAN_TOKEN, or save one with " +
                                      $"'meridian config set-context NAME --server {server} --token-file FILE' (a new server writes its first admin token to meridian.admin-token)");
        return new MeridianClient(server, token);
    }

    internal static Uri? ServerUri(string text)
    {
        var trimmed = text.Trim();
        if (!Uri.TryCreate(trimmed.EndsWith('/') ? trimmed : trimmed + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0) return null;
        return uri;
    }

    internal static string ReadToken(string path, string source)
    {
        if (!File.Exists(path)) throw new FormatException($"{source}: no token file '{Path.GetFullPath(path)}'");
        var token = File.ReadAllText(path).Trim();
        if (token.Length == 0 || token.Any(char.IsWhiteSpace) || token.Length > 4096) throw new FormatException($"{source}: '{Path.GetFullPath(path)}' does not hold one token");
        return token;
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
