using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mantle.KeyBroker.Tests.Infrastructure;

/// <summary><c>dotnet mantle.dll broker serve …</c> from the test output folder, as a separate process that tests can SIGKILL.</summary>
public sealed class BrokerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private BrokerProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

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

    public static async Task<BrokerProcess> StartAsync(string configDir, string? database, string simKeyFile, int? port = null, params string[] extraArgs)
    {
        port ??= FreePort();
        var url = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "mantle.dll"), "broker", "serve", "--config", configDir, "--urls", url.ToString().TrimEnd('/'), "--plaintext", "--sim-key", simKeyFile })
        {
            start.ArgumentList.Add(a);
        }

        if (database is not null)
        {
            start.ArgumentList.Add("--db");
            start.ArgumentList.Add(database);
        }

        foreach (var a in extraArgs)
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start)!;
        var broker = new BrokerProcess(process, url);
        process.OutputDataReceived += (_, e) => broker.Append(e.Data);
        process.ErrorDataReceived += (_, e) => broker.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("The broker process exited at start: " + broker.Output);
            }

            try
            {
                using var response = await http.GetAsync(new Uri(url, "/kbs/v0/ca"));
                if (response.IsSuccessStatusCode)
                {
                    return broker;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        broker.Dispose();
        throw new TimeoutException("The broker process did not start in 60 s: " + broker.Output);
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
