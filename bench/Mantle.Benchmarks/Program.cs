using BenchmarkDotNet.Running;
using Mantle.Benchmarks.KeyBroker;
using Mantle.Benchmarks.Sealing;
using Mantle.Benchmarks.Serving;

namespace Mantle.Benchmarks;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // End-to-end scenarios print ratio figures directly; everything else goes to BenchmarkDotNet's switcher.
        try
        {
            return await RunAsync(args).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
    }

    private static async Task<int> RunAsync(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "serving-load":
                return await ServingLoad.RunAsync(args[1..]).ConfigureAwait(false);
            case "serving-outside":
                return await ServingOutside.RunAsync(args[1..]).ConfigureAwait(false);
            case "sealing-outside":
                return await SealingOutside.RunAsync(args[1..]).ConfigureAwait(false);
            case "sealed-startup-outside":
                return await SealedStartupOutside.RunAsync(args[1..]).ConfigureAwait(false);
            case "json-floats":
                JsonFloatBenchmarks.RunCpu(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10);
                return 0;
            case "confidential-load":
                return await ConfidentialLoad.RunAsync(args[1..]).ConfigureAwait(false);
            case "sealing-throughput":
                SealingThroughput.Run(args[1..]);
                return 0;
            case "sealing-memory":
                SealingThroughput.RunMemory(args[1..]);
                return 0;
            case "broker-load":
                BrokerLoad.Run(args[1..]);
                return 0;
            default:
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
                return 0;
        }
    }
}
