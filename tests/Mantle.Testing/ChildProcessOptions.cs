namespace Mantle.Testing;

/// <summary>How <see cref="ChildProcess"/> starts a program.</summary>
public sealed class ChildProcessOptions
{
    /// <summary>The working folder; null (the default) keeps the test's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Environment variables to set or override in the child's environment.</summary>
    public IDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Gives the child a standard input of its own instead of the test's; defaults to false.</summary>
    public bool RedirectStandardInput { get; init; }

    /// <summary>How long <see cref="ChildProcess.RunAsync"/> waits for the program to exit; null: <see cref="ChildProcess.DefaultTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The name that timeout and failure messages use; null: the program's file name.</summary>
    public string? Name { get; init; }
}
