using System.CommandLine;
using System.Runtime.CompilerServices;

namespace Mantle.Cli.CommandLine;

/// <summary>
/// Marks options and arguments with what their value names (a file to read, a folder to write, a server), so that
/// every command checks named files the same way before it runs (<see cref="OptionFiles"/>) and the tests can walk
/// every command with a missing file or an unreachable server.
/// </summary>
internal static class OptionRoles
{
    private static readonly ConditionalWeakTable<Symbol, StrongBox<OptionRole>> Roles = [];

    public static OptionRole? Of(Symbol symbol) => Roles.TryGetValue(symbol, out var role) ? role.Value : null;

    /// <summary>How messages name <paramref name="symbol"/>: an option by its name, an argument by its help name.</summary>
    public static string Label(Symbol symbol) => symbol is Argument argument ? argument.HelpName ?? argument.Name : symbol.Name;

    public static Option<T> InputFile<T>(this Option<T> option) => Mark(option, OptionRole.InputFile, "FILE");

    public static Argument<T> InputFile<T>(this Argument<T> argument) => Mark(argument, OptionRole.InputFile, null);

    public static Option<T> InputFolder<T>(this Option<T> option) => Mark(option, OptionRole.InputFolder, "DIR");

    public static Argument<T> InputFolder<T>(this Argument<T> argument) => Mark(argument, OptionRole.InputFolder, null);

    public static Option<T> InputPath<T>(this Option<T> option) => Mark(option, OptionRole.InputPath, "FILE|DIR");

    public static Option<T> InputOrNewFile<T>(this Option<T> option) => Mark(option, OptionRole.InputOrNewFile, "FILE");

    public static Option<T> InputFileSpec<T>(this Option<T> option) => Mark(option, OptionRole.InputFileSpec, "[NAME=]FILE");

    public static Option<T> OutputFile<T>(this Option<T> option) => Mark(option, OptionRole.OutputFile, "FILE");

    public static Option<T> OutputFolder<T>(this Option<T> option) => Mark(option, OptionRole.OutputFolder, "DIR");

    public static Option<T> ServerAddress<T>(this Option<T> option) => Mark(option, OptionRole.ServerAddress, "HOST:PORT|URL");

    public static Option<T> BrokerAddress<T>(this Option<T> option) => Mark(option, OptionRole.BrokerAddress, "URL");

    /// <summary>Records the role; an option without a help name gets one that says what it wants (FILE, DIR, URL).</summary>
    private static TSymbol Mark<TSymbol>(TSymbol symbol, OptionRole role, string? helpName)
        where TSymbol : Symbol
    {
        Roles.AddOrUpdate(symbol, new StrongBox<OptionRole>(role));
        if (symbol is Option option)
        {
            option.HelpName ??= helpName;
        }

        return symbol;
    }
}
