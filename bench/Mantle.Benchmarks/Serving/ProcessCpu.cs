using System.Globalization;

namespace Mantle.Benchmarks.Serving;

/// <summary>
/// Another process's CPU time as Linux accounts it: utime + stime from <c>/proc/&lt;pid&gt;/stat</c>, in clock ticks
/// (1/100 s). A sampler records it every few milliseconds so that the CPU a process used inside a time window that
/// someone else measured (a load client's measured phase) can be read off afterwards, start-up and warm-up excluded.
/// </summary>
internal sealed class ProcessCpu : IDisposable
{
    /// <summary>USER_HZ: the unit of utime and stime on every Linux architecture .NET runs on.</summary>
    private const double TicksPerSecond = 100;

    private readonly string _statPath;
    private readonly List<(DateTimeOffset Time, long Ticks)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    private ProcessCpu(int pid, TimeSpan interval)
    {
        _statPath = $"/proc/{pid}/stat";
        Add();
        _thread = new Thread(() =>
        {
            while (!_stop.Token.WaitHandle.WaitOne(interval))
            {
                Add();
            }
        })
        { IsBackground = true, Name = "cpu sampler" };
        _thread.Start();
    }

    /// <summary>Starts sampling the CPU time of process <paramref name="pid"/>.</summary>
    public static ProcessCpu Sample(int pid, TimeSpan? interval = null) => new(pid, interval ?? TimeSpan.FromMilliseconds(10));

    /// <summary>utime + stime of the process now, in seconds.</summary>
    public static double ReadSeconds(int pid) => ReadTicks($"/proc/{pid}/stat") / TicksPerSecond;

    /// <summary>The CPU seconds the process used between <paramref name="from"/> and <paramref name="to"/> (interpolated between samples).</summary>
    public double SecondsBetween(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_samples)
        {
            return (At(to) - At(from)) / TicksPerSecond;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private void Add()
    {
        var sample = (DateTimeOffset.UtcNow, ReadTicks(_statPath));
        lock (_samples)
        {
            _samples.Add(sample);
        }
    }

    private double At(DateTimeOffset time)
    {
        if (time <= _samples[0].Time)
        {
            return _samples[0].Ticks;
        }

        for (var i = 1; i < _samples.Count; i++)
        {
            var (t1, v1) = _samples[i];
            if (time <= t1)
            {
                var (t0, v0) = _samples[i - 1];
                var span = (t1 - t0).TotalMilliseconds;
                return span <= 0 ? v1 : v0 + ((v1 - v0) * (time - t0).TotalMilliseconds / span);
            }
        }

        return _samples[^1].Ticks;
    }

    private static long ReadTicks(string statPath)
    {
        // The command name (field 2) may hold spaces and parentheses: the fields after the last ')' are fixed.
        var text = File.ReadAllText(statPath);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state), so utime (field 14) is fields[11] and stime (field 15) fields[12].
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }
}
