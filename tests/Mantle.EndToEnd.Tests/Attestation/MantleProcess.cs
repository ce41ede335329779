using System.Diagnostics;

namespace Mantle.EndToEnd.Tests.Attestation;

/// <summary>Runs the mantle CLI from the test output folder as a child process, with its own config folder.</summary>
internal static class MantleProcess
{
    public static Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string configHome, params string[] args) =>
        RunAsync(configHome, new Dictionary<string, string>(), args);

    /// <summary>Runs mantle with more environment variables (for example <c>MANTLE_DEBUG</c>).</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string configHome, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mantle.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["XDG_CONFIG_HOME"] = configHome;
        start.Environment["NO_COLOR"] = "1";
        start.Environment["COLUMNS"] = "200";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A file of the real attestation evidence that the build copies beside the tests (<c>tests/testdata/attestation</c>).</summary>
    public static string TestData(string relative)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "testdata", "attestation", relative);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} does not exist: the build copies tests/testdata/attestation there; rebuild the test project.");
    }
}
