using System.CommandLine;
using System.Text.Json;
using Mantle.Attestation.Sim;
using Mantle.Cli.CommandLine;
using Spectre.Console;

namespace Mantle.Cli.Commands.Attestation;

/// <summary>
/// <c>mantle measure</c> and <c>mantle policy from-build</c>: the simulated measurement of a build (by default the running
/// one), and a policy pinned to it. Release builds are reproducible, so anyone who builds the same commit gets the same
/// measurement and can check what a policy pins.
/// </summary>
internal static class MeasureCommand
{
    private static readonly string[] SimOnly = ["sim"];
    private static readonly string[] UpToDate = ["UpToDate"];

    public static Command CreateMeasure()
    {
        var program = ProgramOption();
        var json = new Option<bool>("--json") { Description = "Write {\"tee\", \"measurement\", \"program\", \"files\"} to stdout." };
        var command = new Command("measure", "Print the simulated-TEE measurement of a build: SHA-384 over its assemblies (default: this mantle).") { program, json };
        command.SetAction(parse =>
        {
            var (folder, measurement, files) = Measure(parse.GetValue(program));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    tee = "sim",
                    measurement,
                    program = folder,
                    files = files.Select(f => new { name = f.Name, length = f.Length, sha384 = f.Sha384 }),
                }));
            }
            else
            {
                AttestationCli.Human.MarkupLine($"sim measurement of {Markup.Escape(folder)} ({files.Count} assemblies):");
                Console.WriteLine(measurement);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    public static Command CreatePolicyFromBuild()
    {
        var program = ProgramOption();
        var output = new Option<string?>("--out", "-o") { Description = "Write the policy to this file instead of stdout." }.OutputFile();
        var command = new Command("from-build", "Write an attestation policy that accepts only the simulated measurement of a build (default: this mantle).") { program, output };
        command.SetAction(parse =>
        {
            var (folder, measurement, _) = Measure(parse.GetValue(program));
            return PolicyOutput.Write(parse.GetValue(output), PinnedPolicy(measurement), $"sim measurement {measurement} of {folder}");
        });
        return command;
    }

    /// <summary>A policy that accepts sim evidence of exactly this measurement, not in debug mode.</summary>
    public static string PinnedPolicy(string measurement) =>
        JsonSerializer.Serialize(new
        {
            version = 1,
            tees = SimOnly,
            allow_debug = false,
            tcb_status = UpToDate,
            claims = new { measurement = new { equals = measurement } },
        });

    private static Option<string?> ProgramOption() =>
        new Option<string?>("--program") { Description = "The folder of a build to measure (where mantle.dll is). Default: the running mantle's folder.", HelpName = "DIR" }.InputFolder();

    private static (string Folder, string Measurement, IReadOnlyList<SimMeasuredFile> Files) Measure(string? program)
    {
        var folder = Path.GetFullPath(program ?? SimEvidenceProvider.DefaultProgramFolder);
        var (measurement, files) = SimEvidenceProvider.MeasureProgram(folder);
        return files.Count > 0
            ? (folder, measurement, files)
            : throw new UsageException($"--program {folder} holds no assemblies (*.dll) to measure; pass the folder of a build (where mantle.dll is).");
    }
}
