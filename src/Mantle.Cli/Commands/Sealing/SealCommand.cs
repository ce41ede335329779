using System.CommandLine;
using System.Diagnostics;
using Mantle.Cli.CommandLine;
using Mantle.Sealing;
using Mantle.Sealing.Format;
using Mantle.Sealing.Keys;
using Mantle.Sealing.Manifest;
using Spectre.Console;

namespace Mantle.Cli.Commands.Sealing;

/// <summary><c>mantle seal</c>: encrypts a model file or folder into a sealed folder with a signed manifest.</summary>
internal static class SealCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--in") { Description = "The model file or folder to seal (a folder is sealed recursively).", Required = true }.InputPath();
        var output = new Option<string>("--out") { Description = "The sealed folder to create (must not exist or be empty).", Required = true }.OutputFolder();
        var keyFile = new Option<string>("--key") { Description = "The model key file (from 'mantle keys create').", Required = true }.InputFile();
        var signingKey = new Option<string>("--signing-key") { Description = "The owner's signing key (from 'mantle keys signing create').", Required = true }.InputFile();
        var name = new Option<string?>("--name") { Description = "The model name. Default: the input's name." }.NotEmpty();
        var version = new Option<string>("--version") { Description = "The model version.", DefaultValueFactory = _ => "1" }.NotEmpty();
        var platform = new Option<string?>("--platform") { Description = "onnx or files. Default: onnx if the input holds a .onnx file." };
        platform.AcceptOnlyFromAmong(SealedModelManifest.PlatformOnnx, SealedModelManifest.PlatformFiles);
        var chunkSize = new Option<int>("--chunk-size")
        {
            Description = $"Plaintext bytes per chunk ({SealedFormat.MinChunkSize}..{SealedFormat.MaxChunkSize}).",
            DefaultValueFactory = _ => SealedFormat.DefaultChunkSize,
        }.Range(SealedFormat.MinChunkSize, SealedFormat.MaxChunkSize, "bytes");
        var json = SealingCli.JsonOption();
        var command = new Command("seal", "Seal (encrypt and sign) a model file or folder for an untrusted host.")
        {
            input, output, keyFile, signingKey, name, version, platform, chunkSize, json,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var asJson = parseResult.GetValue(json);
            var inputPath = parseResult.GetValue(input)!;
            var outputPath = parseResult.GetValue(output)!;
            using var key = ModelKey.Load(parseResult.GetValue(keyFile)!);
            using var signer = OwnerSigningKey.Load(parseResult.GetValue(signingKey)!);
            var options = new ModelSealOptions
            {
                Name = parseResult.GetValue(name),
                Version = parseResult.GetValue(version)!,
                Platform = parseResult.GetValue(platform),
                ChunkSize = parseResult.GetValue(chunkSize),
            };
            var total = TotalBytes(inputPath);
            var watch = Stopwatch.StartNew();
            SealedModelManifest manifest;
            if (SealingCli.Stderr.Profile.Capabilities.Interactive)
            {
                manifest = await SealingCli.Stderr.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask("Sealing", maxValue: Math.Max(total, 1));
                        options.Progress = bytes => task.Increment(bytes);
                        return await ModelSealer.SealAsync(inputPath, outputPath, key, signer, options, cancellationToken).ConfigureAwait(false);
                    }).ConfigureAwait(false);
            }
            else
            {
                manifest = await ModelSealer.SealAsync(inputPath, outputPath, key, signer, options, cancellationToken).ConfigureAwait(false);
            }

            var seconds = Math.Max(watch.Elapsed.TotalSeconds, 1e-6);
            SealingCli.Stderr.MarkupLineInterpolated(
                $"Sealed [bold]{manifest.Name}[/] version {manifest.Version}: {manifest.Files.Count} file(s), {total / 1048576.0:F1} MiB in {seconds:F2} s ({total / seconds / 1e6:F0} MB/s) into {outputPath}, key {key.Id}, signer {signer.PublicKey.Thumbprint}.");
            if (asJson)
            {
                SealingCli.WriteJson(writer => ManifestJson.Write(writer, manifest, signer.PublicKey.Thumbprint, verified: null, outputPath));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static long TotalBytes(string path) =>
        File.Exists(path) ? new FileInfo(path).Length
        : Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Sum(file => new FileInfo(file).Length)
        : 0;
}
