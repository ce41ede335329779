using System.CommandLine;

namespace Mantle.Cli.CommandLine;

/// <summary>
/// Files and folders named on the command line: checked before a command runs (so that a missing file is reported
/// with its option, not as the first library call that trips over it), and read or written with messages that name
/// the option, the path and what it is.
/// </summary>
internal static class OptionFiles
{
    /// <summary>Checks every file and folder that the invoked command's options and arguments name.</summary>
    /// <exception cref="CliException">A named file or folder is missing, of the wrong kind, or cannot be read.</exception>
    public static void CheckAll(ParseResult parse)
    {
        foreach (var (symbol, role, value) in Named(parse))
        {
            Check(OptionRoles.Label(symbol), role is OptionRole.InputFileSpec ? SpecPath(value) : value, role);
        }
    }

    /// <summary>The option whose file or folder <paramref name="message"/> mentions, with that path; null when none does.</summary>
    public static (string Label, string Path)? Mentioned(ParseResult? parse, string message)
    {
        if (parse is null)
        {
            return null;
        }

        var mentioned = Named(parse)
            .Where(named => named.Role is not (OptionRole.ServerAddress or OptionRole.BrokerAddress))
            .Select(named => (Label: OptionRoles.Label(named.Symbol), Path: named.Role is OptionRole.InputFileSpec ? SpecPath(named.Value) : named.Value))
            .Where(named => named.Path.Length > 0 && (Mentions(message, named.Path) || Mentions(message, Path.GetFullPath(named.Path))))
            .GroupBy(named => named.Path.Length)
            .OrderByDescending(group => group.Key)
            .FirstOrDefault()?
            .DistinctBy(named => named.Label)
            .ToList();

        // A path that two options share (or none) names no option.
        return mentioned is [var only] ? only : null;
    }

    public static byte[] ReadAllBytes(string path, string label) => Reading(path, label, () => File.ReadAllBytes(path));

    public static string ReadAllText(string path, string label) => Reading(path, label, () => File.ReadAllText(path));

    public static string[] ReadAllLines(string path, string label) => Reading(path, label, () => File.ReadAllLines(path));

    /// <summary>Runs <paramref name="write"/>; a failure to write says which option named the path and why.</summary>
    public static void Write(string path, string label, Action write)
    {
        try
        {
            write();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw CannotWrite(path, label, error);
        }
    }

    /// <summary>Runs <paramref name="write"/>; a failure to write says which option named the path and why.</summary>
    public static async Task WriteAsync(string path, string label, Func<Task> write)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw CannotWrite(path, label, error);
        }
    }

    /// <summary>Why an I/O call failed, in a few words ("permission denied", "its folder does not exist").</summary>
    public static string Reason(Exception error) => error switch
    {
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException => "its folder does not exist",
        FileNotFoundException => "it does not exist",
        _ => error.Message.TrimEnd('.'),
    };

    private static void Check(string label, string path, OptionRole role)
    {
        switch (role)
        {
            case OptionRole.InputFile or OptionRole.InputFileSpec:
                if (Directory.Exists(path))
                {
                    throw Unusable(label, path, $"{label} {path} is a folder, not a file; give the path of the file.");
                }

                RequireReadable(label, path);
                break;
            case OptionRole.InputFolder:
                if (File.Exists(path))
                {
                    throw Unusable(label, path, $"{label} {path} is a file, not a folder; give the path of the folder.");
                }

                RequireReadable(label, path);
                break;
            case OptionRole.InputPath:
                RequireReadable(label, path);
                break;
            case OptionRole.InputOrNewFile when File.Exists(path) || Directory.Exists(path):
                Check(label, path, OptionRole.InputFile);
                break;
            case OptionRole.InputOrNewFile or OptionRole.OutputFile:
                if (Directory.Exists(path))
                {
                    throw Unusable(label, path, $"{label} {path} is a folder; give the path of the file to write.");
                }

                var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
                if (File.Exists(folder))
                {
                    throw Unusable(label, path, $"{label} {path} cannot be written: {folder} is a file, not a folder.");
                }

                if (!Directory.Exists(folder))
                {
                    throw new CliException(new CliError(CliErrorCodes.FileNotFound, $"{label} {path} cannot be written: the folder {folder} does not exist; create it first.")
                    {
                        Option = label,
                        Path = path,
                    });
                }

                break;
            case OptionRole.OutputFolder:
                if (File.Exists(path))
                {
                    throw Unusable(label, path, $"{label} {path} is a file, not a folder; give a new or empty folder.");
                }

                for (var ancestor = Path.GetDirectoryName(Path.GetFullPath(path)); ancestor is not null; ancestor = Path.GetDirectoryName(ancestor))
                {
                    if (File.Exists(ancestor))
                    {
                        throw Unusable(label, path, $"{label} {path} cannot be created: {ancestor} is a file, not a folder.");
                    }

                    if (Directory.Exists(ancestor))
                    {
                        break;
                    }
                }

                break;
        }
    }

    private static void RequireReadable(string label, string path)
    {
        try
        {
            if (File.Exists(path))
            {
                using var _ = File.OpenRead(path);
            }
            else if (Directory.Exists(path))
            {
                using var entries = Directory.EnumerateFileSystemEntries(path).GetEnumerator();
                entries.MoveNext();
            }
            else
            {
                throw NotFound(label, path);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw Unusable(label, path, $"{label} {path} cannot be read: {Reason(error)}.");
        }
    }

    private static T Reading<T>(string path, string label, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            throw NotFound(label, path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw Unusable(label, path, Directory.Exists(path)
                ? $"{label} {path} is a folder, not a file; give the path of the file."
                : $"{label} {path} cannot be read: {Reason(error)}.");
        }
    }

    private static CliException NotFound(string label, string path) =>
        new(new CliError(CliErrorCodes.FileNotFound, $"{label} {path} does not exist; check the path.") { Option = label, Path = path });

    private static CliException Unusable(string label, string path, string message) =>
        new(new CliError(CliErrorCodes.FileUnusable, message) { Option = label, Path = path });

    private static CliException CannotWrite(string path, string label, Exception error) =>
        new(new CliError(error is DirectoryNotFoundException ? CliErrorCodes.FileNotFound : CliErrorCodes.FileUnusable, $"{label} {path} cannot be written: {Reason(error)}.")
        {
            Option = label,
            Path = path,
        }, error);

    /// <summary>True when <paramref name="path"/> stands in <paramref name="message"/> as a whole path, not as part of a word or a longer path.</summary>
    private static bool Mentions(string message, string path)
    {
        for (var at = message.IndexOf(path, StringComparison.Ordinal); at >= 0; at = message.IndexOf(path, at + 1, StringComparison.Ordinal))
        {
            var before = at == 0 ? ' ' : message[at - 1];
            var after = at + path.Length == message.Length ? ' ' : message[at + path.Length];
            if (!IsPathCharacter(before) && before != '.' && !IsPathCharacter(after))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsPathCharacter(char c) => char.IsLetterOrDigit(c) || c is '_' or '-' or '/';

    /// <summary>The path of <c>NAME=FILE</c> or <c>FILE</c>.</summary>
    private static string SpecPath(string value) => value.IndexOf('=', StringComparison.Ordinal) is > 0 and var equals ? value[(equals + 1)..] : value;

    /// <summary>Every value given on the command line for an option or argument of the invoked command that has a role.</summary>
    private static IEnumerable<(Symbol Symbol, OptionRole Role, string Value)> Named(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        foreach (var symbol in command.Options.Cast<Symbol>().Concat(command.Arguments))
        {
            if (OptionRoles.Of(symbol) is { } role && parse.GetResult(symbol) is { } result)
            {
                foreach (var token in result.Tokens)
                {
                    yield return (symbol, role, token.Value);
                }
            }
        }
    }
}
