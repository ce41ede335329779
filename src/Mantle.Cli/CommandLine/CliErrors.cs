using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using Grpc.Core;
using Mantle.Attestation;
using Mantle.Cli.Commands;
using Mantle.Cli.Commands.Demo;
using Mantle.Client.Inference;
using Mantle.Client.Trust;
using Mantle.KeyBroker.Client;
using Mantle.Sealing;
using Mantle.Serving.Confidential;
using Mantle.Serving.Engine;
using Mantle.Serving.Repository;
using Microsoft.Extensions.Options;

namespace Mantle.Cli.CommandLine;

/// <summary>
/// The one place that turns what a command threw into what the user sees: a code (and so an exit code) and a message
/// in the caller's terms. Commands throw; they do not print errors themselves.
/// </summary>
internal static class CliErrors
{
    /// <summary>The error that <paramref name="error"/> stands for; <paramref name="parse"/> lets file errors name their option.</summary>
    public static CliError From(Exception error, ParseResult? parse = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        var scope = CommandScope.Current;
        if (error is CliException cli)
        {
            // A command's own usage error may be about a file's content without saying which option gave the file.
            return cli.Error.ExitCode == ExitCodes.UsageError ? NamingTheOption(cli.Error, parse) : cli.Error;
        }

        if (error is ServerVerificationException refusal)
        {
            return new CliError(CliErrorCodes.Refused, refusal.Message) { DetailCode = refusal.Failure.ToString(), Url = scope?.Remote?.ToString() };
        }

        if (IsNetwork(error) && Connections.FindFailure(error) is { } failure)
        {
            return Connections.Unreachable(scope?.Remote, scope?.RemoteName ?? "the server", failure).Error;
        }

        return NamingTheOption(Map(error, parse, scope), parse);
    }

    /// <summary>
    /// An error whose message mentions a file given on the command line, with the option that named it: a message that
    /// starts with the path gets the option before it, any other gets it as a prefix. A usage error about a named file
    /// is about its content (<c>invalid_file</c>).
    /// </summary>
    private static CliError NamingTheOption(CliError error, ParseResult? parse)
    {
        if (error.Option is not null || OptionFiles.Mentioned(parse, error.Message) is not { } named)
        {
            return error;
        }

        var message = error.Message.Contains(named.Label, StringComparison.Ordinal) ? error.Message
            : error.Message.StartsWith(named.Path, StringComparison.Ordinal) ? $"{named.Label} {error.Message}"
            : $"{named.Label}: {error.Message}";
        return error with
        {
            Code = error.Code == CliErrorCodes.Usage ? CliErrorCodes.InvalidFile : error.Code,
            Message = message,
            Option = named.Label,
            Path = named.Path,
        };
    }

    private static CliError Map(Exception error, ParseResult? parse, CommandScope? scope)
    {
        return error switch
        {
            KeyBrokerException broker => FromBroker(broker, scope),
            InferenceClientException server => new CliError(CliErrorCodes.RemoteError, $"{Capitalized(scope?.RemoteName ?? "the server")}{At(scope)} answered {server.Message}")
            {
                DetailCode = server.Status,
                Url = scope?.Remote?.ToString(),
            },
            RpcException rpc => new CliError(CliErrorCodes.RemoteError, $"{Capitalized(scope?.RemoteName ?? "the server")}{At(scope)} answered {rpc.StatusCode}: {rpc.Status.Detail}")
            {
                DetailCode = rpc.StatusCode.ToString(),
                Url = scope?.Remote?.ToString(),
            },
            SealingException sealing => new CliError(CodeOf(sealing.Code), sealing.Message) { DetailCode = sealing.Code.ToString() },
            AttestationException attestation => new CliError(CodeOf(attestation.Code), attestation.Message) { DetailCode = attestation.Code.ToString() },
            ConfidentialStartException start => new CliError(
                start.Step == ConfidentialStartStep.Connect ? CliErrorCodes.Unreachable : CliErrorCodes.Refused,
                $"confidential start failed at step '{start.StepName}': {start.Message}") { DetailCode = start.StepName, Url = scope?.Remote?.ToString() },
            ConfigFileException config => new CliError(CliErrorCodes.InvalidFile, config.Message),
            ModelLoadException load => new CliError(CliErrorCodes.Failure, load.Message),
            DemoException demo => new CliError(CliErrorCodes.Failure, $"the demo stopped: {demo.Message}"),
            OptionsValidationException options => new CliError(CliErrorCodes.Usage, string.Join(" ", options.Failures)),
            FileNotFoundException or DirectoryNotFoundException => FromFile(CliErrorCodes.FileNotFound, error, parse),
            UnauthorizedAccessException => FromFile(CliErrorCodes.FileUnusable, error, parse),
            IOException => FromFile(CliErrorCodes.Failure, error, parse),
            ArgumentException argument => new CliError(CliErrorCodes.Usage, WithoutParameterName(argument)),
            FormatException or JsonException => new CliError(CliErrorCodes.Usage, error.Message),
            InvalidOperationException => new CliError(CliErrorCodes.Failure, error.Message),
            OutOfMemoryException => new CliError(CliErrorCodes.Failure, "Not enough memory for what was asked; ask for less (a smaller batch, fewer workers or a smaller file)."),
            _ => new CliError(CliErrorCodes.Failure, $"unexpected {error.GetType().Name}: {error.Message} (set MANTLE_DEBUG=1 to see where it happened)"),
        };
    }

    /// <summary>The message without the " (Parameter 'x')" that <see cref="ArgumentException"/> appends for programmers.</summary>
    public static string WithoutParameterName(ArgumentException error) =>
        error.ParamName is { } name ? error.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : error.Message;

    /// <summary>The code of a sealing refusal: tampering and forgery are refusals; a wrong key, file or path is the caller's to fix.</summary>
    public static string CodeOf(SealingErrorCode code) => code switch
    {
        SealingErrorCode.InvalidKey or SealingErrorCode.InvalidSigningKey or SealingErrorCode.PrivateKeyGiven or SealingErrorCode.ManifestMissing
            or SealingErrorCode.TooLarge => CliErrorCodes.InvalidFile,
        SealingErrorCode.OutputExists => CliErrorCodes.FileUnusable,
        SealingErrorCode.KeyNotFound or SealingErrorCode.InvalidPath => CliErrorCodes.Usage,
        _ => CliErrorCodes.Refused,
    };

    /// <summary>The code of an attestation failure: a TEE that cannot give evidence fails; a malformed policy is the caller's to fix; the rest are refusals.</summary>
    public static string CodeOf(AttestationErrorCode code) => code switch
    {
        AttestationErrorCode.ProviderUnavailable => CliErrorCodes.Failure,
        AttestationErrorCode.InvalidPolicy => CliErrorCodes.InvalidFile,
        _ => CliErrorCodes.Refused,
    };

    private static CliError FromBroker(KeyBrokerException error, CommandScope? scope)
    {
        var reasons = error.Reasons.Count > 0 ? " (" + string.Join("; ", error.Reasons) + ")" : string.Empty;
        var message = error.StatusCode is { } status
            ? $"The broker{At(scope)} answered {(int)status} {error.Title}: {error.Detail}{reasons}".TrimEnd(':', ' ')
            : error.Message;
        var code = error.StatusCode switch
        {
            HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.Conflict => CliErrorCodes.Usage,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => CliErrorCodes.Refused,
            null => CliErrorCodes.Unreachable,
            _ => CliErrorCodes.RemoteError,
        };
        return new CliError(code, message) { DetailCode = error.StatusCode is { } s ? ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture) : null, Url = scope?.Remote?.ToString() };
    }

    private static CliError FromFile(string code, Exception error, ParseResult? parse)
    {
        if (OptionFiles.Mentioned(parse, error.Message) is { } named)
        {
            return new CliError(code == CliErrorCodes.Failure ? CliErrorCodes.FileUnusable : code, $"{named.Label} {named.Path}: {OptionFiles.Reason(error)}.")
            {
                Option = named.Label,
                Path = named.Path,
            };
        }

        return new CliError(code, error.Message);
    }

    /// <summary>Errors of the transport and the clients above it, which may hide a failed connection.</summary>
    private static bool IsNetwork(Exception error) =>
        error is HttpRequestException or SocketException or AuthenticationException or TimeoutException or TaskCanceledException or RpcException
            or InferenceClientException or KeyBrokerException { StatusCode: null };

    private static string At(CommandScope? scope) => scope?.Remote is { } remote ? $" at {remote}" : string.Empty;

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
