using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Mantle.Serving.Engine;
using Mantle.Serving.Protocol.Internal;
using Mantle.Serving.KServe.Internal;
using Mantle.Serving.TfServing.Internal.Rest;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Benchmarks.Serving;

/// <summary>
/// A ResNet-sized image as JSON text (150,528 floats, written as clients write them): reading the numbers with
/// <see cref="Utf8JsonReader.TryGetSingle"/> (the baseline) against the fast_float parse the server uses, and the whole
/// TF Serving REST and KServe JSON input parsers on the same numbers.
/// Run: <c>dotnet run -c Release --project bench/Mantle.Benchmarks -- --filter *JsonFloat*</c>, or, on a busy machine where
/// wall-clock times scatter, <c>-- json-floats [rounds]</c>: CPU time per operation, best of the rounds.
/// </summary>
[MemoryDiagnoser]
public class JsonFloatBenchmarks
{
    private const int Count = 3 * 224 * 224;
    private byte[] _flat = [];
    private byte[] _tfsBody = [];
    private ModelSignature _signature = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var values = Enumerable.Range(0, Count).Select(_ => ((float)((random.NextDouble() * 4) - 2)).ToString("R", CultureInfo.InvariantCulture)).ToArray();
        _flat = Encoding.UTF8.GetBytes("[" + string.Join(",", values) + "]");
        var nested = new StringBuilder("{\"instances\": [[");
        for (var c = 0; c < 3; c++)
        {
            nested.Append(c == 0 ? "[" : ",[");
            for (var y = 0; y < 224; y++)
            {
                nested.Append(y == 0 ? "[" : ",[").AppendJoin(',', values.Skip(((c * 224) + y) * 224).Take(224)).Append(']');
            }

            nested.Append(']');
        }

        _tfsBody = Encoding.UTF8.GetBytes(nested.Append("]]}").ToString());
        _signature = new ModelSignature([new TensorSpec("x", TensorElementType.Float, [-1, 3, 224, 224])], []);
    }

    /// <summary>Prints the CPU time of each operation (best of <paramref name="rounds"/>) and its ratio to the baseline.</summary>
    public static void RunCpu(int rounds)
    {
        var benchmarks = new JsonFloatBenchmarks();
        benchmarks.Setup();
        (string Name, Action Run)[] operations =
        [
            ("Utf8JsonReader.TryGetSingle, 150,528 numbers", () => benchmarks.ReaderTryGetSingle()),
            ("fast_float (JsonFloats.TryGetSingle), 150,528 numbers", () => benchmarks.FastFloat()),
            ("TF Serving REST request parse (row format, nested)", () => benchmarks.TfServingRest()),
            ("KServe JSON data decode (flat)", () => benchmarks.KServeJson()),
        ];
        double? baseline = null;
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        foreach (var (name, run) in operations)
        {
            run();
            var best = double.MaxValue;
            for (var i = 0; i < rounds; i++)
            {
                process.Refresh();
                var before = process.TotalProcessorTime;
                for (var k = 0; k < 10; k++)
                {
                    run();
                }

                process.Refresh();
                best = Math.Min(best, (process.TotalProcessorTime - before).TotalMilliseconds / 10);
            }

            baseline ??= best;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-56} {best,7:F2} ms CPU  ({best * 1e6 / Count:F0} ns per number)  ratio {best / baseline.Value:F2}"));
        }
    }

    [Benchmark(Baseline = true, Description = "Utf8JsonReader.TryGetSingle, 150,528 numbers")]
    public float ReaderTryGetSingle()
    {
        var reader = new Utf8JsonReader(_flat);
        var sum = 0f;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetSingle(out var value))
            {
                sum += value;
            }
        }

        return sum;
    }

    [Benchmark(Description = "fast_float (JsonFloats.TryGetSingle), 150,528 numbers")]
    public float FastFloat()
    {
        var reader = new Utf8JsonReader(_flat);
        var sum = 0f;
        while (reader.Read())
        {
            if (JsonFloats.TryGetSingle(ref reader, out var value))
            {
                sum += value;
            }
        }

        return sum;
    }

    [Benchmark(Description = "TF Serving REST request parse (row format, nested)")]
    public int TfServingRest()
    {
        using var request = JsonPredictRequest.Parse(_tfsBody, _tfsBody.Length, _signature);
        return request.Inputs.Count;
    }

    [Benchmark(Description = "KServe JSON data decode (flat)")]
    public int KServeJson() => KServeJsonDataDecoder.DecodeFixed(_flat, "x", TensorElementType.Float, Count).Length;
}
