using Mantle.Cli.CommandLine;
using Xunit.Abstractions;

namespace Mantle.Cli.Tests.Walk;

/// <summary>The walk finds every command, and every command runs guarded.</summary>
public sealed class CommandTreeTests(CliWorkspaceFixture fixture, ITestOutputHelper output) : IClassFixture<CliWorkspaceFixture>
{
    [Fact]
    public void EveryCommand_IsWalkedAndGuarded()
    {
        var cases = new WalkCases(fixture.Workspace);
        var runnable = WalkCases.Runnable;
        var walked = cases.ParserErrors().Select(walkCase => walkCase.Title.Split(':')[0]).ToHashSet();
        output.WriteLine($"{runnable.Count} commands; the walk runs {cases.Files().Count()} file cases, {cases.Unreachable().Count()} unreachable-server cases and {walked.Count} commands' parser cases ({cases.ParserErrors().Count()}).");

        Assert.True(runnable.Count >= 30, $"only {runnable.Count} commands found");
        Assert.All(runnable, command => Assert.Contains(command.Name, walked));
        Assert.All(runnable, command => Assert.IsType<GuardedAction>(command.Command.Action));
    }

    [Fact]
    public void EveryOptionThatTakesAFileOrFolder_SaysSo()
    {
        // Paths checked where they are used: the TEE device folders (their absence means that this machine has no such
        // TEE, which the evidence provider explains) and the broker's --db (sqlite:PATH or postgres:…). And options whose
        // description speaks of files without taking a path.
        string[] checkedWhereUsed = ["--device-root", "--tee-device-root", "--db", "--file_system_poll_wait_seconds", "--platform"];
        var unmarked = WalkCases.Runnable
            .SelectMany(command => command.Options.Select(option => (command, option)))
            .Where(pair => pair.option.ValueType != typeof(bool) && OptionRoles.Of(pair.option) is null && !checkedWhereUsed.Contains(pair.option.Name))
            .Where(pair => pair.option.Description is { } description
                && (description.Contains(" file", StringComparison.OrdinalIgnoreCase) || description.Contains("folder", StringComparison.OrdinalIgnoreCase)))
            .Select(pair => $"{pair.command.Name} {pair.option.Name}: {pair.option.Description}")
            .ToList();

        Assert.True(unmarked.Count == 0, "options that name a file or folder without saying so (OptionRoles):\n" + string.Join("\n", unmarked));
    }
}
