namespace Mantle.Testing;

/// <summary>What a program that ran to completion left: its exit code, standard output and standard error.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Stdout">Everything written to standard output.</param>
/// <param name="Stderr">Everything written to standard error.</param>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);
