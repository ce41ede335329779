using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mantle.Cli.CommandLine;

/// <summary>
/// Writes an error the one way every command does: <c>error: MESSAGE</c> on one line of standard error and, with
/// <c>--json</c>, one document with an <c>"error"</c> object on standard output. <c>MANTLE_DEBUG=1</c> adds the
/// exception's stack trace on standard error.
/// </summary>
internal static class ErrorOutput
{
    /// <summary>The environment variable that adds stack traces to errors.</summary>
    public const string DebugVariable = "MANTLE_DEBUG";

    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static void Write(CliError error, bool json, Exception? exception = null, Action<Utf8JsonWriter>? jsonFields = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        Console.Error.WriteLine("error: " + OneLine(error.Message));
        if (exception is not null && DebugEnabled())
        {
            Console.Error.WriteLine(exception.ToString());
        }

        if (json)
        {
            Console.Out.Flush();
            using var stdout = Console.OpenStandardOutput();
            using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = jsonFields is not null, Encoder = Encoder }))
            {
                writer.WriteStartObject();
                jsonFields?.Invoke(writer);
                writer.WritePropertyName("error");
                WriteObject(writer, error);
                writer.WriteEndObject();
            }

            stdout.Write("\n"u8);
        }
    }

    /// <summary>Writes <c>{"code", "message", "exit_code", …}</c>: the value of <c>"error"</c>.</summary>
    public static void WriteObject(Utf8JsonWriter writer, CliError error)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(error);
        writer.WriteStartObject();
        writer.WriteString("code", error.Code);
        writer.WriteString("message", OneLine(error.Message));
        writer.WriteNumber("exit_code", error.ExitCode);
        WriteOptional(writer, "detail_code", error.DetailCode);
        WriteOptional(writer, "option", error.Option);
        WriteOptional(writer, "path", error.Path);
        WriteOptional(writer, "url", error.Url);
        writer.WriteEndObject();
    }

    /// <summary>The message on one line, so that logs and scripts can search it.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static bool DebugEnabled() => Environment.GetEnvironmentVariable(DebugVariable) is "1" or "true";

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
