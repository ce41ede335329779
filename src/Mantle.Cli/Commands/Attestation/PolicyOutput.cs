using System.CommandLine;
using Mantle.Attestation.Policy;
using Mantle.Cli.CommandLine;
using Spectre.Console;

namespace Mantle.Cli.Commands.Attestation;

/// <summary>The options and the output shared by the <c>mantle policy from-…</c> commands.</summary>
internal sealed class PolicyOutput
{
    public Option<string?> Out { get; } = new Option<string?>("--out", "-o") { Description = "Write the policy to this file instead of stdout." }.OutputFile();

    public Option<bool> AllowDebug { get; } = new("--allow-debug") { Description = "Accept the TEE in debug mode (its memory is readable by the host): development only." };

    public Option<string[]> TcbStatus { get; } = new("--tcb-status")
    {
        Description = "An accepted TCB status (repeatable). Default: UpToDate.",
        AllowMultipleArgumentsPerToken = false,
        HelpName = "STATUS",
    };

    public void AddTo(Command command, bool tcb = true)
    {
        command.Add(Out);
        command.Add(AllowDebug);
        if (tcb)
        {
            command.Add(TcbStatus);
        }
    }

    public PinnedPolicyOptions Options(ParseResult parse, IReadOnlyList<string>? extraClaims = null, bool signerOnly = false) => new()
    {
        AllowDebug = parse.GetValue(AllowDebug),
        TcbStatuses = parse.GetValue(TcbStatus) is { Length: > 0 } statuses ? statuses : ["UpToDate"],
        ExtraClaims = extraClaims ?? [],
        SignerOnly = signerOnly,
    };

    /// <summary>Writes the policy to <c>--out</c> (saying so on stderr with <paramref name="what"/>) or to stdout.</summary>
    public int Write(ParseResult parse, string policy, string what) => Write(parse.GetValue(Out), policy, what);

    /// <summary>Writes the policy to <paramref name="path"/> (saying so on stderr with <paramref name="what"/>) or, when null, to stdout.</summary>
    public static int Write(string? path, string policy, string what)
    {
        if (path is null)
        {
            Console.WriteLine(policy);
            return ExitCodes.Success;
        }

        OptionFiles.Write(path, "--out", () => File.WriteAllText(path, policy + "\n"));
        AttestationCli.Human.MarkupLine($"wrote a policy pinned to {Markup.Escape(what)} to {Markup.Escape(path)}");
        return ExitCodes.Success;
    }
}
