using BenchmarkDotNet.Running;
using Mantle.Benchmarks.Sealing;

namespace Mantle.Benchmarks;

internal static class Program
{
    public static void Main(string[] args)
    {
        // Quick console modes print ratio figures in seconds; everything else goes to BenchmarkDotNet's switcher.
        switch (args.FirstOrDefault())
        {
            case "sealing-throughput":
                SealingThroughput.Run(args[1..]);
                return;
            case "broker-load":
                KeyBroker.BrokerLoad.Run(args[1..]);
                return;
            case "sealing-memory":
                SealingThroughput.RunMemory(args[1..]);
                return;
            default:
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
                return;
        }
    }
}
