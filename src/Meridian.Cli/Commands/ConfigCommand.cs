using System.CommandLine;
using Spectre.Console;

namespace Meridian.Cli.Commands;

/// <summary><c>meridian config</c>: the named contexts (server and token) the API commands use.</summary>
internal static class ConfigCommand
{
    public static Command Create() => new("config", $"Contexts: which server the commands talk to and with which token (the file: {ClientConfig.DefaultPath()}); " +
                                                     "and the server's effective configuration (show)")
    {
        SetContext(), UseContext(), GetContexts(), DeleteContext(), Show(),
    };

    /// <summary>What 'meridian serve' would run with here: defaults, appsettings.json, --config, MERIDIAN__... variables.</summary>
    private static Command Show()
    {
        var config = ServeCommand.ConfigFile();
        var db = CommonOptions.Database();
        var command = new Command("show", "Print the configuration 'meridian serve' would use here (defaults, ./appsettings.json, --config FILE, MERIDIAN__... variables), secrets redacted; exits 1 naming a bad key") { config, db };
        command.SetAction((parse, ct) => CommonOptions.RunAsync(() =>
        {
            var options = Meridian.Server.ServerConfiguration.Bind(ServeCommand.Configuration(parse, config, db));
            Console.Out.WriteLine(Meridian.Server.ServerConfiguration.Show(options).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            return Task.FromResult(0);
        }));
        return command;
    }

    private static Command SetContext()
    {
        var name = new Argument<string>("NAME") { Description = "The context's name, such as prod or local" };
        var server = new Option<string>("--server", "-s") { Description = "The server's URL, such as https://meridian.example.com", Required = true };
        var tokenFile = new Option<FileInfo?>("--token-file") { Description = "File holding the token; it is read now and saved in the config (readable only by you)" };
        var link = new Option<bool>("--keep-file") { Description = "Save the token file's path instead of the token, and read it at each command" };
        var use = new Option<bool>("--use") { Description = "Make it the current context" };
        var command = new Command("set-context", "Create or replace a context: a server and its token") { name, server, tokenFile, link, use };
        command.SetAction(parse => CommonOptions.RunAsync(() =>
        {
            var n = parse.GetValue(name)!;
            if (n.Length is 0 or > 64 || n.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
                throw new FormatException($"'{n}' is not a context name: 1-64 letters, digits, '-', '_' or '.'");
            var uri = ApiOptions.ServerUri(parse.GetValue(server)!) ?? throw new FormatException($"--server: '{parse.GetValue(server)}' is not an http:// or https:// URL");
            ClientContext context = new(uri.ToString());
            if (parse.GetValue(tokenFile) is { } file)
            {
                var token = ApiOptions.ReadToken(file.FullName, "--token-file");
                context = parse.GetValue(link) ? context with { TokenFile = file.FullName } : context with { Token = token };
            }
            var config = ClientConfig.Load();
            config.Contexts[n] = context;
            if (parse.GetValue(use) || config.CurrentContext is null) config.CurrentContext = n;
            config.Save();
            Console.Error.WriteLine($"meridian: context '{n}' is {uri}{(context.Token is null && context.TokenFile is null ? " (no token)" : "")}" +
                                    $"{(config.CurrentContext == n ? "; it is the current context" : "")}; saved in {config.Path}");
            return Task.FromResult(0);
        }));
        return command;
    }

    private static Command UseContext()
    {
        var name = new Argument<string>("NAME") { Description = "The context to use from now on" };
        var command = new Command("use-context", "Make a context the current one") { name };
        command.SetAction(parse => CommonOptions.RunAsync(() =>
        {
            var config = ClientConfig.Load();
            var n = parse.GetValue(name)!;
            if (!config.Contexts.ContainsKey(n)) throw new FormatException($"no context '{n}' in {config.Path}; 'meridian config get-contexts' lists them");
            config.CurrentContext = n;
            config.Save();
            Console.Error.WriteLine($"meridian: using context '{n}' ({config.Contexts[n].Server})");
            return Task.FromResult(0);
        }));
        return command;
    }

    private static Command GetContexts()
    {
        var command = new Command("get-contexts", "List the contexts (never their tokens); * marks the current one");
        command.SetAction(parse => CommonOptions.RunAsync(() =>
        {
            var config = ClientConfig.Load();
            var table = new Table().Border(TableBorder.Rounded).AddColumns("", "Context", "Server", "Token");
            foreach (var (n, c) in config.Contexts)
                table.AddRow(n == config.CurrentContext ? "*" : "", Markup.Escape(n), Markup.Escape(c.Server),
                    c.Token is not null ? "saved" : c.TokenFile is { } f ? Markup.Escape($"file {f}") : "none");
            CommonOptions.Console().Write(table);
            return Task.FromResult(0);
        }));
        return command;
    }

    private static Command DeleteContext()
    {
        var name = new Argument<string>("NAME") { Description = "The context to remove" };
        var command = new Command("delete-context", "Remove a context and its saved token") { name };
        command.SetAction(parse => CommonOptions.RunAsync(() =>
        {
            var config = ClientConfig.Load();
            var n = parse.GetValue(name)!;
            if (!config.Contexts.Remove(n)) throw new FormatException($"no context '{n}' in {config.Path}");
            if (config.CurrentContext == n) config.CurrentContext = null;
            config.Save();
            Console.Error.WriteLine($"meridian: context '{n}' removed");
            return Task.FromResult(0);
        }));
        return command;
    }
}
