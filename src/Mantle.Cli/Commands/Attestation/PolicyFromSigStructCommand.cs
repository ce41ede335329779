using System.CommandLine;
using System.Globalization;
using Mantle.Attestation;
using Mantle.Attestation.Intel;
using Mantle.Attestation.Policy;
using Mantle.Cli.CommandLine;
using Spectre.Console;

namespace Mantle.Cli.Commands.Attestation;

/// <summary>
/// <c>mantle policy from-sigstruct FILE</c>: an SGX policy pinned to the identity in a signed enclave's SIGSTRUCT
/// (Gramine's <c>.sig</c>): MRENCLAVE, MRSIGNER, ISVPRODID and ISVSVN as a minimum.
/// </summary>
internal static class PolicyFromSigStructCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The SIGSTRUCT: the .sig file that gramine-sgx-sign writes (1808 bytes)." }.InputFile();
        var signerOnly = new Option<bool>("--signer-only") { Description = "Pin MRSIGNER, ISVPRODID and the minimum ISVSVN but not MRENCLAVE, so that later builds from the same signer are accepted." };
        var output = new PolicyOutput();
        var command = new Command("from-sigstruct", "Write an SGX attestation policy pinned to a signed enclave's SIGSTRUCT (MRENCLAVE, MRSIGNER, ISVPRODID, ISVSVN).") { file, signerOnly };
        output.AddTo(command);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new CliException(CliErrorCodes.FileNotFound, $"FILE '{path}' does not exist; pass the .sig file that gramine-sgx-sign wrote.");
            }

            var sig = SgxSigStruct.Load(path);

            var date = sig.Date is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "(none)";
            AttestationCli.Human.MarkupLine(Markup.Escape(
                $"SIGSTRUCT {path}: MRENCLAVE {sig.MrEnclave}, MRSIGNER {sig.MrSigner}, ISVPRODID {sig.IsvProdId}, ISVSVN {sig.IsvSvn}, date {date}, debug {(sig.Debug ? "yes" : "no")}"));
            if (sig.Debug && !parse.GetValue(output.AllowDebug))
            {
                throw new CliException(CliErrorCodes.Refused,
                    $"{path} signs the enclave for debug mode (ATTRIBUTES has DEBUG), so the host can read its memory and a policy refuses it. Sign it for production (sgx.debug = false), or pass --allow-debug for development.");
            }

            try
            {
                var policy = PinnedPolicy.ForSigStruct(sig, output.Options(parse, signerOnly: parse.GetValue(signerOnly)));
                return output.Write(parse, policy, parse.GetValue(signerOnly) ? $"MRSIGNER {sig.MrSigner}" : $"MRENCLAVE {sig.MrEnclave}");
            }
            catch (AttestationException ex)
            {
                throw new UsageException(ex.Message);
            }
        });
        return command;
    }
}
