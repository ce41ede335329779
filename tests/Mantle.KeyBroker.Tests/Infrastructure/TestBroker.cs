using Mantle.Attestation;
using Mantle.Attestation.Sim;
using Mantle.KeyBroker.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mantle.KeyBroker.Tests.Infrastructure;

/// <summary>A broker on real Kestrel at 127.0.0.1:0 with a fresh configuration folder and an ephemeral simulated TEE.</summary>
public sealed class TestBroker : IAsyncDisposable
{
    public const string SimPolicy = """{"version": 1, "tees": ["sim"], "tcb_status": ["UpToDate"]}""";

    private TestBroker(string directory, WebApplication app, SimulatedTee platform, ManualTime time, CapturingLoggerProvider logs, bool https)
    {
        Directory = directory;
        App = app;
        Platform = platform;
        Time = time;
        Logs = logs;
        Url = new Uri(KeyBrokerServer.Addresses(app)[0]);
        Https = https;
        Credential = AdminCredential.Load(Path.Combine(directory, "admin.credential"));
    }

    public string Directory { get; }

    public WebApplication App { get; }

    public SimulatedTee Platform { get; }

    public ManualTime Time { get; }

    public CapturingLoggerProvider Logs { get; }

    public Uri Url { get; }

    public bool Https { get; }

    public AdminCredential Credential { get; }

    /// <summary>Set by tests that provoke an error on purpose; otherwise an error-level log fails the test at dispose.</summary>
    public bool ExpectErrors { get; set; }

    public static async Task<TestBroker> StartAsync(
        bool https = false, string? database = null, string? directory = null, Action<KeyBrokerOptions>? configure = null, SimulatedTee? platform = null,
        Action<IServiceCollection>? services = null)
    {
        directory ??= Path.Combine(Path.GetTempPath(), "mantle-kb-" + Guid.NewGuid().ToString("N"));
        if (!File.Exists(Path.Combine(directory, "ca.key")))
        {
            BrokerInitializer.Initialize(directory, new BrokerInitOptions { AllowSim = true });
        }

        platform ??= SimulatedTee.CreateEphemeral();
        var time = new ManualTime();
        var logs = new CapturingLoggerProvider();
        var options = new KeyBrokerServerOptions
        {
            ConfigDirectory = directory,
            Database = database,
            Plaintext = !https,
            ConfigureBroker = configure,
            ConfigureServices = collection =>
            {
                collection.AddSingleton<TimeProvider>(time);
                collection.AddSingleton<IEvidenceVerifier>(new SimEvidenceVerifier(platform.ToPublicOnly()));
                collection.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
                services?.Invoke(collection);
            },
        };
        options.Urls.Add(https ? "https://127.0.0.1:0" : "http://127.0.0.1:0");
        var app = KeyBrokerServer.Build(options);
        await app.StartAsync();
        return new TestBroker(directory, app, platform, time, logs, https);
    }

    public BrokerAdminClient Admin(bool clientCertificate = false) =>
        new(Credential, new BrokerAdminClientOptions { BrokerUrl = Url.ToString(), UseClientCertificate = clientCertificate, TimeProvider = Time });

    public KeyBrokerClient Attester() => new(Url, Https ? Credential.CaCertificatePem : null);

    public SimEvidenceProvider Evidence(byte[]? measurement = null, bool debug = false) =>
        new(Platform, new SimEvidenceProviderOptions { MeasurementOverride = measurement, Debug = debug, TimeProvider = Time });

    public HttpClient Http()
    {
        var handler = new SocketsHttpHandler { UseCookies = true, CookieContainer = new System.Net.CookieContainer() };
        return new HttpClient(handler) { BaseAddress = Url };
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        var errors = Logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => e.Text).ToList();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }

        Assert.True(ExpectErrors || errors.Count == 0, "The broker logged errors: " + string.Join("\n", errors));
    }
}
