using System.CommandLine;
using Mantle.Attestation;
using Mantle.Attestation.Policy;
using Mantle.Cli.CommandLine;
using Spectre.Console;

namespace Mantle.Cli.Commands.Attestation;

/// <summary>
/// <c>mantle policy from-evidence FILE</c>: verifies a known-good evidence (TEE detected from the bytes) and writes a
/// policy pinned to its measurement fields (see <see cref="PinnedPolicy.PinnedClaims"/>).
/// </summary>
internal static class PolicyFromEvidenceCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "Evidence from a known-good deployment: an SGX or TDX quote, an SEV-SNP report or envelope, sim evidence." }.InputFile();
        var claims = new Option<string[]>("--claim")
        {
            Description = "Also pin this claim of the evidence to its value (repeatable), for example tdx.rtmr3.",
            AllowMultipleArgumentsPerToken = false,
            HelpName = "NAME",
        };
        var verifier = new VerifierOptions();
        var output = new PolicyOutput();
        var command = new Command("from-evidence", "Verify a known-good evidence and write an attestation policy pinned to its measurement fields.")
        {
            file, claims, verifier.Collateral, verifier.Roots, verifier.At, verifier.SimKey,
        };
        output.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            var bytes = OptionFiles.ReadAllBytes(path, "FILE");
            AttestationClaims verified;
            try
            {
                verified = await verifier.CreateVerifier(parse, requireCollateral: true).VerifyAsync(bytes, cancellationToken);
            }
            catch (AttestationException ex)
            {
                throw new CliException(
                    new CliError(CliErrors.CodeOf(ex.Code), $"{path} does not verify, so it cannot stand for a known-good deployment: {ex.Message}") { DetailCode = ex.Code.ToString() }, ex);
            }

            AttestationCli.Human.MarkupLine(Markup.Escape(
                $"verified {verified.Tee.ToName()} evidence {path}: measurement {verified.Measurement}, TCB status {verified.TcbStatus}, debug {(verified.Debug ? "yes" : "no")}"));
            var options = output.Options(parse, parse.GetValue(claims));
            if (verified.Debug && !options.AllowDebug)
            {
                throw new CliException(CliErrorCodes.Refused,
                    $"{path} comes from a TEE in debug mode, so the host can read its memory and a policy refuses it. Capture evidence from a production deployment, or pass --allow-debug for development.");
            }

            string policy;
            try
            {
                policy = PinnedPolicy.ForClaims(verified, options);
            }
            catch (Exception ex) when (ex is ArgumentException or AttestationException)
            {
                throw new UsageException(ex.Message);
            }

            if (!options.TcbStatuses.Contains(verified.TcbStatus, StringComparer.OrdinalIgnoreCase))
            {
                AttestationCli.Human.MarkupLine(Markup.Escape(
                    $"warning: the evidence's TCB status is {verified.TcbStatus}, which this policy refuses; pass --tcb-status {verified.TcbStatus} to accept it (after judging its advisories: {string.Join(", ", verified.AdvisoryIds.DefaultIfEmpty("none"))})."));
            }

            if (verified.Tee == TeeType.Sim)
            {
                AttestationCli.Human.MarkupLine("[yellow]sim evidence comes from the simulated TEE and gives no security.[/]");
            }

            return output.Write(parse, policy, $"the {verified.Tee.ToName()} measurement {verified.Measurement}");
        });
        return command;
    }
}
