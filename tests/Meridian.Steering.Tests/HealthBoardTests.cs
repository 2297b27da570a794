using Meridian.Steering.Health;

namespace Meridian.Steering.Tests;

public sealed class HealthBoardTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void NeverChecked_IsHealthy()
    {
        Assert.Null(new HealthBoard(new HealthOptions()).Unhealthy("qwen3-max", "eu-central-1"));
    }

    [Fact]
    public void PassiveFailures_TakeARegionOutForTheCoolDown_ThenItComesBack()
    {
        var clock = new Clock();
        var board = new HealthBoard(new HealthOptions { PassiveFailures = 3, CoolDown = TimeSpan.FromSeconds(10) }, clock);
        board.ReportPassive("s", "r", false, "refused");
        board.ReportPassive("s", "r", false, "refused");
        Assert.Null(board.Unhealthy("s", "r"));
        board.ReportPassive("s", "r", false, "refused");
        Assert.Contains("cooling down", board.Unhealthy("s", "r"));
        clock.Now += TimeSpan.FromSeconds(11);
        Assert.Null(board.Unhealthy("s", "r"));
    }

    [Fact]
    public void ActiveChecks_NeedConsecutiveFailuresAndSuccesses()
    {
        var board = new HealthBoard(new HealthOptions { UnhealthyThreshold = 2, HealthyThreshold = 2 });
        board.ReportActive("s", "r", false, "HTTP 500");
        Assert.Null(board.Unhealthy("s", "r"));
        board.ReportActive("s", "r", false, "HTTP 500");
        Assert.Contains("HTTP 500", board.Unhealthy("s", "r"));
        board.ReportActive("s", "r", true);
        Assert.NotNull(board.Unhealthy("s", "r"));
        board.ReportActive("s", "r", true);
        Assert.Null(board.Unhealthy("s", "r"));
    }

    [Fact]
    public void TheOperatorHasTheLastWord()
    {
        var board = new HealthBoard(new HealthOptions { UnhealthyThreshold = 1 });
        board.SetOperator("s", "r", OperatorState.Down);
        Assert.Equal("marked down by an operator", board.Unhealthy("s", "r"));
        board.ReportActive("s", "r", false, "HTTP 500");
        board.SetOperator("s", "r", OperatorState.Up);
        Assert.Null(board.Unhealthy("s", "r"));
        board.SetOperator("s", "r", OperatorState.Auto);
        Assert.NotNull(board.Unhealthy("s", "r"));
    }
}
