using System.Globalization;
using System.Text.RegularExpressions;

namespace Mantle.Deploy.Tests;

/// <summary>
/// deploy/scale-out.sh on this machine: PostgreSQL, two brokers and three servers behind HAProxy, a server and a broker
/// killed with SIGKILL under load. The assertions are on the script's last line (counts, lost writes, the replacement),
/// never on absolute throughput.
/// </summary>
public sealed partial class ScaleOutScriptTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task ScaleOut_KillServerAndBrokerUnderLoad_NoAcknowledgedWriteLostAndReplacementRejoins()
    {
        var (exit, stdout, stderr) = await RunScriptAsync();

        Assert.True(exit == 0, $"scale-out.sh exited with {exit}:\n{stderr}\n{stdout}");
        var last = stdout.TrimEnd().Split('\n')[^1];
        var figures = Figures().Match(last);
        Assert.True(figures.Success, $"unexpected last line: {last}");
        for (var n = 1; n <= 3; n++)
        {
            Assert.True(Number(figures, $"t{n}") > 0, $"no throughput with {n} server(s): {last}");
        }

        Assert.InRange(Number(figures, "ready"), 1, 120_000);
        Assert.True(Number(figures, "rejoined") > 0, last);
        Assert.True(Number(figures, "completed") > 0, last);
        Assert.True(Number(figures, "failed") < Number(figures, "completed"), last);
        Assert.True(Number(figures, "before") > 0, last);
        Assert.True(Number(figures, "acked") >= Number(figures, "before"), last);
        Assert.Equal(0, Number(figures, "lost"));
        Assert.True(Number(figures, "entries") > Number(figures, "acked"), last);
        AssertNothingLeft(stderr);
    }

    [Fact]
    public async Task ScaleOut_StoppedMidRun_StopsEveryProcessItStarted()
    {
        var (exit, _, stderr) = await RunScriptAsync(onStderrLine: (script, line) =>
        {
            if (line.Contains("brokers on ", StringComparison.Ordinal))
            {
                using var kill = System.Diagnostics.Process.Start("kill", ["-TERM", script.Id.ToString(CultureInfo.InvariantCulture)]);
            }
        });

        Assert.NotEqual(0, exit);
        Assert.True(stderr.Contains("brokers on ", StringComparison.Ordinal), stderr);
        AssertNothingLeft(stderr);
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunScriptAsync(Action<System.Diagnostics.Process, string>? onStderrLine = null)
    {
        foreach (var tool in new[] { "bash", "haproxy", "curl", "python3" })
        {
            Assert.True(Processes.Find(tool) is not null, $"'{tool}' is not on PATH; run scripts/install-deps.sh (Debian packages).");
        }

        return Processes.RunAsync(
            "bash",
            [Path.Combine(Processes.DeployFolder, "scale-out.sh"), "--mantle", Path.Combine(AppContext.BaseDirectory, "mantle.dll")],
            Bound,
            onStderrLine: onStderrLine);
    }

    /// <summary>No process may mention the script's work folder or PostgreSQL folder once it has exited.</summary>
    private static void AssertNothingLeft(string stderr)
    {
        var folders = new List<string>();
        var work = Regex.Match(stderr, @"work folder (\S+);");
        Assert.True(work.Success, stderr);
        folders.Add(work.Groups[1].Value);
        var pg = Regex.Match(stderr, @"\(data in (\S+)\)");
        if (pg.Success)
        {
            folders.Add(pg.Groups[1].Value);
        }

        var left = new List<string>();
        for (var attempt = 0; attempt < 50; attempt++)
        {
            left = folders.SelectMany(Processes.Mentioning).ToList();
            if (left.Count == 0)
            {
                break;
            }

            Thread.Sleep(100);
        }

        Assert.True(left.Count == 0, "processes left running:\n" + string.Join('\n', left));
        Assert.All(folders, folder => Assert.False(Directory.Exists(folder), $"{folder} was not removed"));
    }

    private static double Number(Match match, string group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^scale-out: throughput (?<t1>[0-9.]+) / (?<t2>[0-9.]+) / (?<t3>[0-9.]+) items/s with 1 / 2 / 3 servers; replacement ready in (?<ready>\d+) ms, served (?<rejoined>\d+) requests after rejoining; requests completed (?<completed>\d+), failed (?<failed>\d+); broker writes acknowledged (?<acked>\d+) \((?<before>\d+) before the kill; (?<unacked>\d+) not acknowledged\), lost (?<lost>\d+); audit chain verifies \((?<entries>\d+) entries\)$")]
    private static partial Regex Figures();
}
