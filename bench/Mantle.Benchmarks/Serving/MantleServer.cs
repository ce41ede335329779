using System.Diagnostics;
using System.Text.Json;

namespace Mantle.Benchmarks.Serving;

/// <summary>
/// <c>mantle serve</c> as a process of its own on loopback (ports picked by the system), started with <c>--json</c>
/// so that its ports and the moment it is ready can be read from its ready line. Its output is drained so that it
/// never blocks on a full pipe; its CPU time is read from /proc (<see cref="ProcessCpu"/>). Disposing kills it.
/// </summary>
internal sealed class MantleServer : IDisposable
{
    private readonly Process _process;

    private MantleServer(Process process, JsonElement ready, TimeSpan timeToReady)
    {
        _process = process;
        Ready = ready;
        GrpcPort = ready.GetProperty("grpc_port").GetInt32();
        RestPort = ready.TryGetProperty("rest_port", out var rest) ? rest.GetInt32() : 0;
        TimeToReady = timeToReady;
        StartupCpuSeconds = CpuSeconds();
    }

    public int Pid => _process.Id;

    public int GrpcPort { get; }

    public int RestPort { get; }

    /// <summary>The server's ready line (<c>mantle serve --json</c>).</summary>
    public JsonElement Ready { get; }

    /// <summary>The attestation round trip of a confidential start, from the ready line (0 without one).</summary>
    public double AttestationMs =>
        Ready.TryGetProperty("start_ms", out var start) && start.ValueKind == JsonValueKind.Object ? start.GetProperty("attestation").GetDouble() : 0;

    /// <summary>From starting the process to its ready line (every model loaded, both ports listening).</summary>
    public TimeSpan TimeToReady { get; }

    /// <summary>The CPU the process used until it was ready.</summary>
    public double StartupCpuSeconds { get; }

    /// <summary>The <c>mantle.dll</c> built beside this program (the same build, and the same runtime settings, as <c>artifacts/bin/Mantle.Cli</c>).</summary>
    public static string DefaultMantle => typeof(Mantle.Cli.Commands.Demo.ChildProcess).Assembly.Location;

    /// <summary>Starts a plaintext <c>mantle serve</c> with the given model arguments and waits until it is ready.</summary>
    public static Task<MantleServer> StartPlaintextAsync(string mantle, IEnumerable<string> modelArguments) =>
        StartAsync(mantle, ["serve", "--plaintext", "--port", "0", "--rest_api_port", "0", "--file_system_poll_wait_seconds", "0", "--json", .. modelArguments]);

    /// <summary>Starts <c>mantle</c> with <paramref name="arguments"/> (a <c>serve … --json</c> command line) and waits for its ready line.</summary>
    public static async Task<MantleServer> StartAsync(string mantle, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var watch = Stopwatch.StartNew();
        var info = StartInfo(mantle, arguments);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        try
        {
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            string? line;
            do
            {
                line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            }
            while (line is not null && !line.StartsWith("{\"grpc_port\"", StringComparison.Ordinal));

            var ready = watch.Elapsed;
            if (line is null)
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                throw new InvalidOperationException($"mantle serve did not start (exit {process.ExitCode}): {await stderr.ConfigureAwait(false)}");
            }

            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            using var document = JsonDocument.Parse(line);
            return new MantleServer(process, document.RootElement.Clone(), ready);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Runs <c>mantle.dll</c> with <c>dotnet</c>, output redirected.</summary>
    public static ProcessStartInfo StartInfo(string mantle, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(mantle);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The children choose their own GC settings from mantle's runtime configuration, not this process's.
        info.Environment.Remove("DOTNET_gcServer");
        return info;
    }

    /// <summary>utime + stime of the server so far, in seconds.</summary>
    public double CpuSeconds() => ProcessCpu.ReadSeconds(Pid);

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
