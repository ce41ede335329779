namespace Mantle.Cli.Commands;

/// <summary>Process exit codes shared by every command (docs/cli.md).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>Something failed that is not covered by a more specific code.</summary>
    public const int Failure = 1;

    /// <summary>The command line, or a file it names, is wrong.</summary>
    public const int UsageError = 2;

    /// <summary>A cryptographic or attestation check refused the input (bad signature, policy, tampering).</summary>
    public const int VerificationFailed = 3;

    /// <summary>A remote service (server, broker) could not be reached or answered with an error.</summary>
    public const int RemoteError = 4;

    /// <summary>Ctrl+C or SIGTERM stopped the command before it finished (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
