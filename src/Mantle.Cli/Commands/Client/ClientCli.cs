using Grpc.Core;
using Mantle.Attestation;
using Mantle.Cli.Commands.Attestation;
using Mantle.Client.Inference;
using Mantle.Client.Trust;

namespace Mantle.Cli.Commands.Client;

/// <summary>Maps the failures of the requester's commands to exit codes, with one line on stderr.</summary>
internal static class ClientCli
{
    /// <summary>
    /// Runs a command: a refused server exits <see cref="ExitCodes.VerificationFailed"/> ("refused: …"), a wrong command
    /// line <see cref="ExitCodes.UsageError"/>, a server that cannot be reached or answers with an error <see cref="ExitCodes.RemoteError"/>.
    /// </summary>
    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (ServerVerificationException error)
        {
            AttestationCli.WriteRefusal(error.Message);
            return ExitCodes.VerificationFailed;
        }
        catch (Exception error) when (error is UsageException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"error: {Message(error)}").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }
        catch (AttestationException error)
        {
            await Console.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            return AttestationCli.ExitCodeFor(error);
        }
        catch (Exception error) when (error is InferenceClientException or HttpRequestException or RpcException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            return ExitCodes.RemoteError;
        }
    }

    /// <summary>The message without the " (Parameter 'x')" that <see cref="ArgumentException"/> appends for programmers.</summary>
    public static string Message(Exception error) =>
        error is ArgumentException { ParamName: { } name } argument
            ? argument.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal)
            : error.Message;
}
