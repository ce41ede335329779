using System.Collections.Concurrent;
using System.Net;
using Mantle.Attestation.Snp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mantle.Attestation.Tests.Snp;

/// <summary>The KDS fetcher against a real Kestrel on 127.0.0.1 that serves the test files like AMD KDS.</summary>
public sealed class SnpKdsTests
{
    [Fact]
    public async Task VerifyAsync_VcekFromKds_VerifiesAndCachesResponses()
    {
        await using var kds = await FakeKds.StartAsync();
        using var http = new HttpClient();
        var verifier = new SnpReportVerifier(new SnpVerifierOptions
        {
            TimeProvider = FakeTime.At(SnpSamples.InWindow),
            KdsBaseUrl = kds.BaseUrl,
            Product = "Milan",
        }, http);
        var report = SnpSamples.Report;

        var first = await verifier.VerifyAsync(report);
        var second = await verifier.VerifyAsync(report);

        Assert.Equal("UpToDate", first.TcbStatus);
        Assert.Equal(first.Measurement, second.Measurement);
        var chipId = Convert.ToHexStringLower(report.AsSpan(0x1A0, 64));
        Assert.Equal(
            [$"/vcek/v1/Milan/{chipId}?blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=68", "/vcek/v1/Milan/cert_chain"],
            kds.Requests.ToArray());
    }

    [Fact]
    public async Task VerifyAsync_CollateralVcekForOtherTcb_FetchesTheRightOneFromKds()
    {
        await using var kds = await FakeKds.StartAsync();
        using var http = new HttpClient();
        using var pki = new TestAmdPki();
        var (otherTcbVcek, key) = pki.IssueLeaf(SnpSamples.Report.AsSpan(0x1A0, 64), (2, 0, 4, 68, null));
        key.Dispose();
        var verifier = new SnpReportVerifier(new SnpVerifierOptions
        {
            TimeProvider = FakeTime.At(SnpSamples.InWindow),
            KdsBaseUrl = kds.BaseUrl,
            Product = "Milan",
            Collateral = otherTcbVcek,
        }, http);

        var claims = await verifier.VerifyAsync(SnpSamples.Report);

        Assert.Equal("UpToDate", claims.TcbStatus);
        Assert.Equal(2, kds.Requests.Count);
    }

    [Fact]
    public async Task VerifyAsync_KdsHasNoVcek_RefusesNamingTheUrl()
    {
        await using var kds = await FakeKds.StartAsync(vcekStatus: 404);
        using var http = new HttpClient();
        var verifier = new SnpReportVerifier(new SnpVerifierOptions
        {
            TimeProvider = FakeTime.At(SnpSamples.InWindow),
            KdsBaseUrl = kds.BaseUrl,
            Product = "Milan",
        }, http);

        var error = await Assert.ThrowsAsync<AttestationException>(() => verifier.VerifyAsync(SnpSamples.Report).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Contains("HTTP 404", error.Message, StringComparison.Ordinal);
        Assert.Contains(kds.BaseUrl.Authority, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_KdsTooSlow_RefusesAfterTimeout()
    {
        await using var kds = await FakeKds.StartAsync(delay: TimeSpan.FromSeconds(10));
        using var http = new HttpClient();
        var verifier = new SnpReportVerifier(new SnpVerifierOptions
        {
            TimeProvider = FakeTime.At(SnpSamples.InWindow),
            KdsBaseUrl = kds.BaseUrl,
            KdsTimeout = TimeSpan.FromSeconds(1),
            Product = "Milan",
        }, http);

        var error = await Assert.ThrowsAsync<AttestationException>(() => verifier.VerifyAsync(SnpSamples.Report).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Contains("no answer within 1 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_Version2ReportWithoutProduct_RefusesBeforeFetching()
    {
        await using var kds = await FakeKds.StartAsync();
        using var http = new HttpClient();
        var verifier = new SnpReportVerifier(new SnpVerifierOptions
        {
            TimeProvider = FakeTime.At(SnpSamples.InWindow),
            KdsBaseUrl = kds.BaseUrl,
        }, http);

        var error = await Assert.ThrowsAsync<AttestationException>(() => verifier.VerifyAsync(SnpSamples.Report).AsTask());

        Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        Assert.Contains("Attestation:Snp:Product", error.Message, StringComparison.Ordinal);
        Assert.Empty(kds.Requests);
    }

    private sealed class FakeKds : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private FakeKds(WebApplication app, Uri baseUrl)
        {
            _app = app;
            BaseUrl = baseUrl;
        }

        public Uri BaseUrl { get; }

        public ConcurrentQueue<string> Requests { get; } = new();

        public static async Task<FakeKds> StartAsync(int vcekStatus = 200, TimeSpan delay = default)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            FakeKds? self = null;
            app.MapGet("/vcek/v1/{product}/{hwid}", async (HttpContext context, string product, string hwid) =>
            {
                self!.Requests.Enqueue(context.Request.Path + context.Request.QueryString);
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, context.RequestAborted);
                }

                if (hwid == "cert_chain")
                {
                    return Results.File(TestData.Bytes($"roots/amd_{product.ToLowerInvariant()}_ask_ark.pem"), "application/x-pem-file");
                }

                return vcekStatus == 200
                    ? Results.File(SnpSamples.Vcek, "application/octet-stream")
                    : Results.StatusCode(vcekStatus);
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            self = new FakeKds(app, new Uri(address));
            return self;
        }

        public async ValueTask DisposeAsync()
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }
    }
}
