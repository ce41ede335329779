using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Mantle.Cli.Tests.Walk;

/// <summary>Runs walk cases as child processes, several at a time, and checks each failure's form.</summary>
internal static partial class WalkRunner
{
    /// <summary>Most cases fail in well under a second; several run at once on any machine.</summary>
    private static readonly SemaphoreSlim Slots = new(Math.Max(12, Environment.ProcessorCount * 4));

    /// <summary>No stack traces, even if the developer running the tests has them switched on.</summary>
    private static readonly Dictionary<string, string> Environment_ = new() { ["MANTLE_DEBUG"] = "" };

    public static async Task RunAsync(CliWorkspace workspace, IReadOnlyList<WalkCase> cases, ITestOutputHelper output)
    {
        var problems = await Task.WhenAll(cases.Select(async walkCase =>
        {
            await Slots.WaitAsync();
            try
            {
                var result = await MantleProcess.RunAsUserAsync(workspace.ConfigHome, Environment_, walkCase.Args);
                return Check(walkCase, result.ExitCode, result.StdOut, result.StdErr);
            }
            finally
            {
                Slots.Release();
            }
        }));
        var failed = problems.Where(problem => problem is not null).ToList();
        output.WriteLine($"{cases.Count} command lines over {cases.Select(c => c.Title.Split(':')[0]).Distinct().Count()} commands; {failed.Count} failed.");
        Assert.True(failed.Count == 0, string.Join("\n\n", failed));
    }

    /// <summary>What is wrong with how the command failed, or null when it failed the one right way.</summary>
    public static string? Check(WalkCase walkCase, int exitCode, string stdout, string stderr)
    {
        var problems = new List<string>();
        var errorLines = Lines(stderr).Where(line => line.StartsWith("error:", StringComparison.Ordinal)).ToList();
        if (exitCode != walkCase.ExitCode)
        {
            problems.Add($"exit code {exitCode}, expected {walkCase.ExitCode}");
        }

        if (errorLines.Count != 1)
        {
            problems.Add($"{errorLines.Count} lines start with 'error:', expected one");
        }

        if (Lines(stderr).Any(line => line.StartsWith("refused:", StringComparison.Ordinal) || line.StartsWith("error (", StringComparison.Ordinal)))
        {
            problems.Add("an error in an old form ('refused:' or 'error (Code):')");
        }

        if (Lines(stdout + "\n" + stderr).Any(line => StackFrame().IsMatch(line) || line.Contains("Unhandled exception", StringComparison.Ordinal)))
        {
            problems.Add("a stack trace");
        }

        var message = errorLines.FirstOrDefault()?["error:".Length..].Trim() ?? "";
        if (message.Contains("subchannel", StringComparison.OrdinalIgnoreCase) || message.StartsWith("Unavailable", StringComparison.Ordinal))
        {
            problems.Add("a transport's own words (gRPC's 'subchannel', 'Unavailable') instead of plain ones");
        }

        foreach (var mention in walkCase.Mentions.Where(mention => !message.Contains(mention, StringComparison.Ordinal)))
        {
            problems.Add($"the error does not name '{mention}'");
        }

        if (walkCase.Json)
        {
            problems.AddRange(CheckJson(walkCase, exitCode, stdout, message));
        }
        else if (stdout.Trim().Length > 0)
        {
            problems.Add("standard output is not empty without --json");
        }

        return problems.Count == 0 ? null : $"{walkCase}\n  {string.Join("\n  ", problems)}\n  exit {exitCode}\n  stderr: {Indent(stderr)}\n  stdout: {Indent(stdout)}";
    }

    private static IEnumerable<string> CheckJson(WalkCase walkCase, int exitCode, string stdout, string message)
    {
        JsonDocument document;
        try
        {
            // Parse refuses anything after the first document, so this also proves there is exactly one.
            document = JsonDocument.Parse(stdout);
        }
        catch (JsonException ex)
        {
            return [$"standard output is not one JSON document ({ex.Message})"];
        }

        using (document)
        {
            if (!document.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return ["the JSON document has no \"error\" object"];
            }

            var problems = new List<string>();
            var code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
            if (!walkCase.Codes.Contains(code))
            {
                problems.Add($"error.code is '{code}', expected {string.Join(" or ", walkCase.Codes)}");
            }

            if (!error.TryGetProperty("exit_code", out var exit) || exit.GetInt32() != exitCode)
            {
                problems.Add("error.exit_code is not the exit code");
            }

            if (!error.TryGetProperty("message", out var text) || text.GetString() != message)
            {
                problems.Add("error.message is not the message of the error: line");
            }

            return problems;
        }
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n').Select(line => line.TrimEnd('\r'));

    private static string Indent(string text) => text.Trim().Replace("\n", "\n    ", StringComparison.Ordinal);

    [GeneratedRegex(@"^\s+at \S")]
    private static partial Regex StackFrame();
}
