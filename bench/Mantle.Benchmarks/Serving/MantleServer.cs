using System.Diagnostics;
using System.Text.Json;

namespace Mantle.Benchmarks.Serving;

/// <summary>
/// <c>mantle serve</c> as a process of its own on loopback (ports picked by the system), started with <c>--json</c>
/// so that its ports and the moment it is ready can be read from its first line of output. Disposing kills it.
/// </summary>
internal sealed class MantleServer : IDisposable
{
    private readonly Process _process;

    private MantleServer(Process process, int grpcPort, int restPort, TimeSpan timeToReady)
    {
        _process = process;
        GrpcPort = grpcPort;
        RestPort = restPort;
        TimeToReady = timeToReady;
        StartupCpuSeconds = ProcessCpu.ReadSeconds(process.Id);
    }

    public int Pid => _process.Id;

    public int GrpcPort { get; }

    public int RestPort { get; }

    /// <summary>From starting the process to its ready line (every model loaded, both ports listening).</summary>
    public TimeSpan TimeToReady { get; }

    /// <summary>The CPU the process used until it was ready.</summary>
    public double StartupCpuSeconds { get; }

    /// <summary>Starts <c>mantle serve</c> on a model config file (or with the given arguments) and waits until it is ready.</summary>
    public static Task<MantleServer> StartAsync(string mantle, string modelConfigFile) =>
        StartAsync(mantle, ["--model_config_file", modelConfigFile]);

    public static async Task<MantleServer> StartAsync(string mantle, IEnumerable<string> modelArguments)
    {
        var watch = Stopwatch.StartNew();
        var process = Process.Start(StartInfo(mantle, ["serve", "--plaintext", "--port", "0", "--rest_api_port", "0", "--file_system_poll_wait_seconds", "0", "--json", .. modelArguments]))!;
        try
        {
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            var ready = watch.Elapsed;
            if (line is null || !line.StartsWith('{'))
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                throw new InvalidOperationException($"mantle serve did not start (exit {process.ExitCode}): {await stderr.ConfigureAwait(false)}");
            }

            using var document = JsonDocument.Parse(line);
            return new MantleServer(process, document.RootElement.GetProperty("grpc_port").GetInt32(), document.RootElement.GetProperty("rest_port").GetInt32(), ready);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Runs <c>mantle.dll</c> with the same runtime as this process, output redirected.</summary>
    public static ProcessStartInfo StartInfo(string mantle, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath ?? "dotnet").Equals("dotnet", StringComparison.Ordinal))
        {
            info.FileName = "dotnet";
        }

        info.ArgumentList.Add(mantle);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The children choose their own GC settings from mantle's runtime configuration, not this process's.
        info.Environment.Remove("DOTNET_gcServer");
        return info;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
