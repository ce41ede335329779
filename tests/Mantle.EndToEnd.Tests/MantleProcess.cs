using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Mantle.EndToEnd.Tests;

/// <summary>Runs the real <c>mantle</c> command (mantle.dll from the test output) as a child process.</summary>
internal sealed class MantleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MantleProcess(Process process)
    {
        _process = process;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts mantle with the arguments; standard output and error are collected together.</summary>
    public static MantleProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mantle.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var result = new MantleProcess(process);
        process.OutputDataReceived += (_, e) => result.Append(e.Data);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data);
        process.Exited += (_, _) => result._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Starts <c>mantle serve --plaintext</c> for one model on free ports and waits until both listeners are up.</summary>
    public static async Task<(MantleProcess Server, int GrpcPort, int RestPort)> StartServingAsync(string model, string basePath)
    {
        var server = Start("serve", "--plaintext", "--model_name", model, "--model_base_path", basePath, "--port", "0", "--rest_api_port", "0");
        var grpc = await server.WaitForAsync(@"Serving gRPC.* on http://127\.0\.0\.1:(\d+)/", TimeSpan.FromSeconds(90));
        var rest = await server.WaitForAsync(@"Serving REST.* on http://127\.0\.0\.1:(\d+)/", TimeSpan.FromSeconds(90));
        return (server, int.Parse(grpc.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(rest.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Runs mantle to completion (at most two minutes) and returns the exit code, standard output and standard error.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mantle.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Waits until the output has a line matching the pattern and returns the match, or fails with the output so far.</summary>
    public async Task<Match> WaitForAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern, RegexOptions.Multiline, TimeSpan.FromSeconds(1));
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var match = regex.Match(Output);
            if (match.Success)
            {
                return match;
            }

            if (_exited.Task.IsCompleted)
            {
                throw new InvalidOperationException($"mantle exited with {_process.ExitCode} before printing /{pattern}/:\n{Output}");
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"mantle did not print /{pattern}/ within {timeout}:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
