using Mantle.Cli.CommandLine;

namespace Mantle.Cli.Commands.Attestation;

/// <summary>A wrong command line: exit code <see cref="ExitCodes.UsageError"/>, error code <c>usage</c>.</summary>
internal sealed class UsageException(string message) : CliException(CliErrorCodes.Usage, message);
