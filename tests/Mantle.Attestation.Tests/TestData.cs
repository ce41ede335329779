namespace Mantle.Attestation.Tests;

/// <summary>Locates the real attestation evidence in the <c>shared/testdata/attestation</c> folder beside the repository.</summary>
internal static class TestData
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The absolute path of a file under <c>shared/testdata/attestation</c>, for example <c>sgx/dcapqvl_sgx_quote_v3.bin</c>.</summary>
    public static string Path(string relative) => System.IO.Path.Combine(Root.Value, relative);

    /// <summary>The bytes of a file under <c>shared/testdata/attestation</c>.</summary>
    public static byte[] Bytes(string relative) => File.ReadAllBytes(Path(relative));

    private static string FindRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("MANTLE_TESTDATA");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return System.IO.Path.Combine(fromEnvironment, "attestation");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared", "testdata", "attestation");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            "shared/testdata/attestation was not found in any folder above the test binaries; " +
            "check out the repository beside shared/ or set MANTLE_TESTDATA to the testdata folder.");
    }
}
