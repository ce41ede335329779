using Mantle.Cli.Commands;

namespace Mantle.Cli.CommandLine;

/// <summary>
/// The stable machine codes of <c>{"error": {"code": …}}</c>, each with one exit code. docs/cli.md lists them; scripts
/// may rely on them, so a code is never renamed.
/// </summary>
internal static class CliErrorCodes
{
    /// <summary>The command line is wrong: an unknown or missing option or command, a value that does not parse or is out of range, options that contradict.</summary>
    public const string Usage = "usage";

    /// <summary>A file or folder named on the command line does not exist.</summary>
    public const string FileNotFound = "file_not_found";

    /// <summary>A named file or folder exists but cannot be used as given: the wrong kind (a folder for a file), no permission, or it exists where a new one is wanted.</summary>
    public const string FileUnusable = "file_unusable";

    /// <summary>A named file holds something other than what the option wants (a malformed key, policy, certificate or configuration).</summary>
    public const string InvalidFile = "invalid_file";

    /// <summary>A security check refused: a signature, a hash, sealed data, attestation evidence, a policy or a server's identity.</summary>
    public const string Refused = "refused";

    /// <summary>A server or the key broker could not be reached: connection refused, timed out, name not found, TLS failed.</summary>
    public const string Unreachable = "unreachable";

    /// <summary>A server or the key broker answered with an error.</summary>
    public const string RemoteError = "remote_error";

    /// <summary>Anything else: a TEE that cannot give evidence, listeners that cannot open, an unexpected fault.</summary>
    public const string Failure = "failure";

    /// <summary>Ctrl+C or SIGTERM stopped the command before it finished.</summary>
    public const string Interrupted = "interrupted";

    /// <summary>The exit code that goes with <paramref name="code"/>.</summary>
    public static int ExitCodeOf(string code) => code switch
    {
        Usage or FileNotFound or FileUnusable or InvalidFile => ExitCodes.UsageError,
        Refused => ExitCodes.VerificationFailed,
        Unreachable or RemoteError => ExitCodes.RemoteError,
        Interrupted => ExitCodes.Interrupted,
        _ => ExitCodes.Failure,
    };
}
