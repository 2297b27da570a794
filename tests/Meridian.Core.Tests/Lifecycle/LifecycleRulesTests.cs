using CsCheck;
using Meridian.Core.Lifecycle;
using Meridian.Core.Model;

namespace Meridian.Core.Tests.Lifecycle;

public sealed class LifecycleRulesTests
{
    [Theory]
    [InlineData(LifecycleStatus.Closed, LifecycleStatus.Live)]
    [InlineData(LifecycleStatus.Planned, LifecycleStatus.Draining)]
    [InlineData(LifecycleStatus.Live, LifecycleStatus.Closed)]
    [InlineData(LifecycleStatus.Live, LifecycleStatus.Planned)]
    [InlineData(LifecycleStatus.Live, LifecycleStatus.Live)]
    public void ImpossibleMoves_AreRefused(LifecycleStatus from, LifecycleStatus to) => Assert.False(LifecycleRules.CanMove(from, to));

    [Theory]
    [InlineData(LifecycleStatus.Planned, LifecycleStatus.UnderConstruction)]
    [InlineData(LifecycleStatus.UnderConstruction, LifecycleStatus.Live)]
    [InlineData(LifecycleStatus.Live, LifecycleStatus.Draining)]
    [InlineData(LifecycleStatus.Draining, LifecycleStatus.Closed)]
    [InlineData(LifecycleStatus.Draining, LifecycleStatus.Live)]
    public void TheUsualPath_IsAllowed(LifecycleStatus from, LifecycleStatus to) => Assert.True(LifecycleRules.CanMove(from, to));

    [Fact]
    public void Closed_IsFinal() =>
        Assert.All(Enum.GetValues<LifecycleStatus>(), to => Assert.False(LifecycleRules.CanMove(LifecycleStatus.Closed, to)));

    [Fact]
    public void StatusOn_ReadsTheLatestEventOnOrBeforeTheDate()
    {
        LifecycleEvent[] history =
        [
            new(LifecycleStatus.Live, new DateOnly(2016, 12, 1)),
            new(LifecycleStatus.Draining, new DateOnly(2024, 1, 31)),
            new(LifecycleStatus.Closed, new DateOnly(2024, 6, 30)),
        ];
        Assert.Null(LifecycleRules.StatusOn(history, new DateOnly(2016, 11, 30)));
        Assert.Equal(LifecycleStatus.Live, LifecycleRules.StatusOn(history, new DateOnly(2016, 12, 1)));
        Assert.Equal(LifecycleStatus.Draining, LifecycleRules.StatusOn(history, new DateOnly(2024, 6, 29)));
        Assert.Equal(LifecycleStatus.Closed, LifecycleRules.StatusOn(history, new DateOnly(2030, 1, 1)));
    }

    [Fact]
    public void Check_ReportsEveryBadStep_WithItsIndex()
    {
        LifecycleEvent[] history =
        [
            new(LifecycleStatus.Planned, new DateOnly(2020, 1, 1)),
            new(LifecycleStatus.Draining, new DateOnly(2019, 1, 1)),
        ];
        var errors = LifecycleRules.Check(history).ToArray();
        Assert.Contains(errors, e => e.Field == "history[1].on");
        Assert.Contains(errors, e => e.Field == "history[1].status" && e.Message.Contains("Planned to Draining"));
    }

    [Fact]
    public void AnyHistoryThatChecksClean_HasAStatusOnEveryDateFromItsFirstEvent()
    {
        var gen = Gen.Select(Gen.Enum<LifecycleStatus>(), Gen.Int[0, 4000])
            .Array[1, 6]
            .Select(steps =>
            {
                var day = new DateOnly(2000, 1, 1);
                return steps.Select(s => new LifecycleEvent(s.Item1, day = day.AddDays(s.Item2))).ToArray();
            });
        gen.Sample(history =>
        {
            if (LifecycleRules.Check(history).Any()) return;
            for (var d = history[0].On; d <= history[^1].On; d = d.AddDays(97))
                Assert.NotNull(LifecycleRules.StatusOn(history, d));
            Assert.Equal(history[^1].Status, LifecycleRules.StatusOn(history, history[^1].On));
        });
    }
}
