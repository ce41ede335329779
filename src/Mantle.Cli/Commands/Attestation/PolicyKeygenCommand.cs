using System.CommandLine;
using System.Security.Cryptography;
using Mantle.Attestation.Policy;
using Mantle.Cli.CommandLine;
using Spectre.Console;

namespace Mantle.Cli.Commands.Attestation;

/// <summary><c>mantle policy keygen</c>: creates an auditor key pair (P-384).</summary>
internal static class PolicyKeygenCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out", "-o") { Description = "The private key file to create (mode 0600); the public key goes to <file>.pub.", Required = true }.OutputFile();
        var command = new Command("keygen", "Create an auditor key pair (ECDSA P-384) for signing policies.") { output };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(output)!;
            var publicPath = path + ".pub";
            if (File.Exists(path) || File.Exists(publicPath))
            {
                throw new CliException(new CliError(CliErrorCodes.FileUnusable, $"--out {path}: '{path}' or '{publicPath}' already exists; choose another --out or delete the old key on purpose.")
                {
                    Option = "--out",
                    Path = path,
                });
            }

            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            OptionFiles.Write(path, "--out", () =>
            {
                using (var writer = new StreamWriter(new FileStream(path, options)))
                {
                    writer.Write(key.ExportPkcs8PrivateKeyPem());
                }

                File.WriteAllText(publicPath, key.ExportSubjectPublicKeyInfoPem() + "\n");
            });

            AttestationCli.Human.MarkupLine($"auditor key {SignedPolicy.KeyId(key)}: private key in {Markup.Escape(path)}, public key in {Markup.Escape(publicPath)}");
            return ExitCodes.Success;
        });
        return command;
    }
}
