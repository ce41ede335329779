namespace Mantle.Cli.Tests.Walk;

/// <summary>One <see cref="CliWorkspace"/> for the tests of a class.</summary>
public sealed class CliWorkspaceFixture : IDisposable
{
    public CliWorkspace Workspace { get; } = new();

    public void Dispose() => Workspace.Dispose();
}
