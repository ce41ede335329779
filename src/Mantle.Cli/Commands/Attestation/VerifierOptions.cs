using System.CommandLine;
using Mantle.Attestation;
using Mantle.Attestation.Policy;
using Mantle.Cli.CommandLine;

namespace Mantle.Cli.Commands.Attestation;

/// <summary>The options shared by <c>attest verify</c> and <c>attest ratls</c>.</summary>
internal sealed class VerifierOptions
{
    public Option<string?> Collateral { get; } = new Option<string?>("--collateral") { Description = "Collateral for the evidence: a file or a folder (Intel PCS JSON, AMD VCEK/VLEK certificates or certificate table)." }.InputPath();

    public Option<string?> Roots { get; } = new Option<string?>("--roots") { Description = "A folder of PEM root certificates to trust instead of the built-in Intel and AMD roots." }.InputFolder();

    public Option<string?> At { get; } = new Option<string?>("--at") { Description = "Verify as of this ISO-8601 time (certificate and collateral validity). Default: now." };

    public Option<string?> Policy { get; } = new Option<string?>("--policy") { Description = "A policy JSON file; the policy then decides too." }.InputFile();

    public Option<string?> SignedPolicy { get; } = new Option<string?>("--signed-policy") { Description = "An auditor-signed policy (JWS); needs --auditor-key." }.InputFile();

    public Option<string?> AuditorKey { get; } = new Option<string?>("--auditor-key") { Description = "The trusted auditor's public key (PEM) for --signed-policy." }.InputFile();

    public Option<string?> SimKey { get; } = new Option<string?>("--sim-key") { Description = "The simulated platform key (public or private PEM) to trust for sim evidence. Default: $XDG_CONFIG_HOME/mantle/sim-platform-key.pem." }.InputFile();

    public Option<bool> Json { get; } = new Option<bool>("--json") { Description = "Write the result as JSON to stdout." };

    public void AddTo(Command command)
    {
        command.Add(Collateral);
        command.Add(Roots);
        command.Add(At);
        command.Add(Policy);
        command.Add(SignedPolicy);
        command.Add(AuditorKey);
        command.Add(SimKey);
        command.Add(Json);
    }

    public TimeProvider Time(ParseResult parse) => AttestationCli.ParseTime(parse.GetValue(At));

    /// <summary>Builds the verifier; <paramref name="requireCollateral"/> false lets Intel quotes without collateral verify with TCB status NotEvaluated.</summary>
    public EvidenceVerifier CreateVerifier(ParseResult parse, bool requireCollateral) =>
        AttestationCli.CreateVerifier(new VerifierSettings(parse.GetValue(SimKey), parse.GetValue(Collateral), parse.GetValue(Roots), Time(parse), requireCollateral));

    public AttestationPolicy? LoadPolicy(ParseResult parse) =>
        AttestationCli.LoadPolicy(parse.GetValue(Policy), parse.GetValue(SignedPolicy), parse.GetValue(AuditorKey));
}
