namespace Mantle.Attestation.Tests;

public class TeeTypeNamesTests
{
    [Theory]
    [InlineData("sim", TeeType.Sim)]
    [InlineData("SGX", TeeType.Sgx)]
    [InlineData("tdx", TeeType.Tdx)]
    [InlineData("sev-snp", TeeType.Snp)]
    public void Parse_KnownName_ReturnsTee(string name, TeeType expected)
    {
        Assert.Equal(expected, TeeTypeNames.Parse(name));
        Assert.Equal(expected, TeeTypeNames.Parse(expected.ToName()));
    }

    [Fact]
    public void Parse_UnknownName_ListsValidNames()
    {
        var error = Assert.Throws<ArgumentException>(() => TeeTypeNames.Parse("tpm"));
        Assert.Contains("sim, sgx, tdx, snp", error.Message, StringComparison.Ordinal);
    }
}
