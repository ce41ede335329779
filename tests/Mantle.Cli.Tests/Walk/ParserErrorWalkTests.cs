using Xunit.Abstractions;

namespace Mantle.Cli.Tests.Walk;

/// <summary>Every command with an unknown option, each required option left out and each typed option given a word.</summary>
public sealed class ParserErrorWalkTests(CliWorkspaceFixture fixture, ITestOutputHelper output) : IClassFixture<CliWorkspaceFixture>
{
    [Fact]
    public async Task EveryCommand_ParserErrors_OneUsageErrorPointingAtHelp()
    {
        var cases = new WalkCases(fixture.Workspace).ParserErrors().ToList();

        Assert.True(cases.Count > 100, $"only {cases.Count} parser cases");
        await WalkRunner.RunAsync(fixture.Workspace, cases, output);
    }
}
