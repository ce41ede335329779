namespace Mantle.Cli.Commands.Attestation;

/// <summary>A wrong command line or unreadable input file: exit code <see cref="ExitCodes.UsageError"/>.</summary>
internal sealed class UsageException(string message) : Exception(message);
