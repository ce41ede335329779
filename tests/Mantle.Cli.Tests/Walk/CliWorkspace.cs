using System.Net;
using System.Net.Sockets;
using Mantle.KeyBroker;
using Mantle.Sealing.Keys;

namespace Mantle.Cli.Tests.Walk;

/// <summary>
/// A temporary folder with what command lines need to get past the parser and the file checks: an ordinary file and
/// folder, an owner key pair, a model key, an admin credential for a broker that does not run, and a closed port.
/// </summary>
public sealed class CliWorkspace : IDisposable
{
    private int _paths;

    public CliWorkspace()
    {
        Root = Directory.CreateTempSubdirectory("mantle-cli-tests-").FullName;
        ConfigHome = Directory.CreateDirectory(Combine("config")).FullName;
        File = Combine("sample.txt");
        System.IO.File.WriteAllText(File, "sample\n");
        Folder = Directory.CreateDirectory(Combine("sample-dir")).FullName;
        ClosedPort = FindClosedPort();
        Credential = BrokerInitializer.Initialize(Combine("broker"), new BrokerInitOptions { BrokerUrl = BrokerUrl, AllowSim = true });
        SealedModels = Combine("sealed-models");
        using (var signing = OwnerSigningKey.Generate())
        using (var key = Mantle.Sealing.Keys.ModelKey.Generate())
        {
            signing.Save(Combine("owner.pem"));
            key.Save(Combine("model.key"));
            var notAModel = Combine("model.onnx");
            System.IO.File.WriteAllText(notAModel, "not a model\n");
            Mantle.Sealing.ModelSealer.SealAsync(notAModel, Path.Combine(SealedModels, "1"), key, signing, new Mantle.Sealing.ModelSealOptions { Name = "default" })
                .GetAwaiter().GetResult();
        }

        OwnerPublicKey = Combine("owner.pem.pub");

        ModelKey = Combine("model.key");
        Policy = Combine("policy.json");
        System.IO.File.WriteAllText(Policy, """{"version": 1, "tees": ["sim"]}""");
    }

    public string Root { get; }

    /// <summary>XDG_CONFIG_HOME of every run, so that the simulated platform key lands here.</summary>
    public string ConfigHome { get; }

    /// <summary>An ordinary file that no option can use for anything.</summary>
    public string File { get; }

    /// <summary>An empty folder.</summary>
    public string Folder { get; }

    /// <summary>A model base path with one version sealed by <see cref="OwnerPublicKey"/>'s owner (its content is not a model).</summary>
    public string SealedModels { get; }

    public int ClosedPort { get; }

    public string ServerAddress => $"127.0.0.1:{ClosedPort}";

    public string BrokerUrl => $"http://127.0.0.1:{ClosedPort}";

    /// <summary>An admin credential that names <see cref="BrokerUrl"/>.</summary>
    public string Credential { get; }

    public string OwnerPublicKey { get; }

    public string ModelKey { get; }

    /// <summary>An attestation policy that accepts the simulated TEE.</summary>
    public string Policy { get; }

    /// <summary>A path inside the workspace that nothing uses yet.</summary>
    public string NewPath(string name) => Combine($"{name}-{Interlocked.Increment(ref _paths)}");

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private string Combine(string name) => Path.Combine(Root, name);

    private static int FindClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
