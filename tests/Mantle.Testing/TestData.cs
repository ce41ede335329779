namespace Mantle.Testing;

/// <summary>
/// The real attestation evidence of <c>tests/testdata/attestation</c>, which the build copies into the output folder
/// (<c>testdata/attestation</c> beside the test assembly): nothing outside the repository is read.
/// </summary>
public static class TestData
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The absolute path of a file under <c>testdata/attestation</c>, for example <c>sgx/dcapqvl_sgx_quote_v3.bin</c>.</summary>
    public static string Path(string relative) => System.IO.Path.Combine(Root.Value, relative);

    /// <summary>The bytes of a file under <c>testdata/attestation</c>.</summary>
    public static byte[] Bytes(string relative) => File.ReadAllBytes(Path(relative));

    private static string FindRoot()
    {
        var root = System.IO.Path.Combine(AppContext.BaseDirectory, "testdata", "attestation");
        return Directory.Exists(root)
            ? root
            : throw new DirectoryNotFoundException(
                $"{root} does not exist: the build copies tests/testdata/attestation there (Directory.Build.props); rebuild the test project.");
    }
}
