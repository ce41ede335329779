using System.Globalization;
using Mantle.Sealing;
using Mantle.Sealing.Keys;
using Mantle.Serving.Tests.Models;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Benchmarks.Serving;

/// <summary>
/// Time to ready of <c>mantle serve</c>, a process of its own, for a ResNet-50-sized model (about 100 MB of weights: a
/// chain of 1024×1024 MatMul and Relu layers made with the tests' ONNX builder, since no ResNet-50 ships in a NuGet
/// package) plaintext and sealed (<c>--owner-key</c>, <c>--key-file</c>), alternating, from starting the process to its
/// ready line (every model loaded, ports listening). Prints the medians, ranges and the per-round ratio sealed ÷ plaintext.
/// Usage: <c>sealed-startup-outside [--layers 24] [--rounds 5] [--mantle PATH/mantle.dll]</c>.
/// </summary>
internal static class SealedStartupOutside
{
    private const int Width = 1024;

    public static async Task<int> RunAsync(string[] args)
    {
        var layers = int.Parse(Arg(args, "--layers") ?? "24", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Arg(args, "--rounds") ?? "5", CultureInfo.InvariantCulture);
        var mantle = Arg(args, "--mantle") ?? MantleServer.DefaultMantle;
        var root = Directory.CreateTempSubdirectory("mantle-startup-").FullName;
        try
        {
            var model = BuildModel(layers);
            var plain = Path.Combine(root, "plain");
            Directory.CreateDirectory(Path.Combine(plain, "1"));
            var modelFile = Path.Combine(plain, "1", "model.onnx");
            await File.WriteAllBytesAsync(modelFile, model).ConfigureAwait(false);
            var sealedBase = Path.Combine(root, "sealed");
            var keyFile = Path.Combine(root, "model.key");
            var ownerFile = Path.Combine(root, "owner.pem");
            using (var key = ModelKey.Generate())
            using (var signer = OwnerSigningKey.Generate())
            {
                key.Save(keyFile);
                signer.Save(ownerFile);
                await ModelSealer.SealAsync(modelFile, Path.Combine(sealedBase, "1"), key, signer).ConfigureAwait(false);
            }

            Console.WriteLine($"model: {layers} MatMul+Relu layers of {Width}×{Width}, {model.Length / 1e6:F1} MB; {Environment.ProcessorCount} cores, load average {ServingOutside.LoadAverage()}");
            string[] plainArgs = ["--model_name", "m", "--model_base_path", plain];
            string[] sealedArgs = ["--model_name", "m", "--model_base_path", sealedBase, "--owner-key", ownerFile + ".pub", "--key-file", keyFile];
            using (await MantleServer.StartPlaintextAsync(mantle, plainArgs).ConfigureAwait(false))
            {
                // One unmeasured start: the model file and the runtime's own files are in the page cache from here on.
            }

            var plainTimes = new List<double>();
            var sealedTimes = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                using (var server = await MantleServer.StartPlaintextAsync(mantle, plainArgs).ConfigureAwait(false))
                {
                    plainTimes.Add(server.TimeToReady.TotalMilliseconds);
                }

                using (var server = await MantleServer.StartPlaintextAsync(mantle, sealedArgs).ConfigureAwait(false))
                {
                    sealedTimes.Add(server.TimeToReady.TotalMilliseconds);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round + 1}: plaintext {plainTimes[^1]:F0} ms, sealed {sealedTimes[^1]:F0} ms, ratio {sealedTimes[^1] / plainTimes[^1]:F3}"));
            }

            var ratios = plainTimes.Select((p, i) => sealedTimes[i] / p).Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"time to ready: plaintext {Median(plainTimes):F0} ms ({plainTimes.Min():F0}–{plainTimes.Max():F0}), sealed {Median(sealedTimes):F0} ms ({sealedTimes.Min():F0}–{sealedTimes.Max():F0}); " +
                $"sealed ÷ plaintext {ratios[ratios.Count / 2]:F3} ({ratios[0]:F3}–{ratios[^1]:F3}) over {rounds} rounds"));
            Console.WriteLine($"load average at the end: {ServingOutside.LoadAverage()}");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static byte[] BuildModel(int layers)
    {
        var random = new Random(50);
        var builder = new OnnxModelBuilder()
            .Input("x", TensorElementType.Float, -1, Width)
            .Output("y", TensorElementType.Float, -1, Width);
        var previous = "x";
        for (var i = 0; i < layers; i++)
        {
            var weights = new float[Width * Width];
            for (var k = 0; k < weights.Length; k++)
            {
                weights[k] = (float)((random.NextDouble() - 0.5) / 16);
            }

            builder.FloatInitializer($"w{i}", [Width, Width], weights)
                .Node("MatMul", [previous, $"w{i}"], [$"m{i}"])
                .Node("Relu", [$"m{i}"], [i == layers - 1 ? "y" : $"r{i}"]);
            previous = $"r{i}";
        }

        return builder.Build();
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string? Arg(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
}
