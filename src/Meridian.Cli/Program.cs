using System.CommandLine;
using Meridian.Cli.Commands;

var root = new RootCommand("Meridian: the control plane of a multi-region cloud. Run 'meridian serve' for the API and console.")
{
    ServeCommand.Create(),
    InitCommand.Create(),
    RegionsCommand.Create(),
    WorldCommand.Create(),
    PlaceCommand.Create(),
    TenantCommand.Create(),
    TokenCommand.Create(),
    CapacityCommand.Create(),
    DrainCommand.Create(),
    WatchCommand.Create(),
    ReplayCommand.Create(),
    RouteCommand.Create(),
    LatencyCommand.Create(),
    PlanCommand.Create(),
    ConfigCommand.Create(),
    BenchCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
