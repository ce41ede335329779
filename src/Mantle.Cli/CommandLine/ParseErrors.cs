using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Mantle.Cli.CommandLine;

/// <summary>
/// Command lines that do not parse (an unknown option, a missing required one, a value that does not parse or is out
/// of range) as one usage error that names the problem and points at the command's help, instead of the whole help.
/// </summary>
internal static class ParseErrors
{
    /// <summary>True when <c>--json</c> appears on the command line, even where the command has no such option.</summary>
    public static bool WantsJson(ParseResult parse) => parse.Tokens.Any(token => token.Value == "--json");

    public static CliError Describe(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var command = parse.CommandResult.Command;
        var path = CommandPath(command);
        var problems = new List<string>();
        string? named = null;
        foreach (var token in parse.UnmatchedTokens)
        {
            problems.Add(token.StartsWith('-') ? $"unknown option '{token}'{Suggestion(command, token)}"
                : command.Subcommands.Count > 0 ? $"unknown command '{token}' (the commands of '{path}' are {Names(command)})"
                : $"unexpected argument '{token}'");
        }

        if (command.Action is null && command.Subcommands.Count > 0 && parse.UnmatchedTokens.Count == 0)
        {
            problems.Add($"'{path}' needs a command: {Names(command)}");
        }

        foreach (var option in command.Options.Where(option => option.Required && parse.GetResult(option) is not OptionResult { Implicit: false }))
        {
            problems.Add($"{option.Name} is required");
            named ??= option.Name;
        }

        foreach (var argument in command.Arguments.Where(argument => argument.Arity.MinimumNumberOfValues > 0 && (parse.GetResult(argument)?.Tokens.Count ?? 0) == 0))
        {
            problems.Add($"the argument {OptionRoles.Label(argument)} is missing");
            named ??= OptionRoles.Label(argument);
        }

        foreach (var error in parse.Errors)
        {
            if (OptionOf(error.SymbolResult) is { } option && parse.GetResult(option) is OptionResult { Tokens.Count: > 0 } given)
            {
                problems.Add(ValueProblem(option, given, error.Message));
                named ??= option.Name;
            }
        }

        if (problems.Count == 0)
        {
            problems.AddRange(parse.Errors.Select(error => ErrorOutput.OneLine(error.Message).TrimEnd('.')));
        }

        return new CliError(CliErrorCodes.Usage, $"{string.Join("; ", problems.Distinct())}. See '{path} --help'.") { Option = named };
    }

    /// <summary>"mantle broker keys put".</summary>
    public static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Command? current = command; current is not null; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Add(current is RootCommand ? "mantle" : current.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    private static Option? OptionOf(SymbolResult? result) => result switch
    {
        OptionResult option => option.Option,
        ArgumentResult { Parent: OptionResult option } => option.Option,
        _ => null,
    };

    /// <summary>A value that does not convert says what was expected; the rest (ranges, choices) keep the validator's words.</summary>
    private static string ValueProblem(Option option, OptionResult given, string message)
    {
        var expected = Expected(option.ValueType);
        var unparsable = given.Tokens.Select(token => token.Value).FirstOrDefault(value => expected is not null && !Parses(option.ValueType, value));
        if (unparsable is not null)
        {
            return $"{option.Name} '{unparsable}' is not {expected}";
        }

        var choices = option.ValueType == typeof(bool) ? [] : option.GetCompletions(CompletionContext.Empty).Select(item => item.Label).ToList();
        var unknown = given.Tokens.Select(token => token.Value).FirstOrDefault(value => choices.Count > 0 && !choices.Contains(value, StringComparer.Ordinal));
        if (unknown is not null)
        {
            return $"{option.Name} '{unknown}' is not one of {string.Join(", ", choices)}";
        }

        var text = ErrorOutput.OneLine(message).TrimEnd('.');
        return text.Contains(option.Name, StringComparison.Ordinal) ? text : $"{option.Name}: {text}";
    }

    private static string? Expected(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) => $"a whole number from {int.MinValue} to {int.MaxValue}",
        var t when t == typeof(long) => $"a whole number from {long.MinValue} to {long.MaxValue}",
        var t when t == typeof(double) => "a number",
        var t when t == typeof(Uri) => "a URL",
        var t when t == typeof(bool) => "true or false",
        _ => null,
    };

    private static bool Parses(Type type, string value) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        var t when t == typeof(long) => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        var t when t == typeof(double) => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
        var t when t == typeof(Uri) => Uri.TryCreate(value, UriKind.RelativeOrAbsolute, out _),
        var t when t == typeof(bool) => bool.TryParse(value, out _),
        _ => true,
    };

    private static string Names(Command command) => string.Join(", ", command.Subcommands.Where(sub => !sub.Hidden).Select(sub => sub.Name));

    /// <summary>" (did you mean --out?)" for a near miss of one of the command's options.</summary>
    private static string Suggestion(Command command, string token)
    {
        var best = command.Options.Where(option => !option.Hidden)
            .SelectMany(option => option.Aliases.Prepend(option.Name))
            .Select(name => (Name: name, Distance: Distance(name, token)))
            .OrderBy(candidate => candidate.Distance)
            .FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(2, token.Length / 4) ? $" (did you mean {best.Name}?)" : string.Empty;
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
