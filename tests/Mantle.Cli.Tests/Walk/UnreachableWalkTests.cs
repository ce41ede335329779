using Xunit.Abstractions;

namespace Mantle.Cli.Tests.Walk;

/// <summary>Every option of every command that names a server or the broker, given a closed port on loopback.</summary>
public sealed class UnreachableWalkTests(CliWorkspaceFixture fixture, ITestOutputHelper output) : IClassFixture<CliWorkspaceFixture>
{
    [Fact]
    public async Task EveryServerOrBrokerOption_NothingListening_SaysWhatWasTriedInPlainWords()
    {
        var cases = new WalkCases(fixture.Workspace).Unreachable().ToList();

        Assert.True(cases.Count >= 14, $"only {cases.Count} unreachable cases: are the server and broker options marked (OptionRoles)?");
        await WalkRunner.RunAsync(fixture.Workspace, cases, output);
    }
}
