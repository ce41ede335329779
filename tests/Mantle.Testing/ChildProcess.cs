using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Mantle.Testing;

/// <summary>
/// A program that a test runs as a child process, with its standard output and error captured. Every wait has a
/// timeout; when it runs out, the whole process tree is killed and the <see cref="TimeoutException"/> says what the
/// process printed until then. Disposing kills the tree too, so no process outlives its test.
/// </summary>
public sealed class ChildProcess : IDisposable, IAsyncDisposable
{
    /// <summary>How long <see cref="RunAsync"/> waits for a program to exit unless told otherwise: two minutes.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly string _name;
    private readonly Lock _lock = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<string> _firstStdoutLine = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    private ChildProcess(Process process, string name)
    {
        _process = process;
        _name = name;
    }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Standard output so far, one line per line.</summary>
    public string Stdout => Read(_stdout);

    /// <summary>Standard error so far, one line per line.</summary>
    public string Stderr => Read(_stderr);

    /// <summary>Standard output and error so far, interleaved in the order the lines arrived.</summary>
    public string Output => Read(_output);

    /// <summary>Starts <paramref name="fileName"/> with the arguments, each passed as one argument (no shell).</summary>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, ChildProcessOptions? options = null)
    {
        options ??= new ChildProcessOptions();
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = options.RedirectStandardInput,
            UseShellExecute = false,
            WorkingDirectory = options.WorkingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in options.Environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process, options.Name ?? System.IO.Path.GetFileName(fileName));
        process.OutputDataReceived += (_, e) => child.Append(e.Data, child._stdout);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data, child._stderr);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// Runs <paramref name="fileName"/> to completion and returns its exit code and output; a program still running after
    /// <see cref="ChildProcessOptions.Timeout"/> is killed with its children and reported as a <see cref="TimeoutException"/>.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, ChildProcessOptions? options = null)
    {
        options ??= new ChildProcessOptions();
        await using var child = Start(fileName, arguments, options);
        var exitCode = await child.WaitForExitAsync(options.Timeout ?? DefaultTimeout);
        return new ProcessResult(exitCode, child.Stdout, child.Stderr);
    }

    /// <summary>Waits for the process to exit and for its output to be read to the end, then returns the exit code.</summary>
    /// <exception cref="TimeoutException">The process did not exit in time; its process tree has been killed.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Kill();
            throw new TimeoutException($"{_name} (pid {_process.Id}) did not exit within {timeout}; its process tree was killed. Its output:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Waits for the first line of standard output.</summary>
    /// <exception cref="TimeoutException">No line came in time (the process keeps running until disposed).</exception>
    public async Task<string> FirstStdoutLineAsync(TimeSpan timeout)
    {
        try
        {
            return await _firstStdoutLine.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{_name} printed no line to standard output within {timeout}. Its output:\n{Output}");
        }
    }

    /// <summary>Waits until the interleaved output has a line matching <paramref name="pattern"/> and returns the match.</summary>
    /// <exception cref="InvalidOperationException">The process exited without printing such a line.</exception>
    /// <exception cref="TimeoutException">No such line came in time.</exception>
    public async Task<Match> WaitForOutputAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern, RegexOptions.Multiline, TimeSpan.FromSeconds(1));
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var match = regex.Match(Output);
            if (match.Success)
            {
                return match;
            }

            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                match = regex.Match(Output);
                return match.Success
                    ? match
                    : throw new InvalidOperationException($"{_name} exited with {_process.ExitCode} before printing /{pattern}/. Its output:\n{Output}");
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{_name} did not print /{pattern}/ within {timeout}. Its output:\n{Output}");
    }

    /// <summary>Asks the process to stop as a service manager would (SIGTERM), without waiting for it.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Kills the process and all of its children (SIGKILL: no shutdown code runs) and waits until they are gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Kill();
        _process.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private string Read(StringBuilder text)
    {
        lock (_lock)
        {
            return text.ToString();
        }
    }

    private void Append(string? line, StringBuilder stream)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            stream.AppendLine(line);
            _output.AppendLine(line);
        }

        if (ReferenceEquals(stream, _stdout))
        {
            _firstStdoutLine.TrySetResult(line);
        }
    }
}
