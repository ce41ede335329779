using Mantle.Attestation.Providers;

namespace Mantle.Attestation.Tests.Providers;

public sealed class GramineSgxEvidenceProviderTests : IDisposable
{
    private readonly TempFolder _device = new();

    public void Dispose() => _device.Dispose();

    private GramineSgxEvidenceProvider Provider() => new(new GramineSgxOptions { Root = _device.Path });

    [Fact]
    public async Task GetEvidenceAsync_GramineDevice_WritesPaddedReportDataAndReturnsQuote()
    {
        var quote = TestData.Bytes("sgx/dcapqvl_sgx_quote_v3.bin");
        File.WriteAllText(_device.Combine("attestation_type"), "dcap");
        File.WriteAllBytes(_device.Combine("user_report_data"), new byte[64]);
        File.WriteAllBytes(_device.Combine("quote"), quote);
        using var provider = Provider();

        var evidence = await provider.GetEvidenceAsync(new byte[] { 9, 8, 7 });

        Assert.Equal(quote, evidence);
        var written = File.ReadAllBytes(_device.Combine("user_report_data"));
        Assert.Equal(64, written.Length);
        Assert.Equal(new byte[] { 9, 8, 7 }, written[..3]);
        Assert.All(written[3..], b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task GetEvidenceAsync_NoGramineDevice_IsProviderUnavailable()
    {
        using var provider = Provider();

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await provider.GetEvidenceAsync(new byte[64]));

        Assert.Equal(AttestationErrorCode.ProviderUnavailable, error.Code);
        Assert.Contains("Gramine", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEvidenceAsync_AttestationDisabled_SaysHowToEnable()
    {
        File.WriteAllText(_device.Combine("attestation_type"), "none\n");
        File.WriteAllBytes(_device.Combine("user_report_data"), new byte[64]);
        using var provider = Provider();

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await provider.GetEvidenceAsync(new byte[64]));

        Assert.Contains("sgx.remote_attestation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEvidenceAsync_EmptyQuote_IsRefused()
    {
        File.WriteAllBytes(_device.Combine("user_report_data"), new byte[64]);
        File.WriteAllBytes(_device.Combine("quote"), []);
        using var provider = Provider();

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await provider.GetEvidenceAsync(new byte[64]));

        Assert.Equal(AttestationErrorCode.ProviderUnavailable, error.Code);
    }

    [Fact]
    public async Task GetEvidenceAsync_ReportDataTooLong_Throws()
    {
        using var provider = Provider();

        await Assert.ThrowsAsync<ArgumentException>(async () => await provider.GetEvidenceAsync(new byte[65]));
    }
}
