using System.Net;
using System.Net.Sockets;

namespace Mantle.KeyBroker.Tests.Infrastructure;

/// <summary><c>dotnet mantle.dll broker serve …</c> from the test output folder, as a separate process that tests can SIGKILL.</summary>
public sealed class BrokerProcess : IDisposable
{
    private readonly ChildProcess _process;

    private BrokerProcess(ChildProcess process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public string Output => _process.Output;

    public static async Task<BrokerProcess> StartAsync(string configDir, string? database, string simKeyFile, int? port = null, params string[] extraArgs)
    {
        port ??= FreePort();
        var url = new Uri($"http://127.0.0.1:{port}");
        string[] args =
        [
            "broker", "serve", "--config", configDir, "--urls", url.ToString().TrimEnd('/'), "--plaintext", "--sim-key", simKeyFile,
            .. database is null ? Array.Empty<string>() : ["--db", database],
            .. extraArgs,
        ];
        var broker = new BrokerProcess(MantleProcess.Start(args), url);

        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (broker._process.HasExited)
            {
                broker.Dispose();
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
    public void Kill() => _process.Kill();

    public void Dispose() => _process.Dispose();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
