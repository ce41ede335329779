using Xunit.Abstractions;

namespace Mantle.Cli.Tests.Walk;

/// <summary>Every file option and argument of every command, given a path that is missing or of the wrong kind.</summary>
public sealed class FileOptionWalkTests(CliWorkspaceFixture fixture, ITestOutputHelper output) : IClassFixture<CliWorkspaceFixture>
{
    [Fact]
    public async Task EveryFileOption_MissingOrOfTheWrongKind_NamesTheOptionAndThePath()
    {
        var cases = new WalkCases(fixture.Workspace).Files().ToList();

        Assert.True(cases.Count > 100, $"only {cases.Count} file cases: are the file options marked (OptionRoles)?");
        await WalkRunner.RunAsync(fixture.Workspace, cases, output);
    }
}
