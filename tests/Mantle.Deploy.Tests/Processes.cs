using System.Diagnostics;
using System.Text;

namespace Mantle.Deploy.Tests;

/// <summary>Runs the external programs the deployment tests need (bash, kubectl) and looks for processes left behind.</summary>
internal static class Processes
{
    /// <summary>The folder the deployment files were copied to (the test output's <c>deploy/</c>).</summary>
    public static string DeployFolder => Path.Combine(AppContext.BaseDirectory, "deploy");

    /// <summary>The repository this test build came from (the folder of Mantle.slnx above the test output).</summary>
    public static string RepositoryFolder
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Mantle.slnx")))
                {
                    return folder.FullName;
                }
            }

            throw new InvalidOperationException($"no Mantle.slnx above {AppContext.BaseDirectory}; the repository's tests run from its artifacts folder.");
        }
    }

    /// <summary>Finds a program on PATH, or null.</summary>
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs a program to completion within <paramref name="timeout"/> (then stopped with SIGTERM, killed 30 s later), returning the exit code and both outputs.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string file, IEnumerable<string> args, TimeSpan timeout, Action<Process, string>? onStderrLine = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = new Process { StartInfo = info };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            Append(stderr, e.Data);
            if (e.Data is not null)
            {
                onStderrLine?.Invoke(process, e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGTERM first, so that a script's own clean-up stops what it started (a daemonized PostgreSQL is no
            // longer in the process tree); the tree is killed only if that does not end it.
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync(CancellationToken.None);
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }

            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds:0} s.\nstdout:\n{Text(stdout)}\nstderr:\n{Text(stderr)}");
        }

        // The asynchronous readers deliver the last lines after the exit.
        process.WaitForExit();
        return (process.ExitCode, Text(stdout), Text(stderr));
    }

    /// <summary>The ids and command lines of running processes whose command line mentions <paramref name="text"/>.</summary>
    public static IReadOnlyList<string> Mentioning(string text)
    {
        var found = new List<string>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(folder);
            if (!int.TryParse(name, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(text, StringComparison.Ordinal))
                {
                    found.Add($"{pid}: {commandLine}");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while the folder was read.
            }
        }

        return found;
    }

    private static void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (target)
        {
            target.AppendLine(line);
        }
    }

    private static string Text(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }
}
