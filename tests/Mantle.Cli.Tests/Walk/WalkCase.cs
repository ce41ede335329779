namespace Mantle.Cli.Tests.Walk;

/// <summary>One command line of the walk and what its failure must look like.</summary>
/// <param name="Title">What the case tries, for the report.</param>
/// <param name="Args">The arguments after <c>mantle</c>.</param>
/// <param name="ExitCode">The exit code the command must end with.</param>
/// <param name="Codes">The machine codes its <c>--json</c> error object may carry (one, or a few where the cause may differ).</param>
/// <param name="Json">Whether <c>--json</c> is among the arguments, so that standard output must hold one error object.</param>
/// <param name="Mentions">What the <c>error:</c> line must name: the option, the path, the URL.</param>
internal sealed record WalkCase(string Title, string[] Args, int ExitCode, string[] Codes, bool Json, string[] Mentions)
{
    public override string ToString() => $"{Title}: mantle {string.Join(' ', Args.Select(arg => arg.Contains(' ', StringComparison.Ordinal) || arg.Length == 0 ? $"'{arg}'" : arg))}";
}
