using System.Text.Json;

namespace Mantle.Cli.CommandLine;

/// <summary>A failure that a command has already put in the user's terms; <see cref="CliErrors"/> reports it as it is.</summary>
internal class CliException : Exception
{
    public CliException(CliError error, Exception? innerException = null)
        : base(error.Message, innerException)
    {
        Error = error;
    }

    public CliException(string code, string message, Exception? innerException = null)
        : this(new CliError(code, message), innerException)
    {
    }

    public CliError Error { get; }

    /// <summary>
    /// For commands whose <c>--json</c> result still has something to show when they fail (the claims of refused
    /// evidence): writes the properties that come before <c>"error"</c> in that document.
    /// </summary>
    public Action<Utf8JsonWriter>? JsonFields { get; init; }
}
