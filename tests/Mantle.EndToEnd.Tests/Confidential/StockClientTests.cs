using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Mantle.Serving.Confidential;
using Mantle.Serving.Tests.Models;

namespace Mantle.EndToEnd.Tests.Confidential;

/// <summary>
/// Stock clients against a confidential server (broker-ca TLS, client certificates required): Python grpcio (Debian
/// python3-grpcio) sends TF Serving Predict, curl sends the same over REST. Both are installed by scripts/install-deps.sh.
/// </summary>
public class StockClientTests
{
    private const string DebianPython = "/usr/bin/python3";

    [Fact]
    public async Task PythonGrpcio_PredictOverMutualTls_GetsTheModelsAnswer()
    {
        await using var world = await ConfidentialWorld.StartAsync();
        await using var server = await ConfidentialServer.StartAsync(world.Serving(), world.Confidential(world.Evidence(ConfidentialWorld.GoodMeasurement)));
        var brokerCa = Path.Combine(world.Root, "broker", "ca.crt");
        var descriptors = Path.Combine(world.Root, "tfs.protoset");
        await File.WriteAllBytesAsync(descriptors, DescriptorSet(Tensorflow.Serving.PredictRequest.Descriptor.File).ToByteArray());

        var (exit, stdout, stderr) = await RunAsync(DebianPython,
            Path.Combine(AppContext.BaseDirectory, "Confidential", "tfs_predict.py"), $"localhost:{server.Server.GrpcPort}",
            brokerCa, Path.Combine(world.ClientTls, "client.crt"), Path.Combine(world.ClientTls, "client.key"), descriptors, "mm");

        Assert.True(exit == 0, $"python exited {exit}: {stderr}");
        Assert.Equal(TestModels.MatMulAddRow(1, 2, 3), JsonSerializer.Deserialize<float[]>(stdout));
    }

    [Fact]
    public async Task PythonGrpcio_WithoutClientCertificate_IsRefused()
    {
        await using var world = await ConfidentialWorld.StartAsync();
        await using var server = await ConfidentialServer.StartAsync(world.Serving(), world.Confidential(world.Evidence(ConfidentialWorld.GoodMeasurement)));
        var descriptors = Path.Combine(world.Root, "tfs.protoset");
        await File.WriteAllBytesAsync(descriptors, DescriptorSet(Tensorflow.Serving.PredictRequest.Descriptor.File).ToByteArray());
        var otherPair = Path.Combine(world.Root, "other-tls");
        Mantle.Client.Certificates.TlsMaterial.Create(new() { ServerName = "localhost" }).Save(otherPair);

        // A certificate from a CA the server does not trust is refused like none at all.
        var (exit, _, stderr) = await RunAsync(DebianPython,
            Path.Combine(AppContext.BaseDirectory, "Confidential", "tfs_predict.py"), $"localhost:{server.Server.GrpcPort}",
            Path.Combine(world.Root, "broker", "ca.crt"), Path.Combine(otherPair, "client.crt"), Path.Combine(otherPair, "client.key"), descriptors, "mm");

        Assert.NotEqual(0, exit);
        Assert.Contains("UNAVAILABLE", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curl_PredictOverMutualTls_GetsTheModelsAnswer()
    {
        await using var world = await ConfidentialWorld.StartAsync();
        await using var server = await ConfidentialServer.StartAsync(world.Serving(), world.Confidential(world.Evidence(ConfidentialWorld.GoodMeasurement)));
        var url = $"https://localhost:{server.Server.RestPort}/v1/models/mm:predict";
        string[] tls = ["--cacert", Path.Combine(world.Root, "broker", "ca.crt"), "--cert", Path.Combine(world.ClientTls, "client.crt"), "--key", Path.Combine(world.ClientTls, "client.key")];

        var (exit, stdout, stderr) = await RunAsync("curl", [.. tls, "--silent", "--show-error", "--fail-with-body", "-d", """{"instances": [{"x": [1, 2, 3]}]}""", url]);
        var (noCertExit, _, _) = await RunAsync("curl", "--silent", "--cacert", tls[1], "-d", """{"instances": [{"x": [1, 2, 3]}]}""", url);
        var (untrustedExit, _, _) = await RunAsync("curl", "--silent", "--cert", tls[3], "--key", tls[5], "-d", "{}", url);

        Assert.True(exit == 0, $"curl exited {exit}: {stderr} {stdout}");
        using var body = JsonDocument.Parse(stdout);
        var y = body.RootElement.GetProperty("predictions")[0].GetProperty("y").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(TestModels.MatMulAddRow(1, 2, 3), y);
        Assert.NotEqual(0, noCertExit);
        Assert.Equal(60, untrustedExit); // curl: the server's certificate is not trusted without --cacert
    }

    /// <summary>The file and every file it imports, dependencies first.</summary>
    private static FileDescriptorSet DescriptorSet(FileDescriptor root)
    {
        var set = new FileDescriptorSet();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(FileDescriptor file)
        {
            if (!seen.Add(file.Name))
            {
                return;
            }

            foreach (var dependency in file.Dependencies)
            {
                Add(dependency);
            }

            set.File.Add(FileDescriptorProto.Parser.ParseFrom(file.SerializedData));
        }

        Add(root);
        return set;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
