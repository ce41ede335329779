using System.Security.Cryptography.X509Certificates;
using Mantle.Attestation;
using Mantle.Attestation.Sim;
using Mantle.KeyBroker;
using Mantle.KeyBroker.Client;
using Mantle.Client.Certificates;
using Mantle.Serving.Confidential;
using Mantle.Serving.Hosting;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.Models;
using Mantle.Serving.Tests.Sealed;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mantle.EndToEnd.Tests.Confidential;

/// <summary>
/// The three roles on loopback, in process: a model owner with a sealed MatMulAdd model and TLS material for clients; a key
/// broker on real Kestrel with HTTPS and a simulated TEE platform; and a server that attests with evidence from that
/// platform. The model key is registered under a policy that pins <see cref="GoodMeasurement"/>.
/// </summary>
internal sealed class ConfidentialWorld : IAsyncDisposable
{
    public static readonly byte[] GoodMeasurement = Enumerable.Repeat((byte)0x5A, 48).ToArray();

    public static readonly byte[] OtherMeasurement = Enumerable.Repeat((byte)0x6B, 48).ToArray();

    private ConfidentialWorld(string root, WebApplication broker, SimulatedTee platform, ModelOwner owner, string brokerCa)
    {
        Root = root;
        Broker = broker;
        Platform = platform;
        Owner = owner;
        BrokerCaPem = brokerCa;
        BrokerUrl = new Uri(KeyBrokerServer.Addresses(broker)[0].Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
    }

    public string Root { get; }

    public WebApplication Broker { get; }

    public Uri BrokerUrl { get; }

    public string BrokerCaPem { get; }

    public SimulatedTee Platform { get; }

    public ModelOwner Owner { get; }

    public string BasePath => Path.Combine(Root, "models", "mm");

    public string ClientTls => Path.Combine(Root, "client-tls");

    public static string MeasurementPolicy(byte[] measurement) =>
        "{\"version\": 1, \"tees\": [\"sim\"], \"tcb_status\": [\"UpToDate\"], \"claims\": {\"measurement\": {\"equals\": \"" + Convert.ToHexStringLower(measurement) + "\"}}}";

    /// <summary>Starts the broker, seals MatMulAdd as version 1 and registers its key under a policy pinning <see cref="GoodMeasurement"/>.</summary>
    public static async Task<ConfidentialWorld> StartAsync(Action<KeyBrokerOptions>? configureBroker = null)
    {
        var root = Directory.CreateTempSubdirectory("mantle-e2e-").FullName;
        var config = Path.Combine(root, "broker");
        BrokerInitializer.Initialize(config, new BrokerInitOptions { AllowSim = true });
        var platform = SimulatedTee.CreateEphemeral();
        var options = new KeyBrokerServerOptions
        {
            ConfigDirectory = config,
            ConfigureBroker = configureBroker,
            ConfigureServices = services =>
            {
                services.AddSingleton<IEvidenceVerifier>(new SimEvidenceVerifier(platform.ToPublicOnly()));
                services.AddLogging(b => b.ClearProviders());
            },
        };
        options.Urls.Add("https://127.0.0.1:0");
        var broker = KeyBrokerServer.Build(options);
        await broker.StartAsync();
        var owner = new ModelOwner(Path.Combine(root, "owner"));
        var world = new ConfidentialWorld(root, broker, platform, owner, await File.ReadAllTextAsync(Path.Combine(config, "ca.crt")));
        TlsMaterial.Create(new TlsMaterialOptions { ServerName = "localhost", ClientName = "alice" }).Save(world.ClientTls);
        await owner.SealAsync(world.BasePath, 1, TestModels.MatMulAdd(), "mm");
        using var admin = world.Admin();
        await admin.PutResourceAsync(KbsProtocol.ModelKeyPath(owner.Key.Id), KeyBytes(owner), MeasurementPolicy(GoodMeasurement));
        return world;
    }

    public BrokerAdminClient Admin() =>
        new(AdminCredential.Load(Path.Combine(Root, "broker", "admin.credential")), new BrokerAdminClientOptions { BrokerUrl = BrokerUrl.ToString() });

    /// <summary>sim evidence from the world's platform, reporting <paramref name="measurement"/>.</summary>
    public SimEvidenceProvider Evidence(byte[] measurement) => new(Platform, new SimEvidenceProviderOptions { MeasurementOverride = measurement });

    /// <summary>Serving options for the sealed model on free loopback ports, polling off, logs into <paramref name="logs"/>.</summary>
    public ServingServerOptions Serving(ILoggerFactory? logs = null)
    {
        var serving = new ServingServerOptions { GrpcPort = 0, RestPort = 0, PollInterval = TimeSpan.Zero, LoggerFactory = logs };
        serving.Models.Add(new ModelConfig { Name = "mm", BasePath = BasePath });
        return serving;
    }

    /// <summary>The confidential options: broker-ca TLS for localhost, client certificates from the owner's TLS material.</summary>
    public ConfidentialServingOptions Confidential(IEvidenceProvider evidence, Uri? brokerUrl = null, TimeSpan? retryFor = null, TimeProvider? time = null, bool mutualTls = true) => new()
    {
        Broker = new BrokerSessionOptions
        {
            BrokerUrl = brokerUrl ?? BrokerUrl,
            BrokerCaPem = BrokerCaPem,
            RetryFor = retryFor ?? TimeSpan.FromSeconds(10),
            TimeProvider = time ?? TimeProvider.System,
        },
        Evidence = evidence,
        OwnerKey = Owner.PublicKey,
        ClientCertificateAuthorities = mutualTls ? Collection(Path.Combine(ClientTls, "ca.crt")) : null,
        KeyCheckInterval = TimeSpan.Zero,
    };

    /// <summary>An HTTP handler that trusts only the broker CA and presents the owner's client certificate (unless told not to).</summary>
    public SocketsHttpHandler ClientHandler(bool withClientCertificate = true)
    {
        var ca = X509Certificate2.CreateFromPem(BrokerCaPem);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
        if (withClientCertificate)
        {
            using var client = X509Certificate2.CreateFromPemFile(Path.Combine(ClientTls, "client.crt"), Path.Combine(ClientTls, "client.key"));
            handler.SslOptions.ClientCertificates = [X509CertificateLoader.LoadPkcs12(client.Export(X509ContentType.Pkcs12), null)];
        }

        return handler;
    }

    public async ValueTask DisposeAsync()
    {
        await Broker.StopAsync();
        await Broker.DisposeAsync();
        Owner.Dispose();
        Platform.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static X509Certificate2Collection Collection(string pemFile)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(pemFile);
        return collection;
    }

    private static byte[] KeyBytes(ModelOwner owner)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(owner.KeyFile));
        return Convert.FromBase64String(doc.RootElement.GetProperty("key").GetString()!);
    }
}
