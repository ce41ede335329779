namespace Mantle.Cli.Tests;

/// <summary>Runs the mantle command as a user would: its own config folder, no colours, a wide terminal.</summary>
internal static class CliRun
{
    public static Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string configHome, params string[] args) =>
        RunAsync(configHome, new Dictionary<string, string>(), args);

    /// <summary>Runs mantle with more environment variables (for example <c>MANTLE_DEBUG</c>).</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string configHome, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var variables = new Dictionary<string, string>(environment)
        {
            ["XDG_CONFIG_HOME"] = configHome,
            ["NO_COLOR"] = "1",
            ["COLUMNS"] = "200",
        };
        var result = await MantleProcess.RunAsync(new ChildProcessOptions { Environment = variables, Timeout = TimeSpan.FromSeconds(60) }, args);
        return (result.ExitCode, result.Stdout, result.Stderr);
    }
}
