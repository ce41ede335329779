namespace Mantle.Cli.CommandLine;

/// <summary>
/// A failed command as the user sees it: one <c>error:</c> line on standard error and, with <c>--json</c>,
/// <c>{"error": {…}}</c> on standard output.
/// </summary>
/// <param name="Code">One of <see cref="CliErrorCodes"/>; it decides <see cref="ExitCode"/>.</param>
/// <param name="Message">What was wrong and what to do, in the caller's terms. Never key material, tokens or payloads.</param>
internal sealed record CliError(string Code, string Message)
{
    /// <summary>The process exit code of <see cref="Code"/>.</summary>
    public int ExitCode => CliErrorCodes.ExitCodeOf(Code);

    /// <summary>The domain's own code when there is one (a sealing or attestation error code, a confidential start step).</summary>
    public string? DetailCode { get; init; }

    /// <summary>The option (or argument) the error is about, when it is about one.</summary>
    public string? Option { get; init; }

    /// <summary>The file or folder the error is about, when it is about one.</summary>
    public string? Path { get; init; }

    /// <summary>The server or broker the error is about, when it is about one.</summary>
    public string? Url { get; init; }
}
