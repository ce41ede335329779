using BenchmarkDotNet.Running;
using Mantle.Benchmarks.Serving;

namespace Mantle.Benchmarks;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // End-to-end scenarios print ratio figures directly; everything else goes to BenchmarkDotNet's switcher.
        switch (args.FirstOrDefault())
        {
            case "serving-load":
                return await ServingLoad.RunAsync(args[1..]).ConfigureAwait(false);
            default:
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
                return 0;
        }
    }
}
