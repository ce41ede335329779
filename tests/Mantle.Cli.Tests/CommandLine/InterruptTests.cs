using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Mantle.Cli.Tests.Walk;

namespace Mantle.Cli.Tests.CommandLine;

/// <summary>A command that SIGTERM (or Ctrl+C) stops while it waits ends in the one error form, with exit code 130.</summary>
public sealed class InterruptTests(CliWorkspaceFixture fixture) : IClassFixture<CliWorkspaceFixture>
{
    [Fact]
    public async Task Verify_TerminatedDuringTheHandshake_InterruptedWithExitCode130()
    {
        // A port that accepts connections and never answers: verify waits in the TLS handshake until it is stopped.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var address = $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        var run = MantleProcess.RunAsUserAsync(fixture.Workspace.ConfigHome, new Dictionary<string, string> { ["MANTLE_DEBUG"] = "" },
            "verify", "--url", address, "--timeout", "50", "--json");
        using var accepted = await silent.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(40));

        await TerminateAsync(ChildWith(address));
        var (exitCode, stdout, stderr) = await run;

        Assert.Equal(130, exitCode);
        var errorLines = stderr.Split('\n').Where(line => line.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.Equal(["error: interrupted (Ctrl+C or SIGTERM) before the command finished."], errorLines);
        var error = JsonDocument.Parse(stdout).RootElement.GetProperty("error");
        Assert.Equal("interrupted", error.GetProperty("code").GetString());
        Assert.Equal(130, error.GetProperty("exit_code").GetInt32());
    }

    /// <summary>The process id of this test's own child whose command line holds <paramref name="marker"/>.</summary>
    private static int ChildWith(string marker)
    {
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // /proc/PID/stat: "pid (name) state ppid …"; the name may hold spaces, so read after its ')'.
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                var commandLine = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ');
                if (parent == Environment.ProcessId && commandLine.Contains(marker, StringComparison.Ordinal))
                {
                    return pid;
                }
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // The process ended while it was read: not the one we look for.
            }
        }

        throw new InvalidOperationException($"No child process of this test runs with '{marker}'.");
    }

    private static async Task TerminateAsync(int pid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }
}
