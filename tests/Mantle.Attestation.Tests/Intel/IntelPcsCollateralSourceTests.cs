using Mantle.Attestation.Intel;

namespace Mantle.Attestation.Tests.Intel;

public class IntelPcsCollateralSourceTests
{
    private static Dictionary<TeeType, IntelCollateral> Bundles() => new()
    {
        [TeeType.Sgx] = IntelSamples.SgxCollateralBundle,
        [TeeType.Tdx] = IntelSamples.TdxCollateralBundle,
    };

    [Fact]
    public async Task VerifyAsync_CollateralFromPccs_VerifiesAndCachesUntilNextUpdate()
    {
        await using var server = await FakePcsServer.StartAsync(Bundles());
        using var http = new HttpClient();
        var clock = FakeTime.At(IntelSamples.DcapQvlTime);
        var source = new IntelPcsCollateralSource(http, new IntelPcsOptions { BaseUrl = server.BaseUrl, TimeProvider = clock });
        var options = new IntelQuoteVerifierOptions { TimeProvider = clock, CollateralSource = source };

        var sgx = await new SgxQuoteVerifier(options).VerifyAsync(TestData.Bytes(IntelSamples.SgxQuote));
        var tdx = await new TdxQuoteVerifier(options).VerifyAsync(TestData.Bytes(IntelSamples.TdxQuote));
        await new SgxQuoteVerifier(options).VerifyAsync(TestData.Bytes(IntelSamples.SgxQuote));

        Assert.Equal(IntelTcbStatus.ConfigurationAndSWHardeningNeeded, sgx.TcbStatus);
        Assert.Equal(IntelTcbStatus.UpToDate, tdx.TcbStatus);
        Assert.Equal(2, source.FetchCount);
        Assert.Equal(1, server.Hits["/sgx/certification/v4/tcb"]);
        Assert.Equal(1, server.Hits["/tdx/certification/v4/qe/identity"]);
        Assert.Equal(2, server.Hits["/sgx/certification/v4/rootcacrl"]);

        // The PCK CRL's nextUpdate (2025-07-19) ends the cache; a fresh fetch happens after it.
        clock.SetUtcNow(IntelSamples.DcapQvlTime.AddDays(40));
        await source.GetCollateralAsync(new IntelCollateralRequest(TeeType.Sgx, "00A067110000", "processor"));
        Assert.Equal(3, source.FetchCount);
        Assert.Equal(2, server.Hits["/sgx/certification/v4/tcb"]);
    }

    [Fact]
    public async Task GetCollateralAsync_UnknownFmspc_RefusesWithStatus()
    {
        await using var server = await FakePcsServer.StartAsync(Bundles());
        using var http = new HttpClient();
        var source = new IntelPcsCollateralSource(http, new IntelPcsOptions { BaseUrl = server.BaseUrl });

        var error = await Assert.ThrowsAsync<AttestationException>(() =>
            source.GetCollateralAsync(new IntelCollateralRequest(TeeType.Sgx, "112233445566", "processor")).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetCollateralAsync_ServerDown_RefusesWithUrl()
    {
        string baseUrl;
        await using (var server = await FakePcsServer.StartAsync(Bundles()))
        {
            baseUrl = server.BaseUrl.ToString();
        }

        using var http = new HttpClient();
        var source = new IntelPcsCollateralSource(http, new IntelPcsOptions { BaseUrl = new Uri(baseUrl) });

        var error = await Assert.ThrowsAsync<AttestationException>(() =>
            source.GetCollateralAsync(new IntelCollateralRequest(TeeType.Tdx, "B0C06F000000", "platform")).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Contains("/tdx/certification/v4/tcb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RelativeBaseUrl_NamesOption()
    {
        using var http = new HttpClient();

        var error = Assert.Throws<ArgumentException>(() => new IntelPcsCollateralSource(http, new IntelPcsOptions { BaseUrl = new Uri("/pccs", UriKind.Relative) }));

        Assert.Contains("IntelPcsOptions.BaseUrl", error.Message, StringComparison.Ordinal);
    }
}
