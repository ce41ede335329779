namespace Mantle.Benchmarks.Attestation;

/// <summary>The real attestation evidence that the build copies from <c>tests/testdata/attestation</c> beside the benchmarks.</summary>
internal static class AttestationTestData
{
    public static string Root()
    {
        var root = Path.Combine(AppContext.BaseDirectory, "testdata", "attestation");
        return Directory.Exists(root)
            ? root
            : throw new DirectoryNotFoundException($"{root} does not exist: the build copies tests/testdata/attestation there; rebuild the benchmarks.");
    }
}
