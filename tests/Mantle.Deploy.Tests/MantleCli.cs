using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Mantle.Deploy.Tests;

/// <summary>
/// What this build's <c>mantle</c> accepts, read from its own help (<c>mantle COMMAND --help</c>): the deployment files
/// are checked against the parser that will run them, not against a list kept by hand.
/// </summary>
internal static partial class MantleCli
{
    private static readonly ConcurrentDictionary<string, Task<CommandSyntax?>> Help = new(StringComparer.Ordinal);

    /// <summary>The problems mantle would have with <paramref name="args"/> (empty when it accepts them).</summary>
    public static async Task<IReadOnlyList<string>> ProblemsAsync(IReadOnlyList<string> args, string where)
    {
        var words = args.TakeWhile(a => !a.StartsWith('-')).ToList();
        CommandSyntax? syntax = null;
        for (var n = words.Count; n >= 1 && syntax is null; n--)
        {
            var candidate = await HelpAsync(words.Take(n).ToList());
            if (candidate is not null && candidate.Path.SequenceEqual(words.Take(n)))
            {
                syntax = candidate;
            }
        }

        var shown = $"{where}: mantle {string.Join(' ', args)}";
        if (syntax is null)
        {
            return [$"{shown}: no such command"];
        }

        var problems = new List<string>();
        var given = new HashSet<string>(StringComparer.Ordinal);
        var positionals = words.Count - syntax.Path.Count;
        for (var i = syntax.Path.Count; i < args.Count; i++)
        {
            var token = args[i];
            if (!token.StartsWith('-') || token == "-")
            {
                if (i >= words.Count)
                {
                    positionals++;
                }

                continue;
            }

            var name = token.Split('=', 2)[0];
            if (!syntax.Options.TryGetValue(name, out var option))
            {
                problems.Add($"{shown}: 'mantle {string.Join(' ', syntax.Path)}' has no option {name}");
                continue;
            }

            given.Add(option.Name);
            if (option.TakesValue && !token.Contains('=', StringComparison.Ordinal))
            {
                if (i + 1 >= args.Count)
                {
                    problems.Add($"{shown}: {name} needs a value");
                }

                i++;
            }
        }

        if (positionals > syntax.Arguments)
        {
            problems.Add($"{shown}: {positionals} argument(s) where 'mantle {string.Join(' ', syntax.Path)}' takes {syntax.Arguments}");
        }

        problems.AddRange(syntax.Options.Values.Where(o => o.Required && !given.Contains(o.Name)).Select(o => o.Name).Distinct()
            .Select(name => $"{shown}: the required option {name} is missing"));
        return problems;
    }

    /// <summary>The mantle invocations in a shell script: the words after each command word <c>mantle</c> (or <c>/app/mantle</c>).</summary>
    public static IEnumerable<IReadOnlyList<string>> InvocationsIn(string script)
    {
        foreach (var line in script.Split('\n'))
        {
            var command = new List<string>();
            foreach (var word in ShellWords(line).Append(";"))
            {
                if (word is ";" or "||" or "&&" or "|" or "then" or "do" or "else")
                {
                    if (command.Count > 0 && command[0] is "mantle" or "/app/mantle")
                    {
                        yield return command.Skip(1).ToList();
                    }

                    command.Clear();
                }
                else if (word.StartsWith('>') || word.StartsWith("2>", StringComparison.Ordinal) || (command.Count == 0 && word == "exec"))
                {
                    continue;
                }
                else
                {
                    command.Add(word);
                }
            }
        }
    }

    /// <summary>The absolute paths that appear in arguments (connection strings included), without the image's own.</summary>
    public static IEnumerable<string> PathsIn(IEnumerable<string> args) =>
        args.SelectMany(a => AbsolutePath().Matches(a).Select(m => m.Value))
            .Where(p => !p.StartsWith("/app/", StringComparison.Ordinal) && p != "/dev/null");

    /// <summary>Whether a path is a mount path or lies below one.</summary>
    public static bool Under(string path, IEnumerable<string> mounts) =>
        mounts.Any(m => path == m || path.StartsWith(m.TrimEnd('/') + "/", StringComparison.Ordinal));

    /// <summary>The value after an option in an argument list (<c>--port 8500</c> or <c>--port=8500</c>), or null.</summary>
    public static string? Value(IReadOnlyList<string> args, string option)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == option && i + 1 < args.Count)
            {
                return args[i + 1];
            }

            if (args[i].StartsWith(option + "=", StringComparison.Ordinal))
            {
                return args[i][(option.Length + 1)..];
            }
        }

        return null;
    }

    private static async Task<CommandSyntax?> HelpAsync(IReadOnlyList<string> path)
    {
        return await Help.GetOrAdd(string.Join(' ', path), async _ =>
        {
            var (exit, stdout, _) = await Processes.RunAsync(
                "dotnet", [Path.Combine(AppContext.BaseDirectory, "mantle.dll"), .. path, "--help"], TimeSpan.FromMinutes(2));
            return exit == 0 ? CommandSyntax.Parse(stdout) : null;
        });
    }

    private static IEnumerable<string> ShellWords(string line)
    {
        foreach (Match match in ShellWord().Matches(line))
        {
            if (match.Value.StartsWith('#'))
            {
                yield break;
            }

            yield return match.Value.Length >= 2 && match.Value[0] is '"' or '\'' && match.Value[^1] == match.Value[0]
                ? match.Value[1..^1]
                : match.Value;
        }
    }

    [GeneratedRegex("""(?<![\w:/.$-])/[A-Za-z0-9_.\-/]+""")]
    private static partial Regex AbsolutePath();

    [GeneratedRegex("""\|\||&&|[;|]|"[^"]*"|'[^']*'|[^\s;|&]+""")]
    private static partial Regex ShellWord();

    private sealed record OptionSyntax(string Name, bool TakesValue, bool Required);

    /// <summary>One command's help: its path (<c>broker serve</c>), options by every alias, and how many arguments it takes.</summary>
    private sealed record CommandSyntax(IReadOnlyList<string> Path, IReadOnlyDictionary<string, OptionSyntax> Options, int Arguments)
    {
        public static CommandSyntax? Parse(string help)
        {
            var lines = help.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            var usage = lines.SkipWhile(l => l.Trim() != "Usage:").Skip(1).FirstOrDefault()?.Trim();
            if (usage is null || !usage.StartsWith("mantle", StringComparison.Ordinal))
            {
                return null;
            }

            var usageWords = usage.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
            var path = usageWords.Where(w => !w.StartsWith('<') && !w.StartsWith('[')).ToList();
            var arguments = usageWords.Count(w => w.StartsWith('<'));
            var options = new Dictionary<string, OptionSyntax>(StringComparer.Ordinal);
            foreach (var line in lines.SkipWhile(l => l.Trim() != "Options:").Skip(1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)))
            {
                var spec = DescriptionGap().Split(line.Trim(), 2)[0];
                var aliases = spec.Split(", ").Select(a => a.Split(' ')[0]).Where(a => a.StartsWith('-')).ToList();
                if (aliases.Count == 0)
                {
                    continue;
                }

                var option = new OptionSyntax(aliases[^1], spec.Contains('<', StringComparison.Ordinal), spec.Contains("(REQUIRED)", StringComparison.Ordinal));
                foreach (var alias in aliases)
                {
                    options[alias] = option;
                }
            }

            return new CommandSyntax(path, options, arguments);
        }
    }

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex DescriptionGap();
}
