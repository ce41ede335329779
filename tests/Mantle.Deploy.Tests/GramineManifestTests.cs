using System.Globalization;

namespace Mantle.Deploy.Tests;

/// <summary>deploy/gramine/mantle.manifest.template: the command line mantle accepts, what is measured, what is sized for ONNX Runtime.</summary>
public sealed class GramineManifestTests
{
    [Fact]
    public async Task Template_Argv_IsAConfidentialServeMantleAccepts()
    {
        var args = GramineTemplate.Arguments;
        Assert.Empty(await MantleCli.ProblemsAsync(args, "mantle.manifest.template"));
        Assert.Equal("serve", args[0]);
        Assert.Equal("sgx", MantleCli.Value(args, "--tee"));
        Assert.NotNull(MantleCli.Value(args, "--broker"));
        Assert.All(MantleCli.PathsIn(args), path => Assert.True(MantleCli.Under(path, GramineTemplate.MountPaths), $"{path} is outside every fs.mounts path"));
        Assert.Null(GramineTemplate.Setting("loader.insecure__use_cmdline_argv"));
    }

    [Fact]
    public void Template_TrustedFiles_CoverTheRuntimeOnnxRuntimeAndTheTrustAnchors()
    {
        var trusted = GramineTemplate.List("sgx.trusted_files");
        Assert.Contains("file:/app/", trusted);
        Assert.Contains("file:/etc/mantle/", trusted);
        Assert.Equal(["file:/var/lib/mantle/models/"], GramineTemplate.List("sgx.allowed_files"));
        var args = GramineTemplate.Arguments;
        foreach (var option in new[] { "--broker-ca", "--owner-key", "--model_config_file" })
        {
            var path = MantleCli.Value(args, option)!;
            Assert.True(trusted.Any(t => path.StartsWith(t["file:".Length..], StringComparison.Ordinal)), $"{option} {path} must be a trusted (measured) file");
        }
    }

    [Fact]
    public void Template_Enclave_IsProductionDcapAndSizedForOnnxRuntime()
    {
        Assert.Equal("false", GramineTemplate.Setting("sgx.debug"));
        Assert.Equal("dcap", GramineTemplate.Setting("sgx.remote_attestation"));
        var enclave = Bytes(GramineTemplate.Setting("sgx.enclave_size")!);
        var heap = Convert.ToInt64(GramineTemplate.Setting("loader.env.DOTNET_GCHeapHardLimit"), 16);
        Assert.True(enclave >= heap + (2L << 30), $"the enclave ({enclave} bytes) must leave 2 GiB beside the managed heap limit ({heap} bytes)");
        var threads = int.Parse(GramineTemplate.Setting("sgx.max_threads")!, CultureInfo.InvariantCulture);
        var intraOp = int.Parse(MantleCli.Value(GramineTemplate.Arguments, "--intra_op_threads")!, CultureInfo.InvariantCulture);
        Assert.True(threads >= 32 + intraOp, $"sgx.max_threads {threads} leaves too few threads for .NET beside {intraOp} ONNX Runtime threads");
    }

    private static long Bytes(string size) => size[^1] switch
    {
        'G' => long.Parse(size[..^1], CultureInfo.InvariantCulture) << 30,
        'M' => long.Parse(size[..^1], CultureInfo.InvariantCulture) << 20,
        _ => long.Parse(size, CultureInfo.InvariantCulture),
    };
}
