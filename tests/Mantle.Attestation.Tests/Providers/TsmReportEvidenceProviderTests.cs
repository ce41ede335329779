using Mantle.Attestation.Providers;
using Mantle.Attestation.Snp;

namespace Mantle.Attestation.Tests.Providers;

public sealed class TsmReportEvidenceProviderTests : IDisposable
{
    private const string Entry = "test-entry";
    private readonly TempFolder _root = new();

    public void Dispose() => _root.Dispose();

    private string EntryFile(string name) => Path.Combine(_root.Path, Entry, name);

    private void PlaceEntry(string provider, byte[] outBlob, byte[]? auxBlob = null, long generation = 1)
    {
        Directory.CreateDirectory(Path.Combine(_root.Path, Entry));
        File.WriteAllText(EntryFile("provider"), provider + "\n");
        File.WriteAllText(EntryFile("generation"), generation + "\n");
        File.WriteAllBytes(EntryFile("outblob"), outBlob);
        if (auxBlob is not null)
        {
            File.WriteAllBytes(EntryFile("auxblob"), auxBlob);
        }
    }

    [Fact]
    public async Task GetEvidenceAsync_TdxGuest_WritesInblobAndReturnsOutblob()
    {
        var quote = TestData.Bytes("tdx/dcapqvl_tdx_quote.bin");
        PlaceEntry("tdx_guest", quote);
        var provider = new TsmReportEvidenceProvider(TeeType.Tdx, new TsmReportOptions { Root = _root.Path, EntryName = Entry });

        var evidence = await provider.GetEvidenceAsync(new byte[] { 1, 2 });

        Assert.Equal(quote, evidence);
        var inblob = File.ReadAllBytes(EntryFile("inblob"));
        Assert.Equal(64, inblob.Length);
        Assert.Equal(new byte[] { 1, 2 }, inblob[..2]);
        Assert.False(File.Exists(EntryFile("privlevel")));
    }

    [Fact]
    public async Task GetReportAsync_SnpGuest_ReturnsCertificateTableAndWritesPrivlevel()
    {
        var report = TestData.Bytes("snp/gosev_attestation_milan.bin");
        var table = new byte[] { 0xAA, 0xBB, 0xCC };
        PlaceEntry("sev_guest", report, table, generation: 7);
        var provider = new TsmReportEvidenceProvider(TeeType.Snp, new TsmReportOptions { Root = _root.Path, EntryName = Entry, PrivilegeLevel = 2 });

        var result = await provider.GetReportAsync(new byte[64]);

        Assert.Equal(report, result.OutBlob);
        Assert.Equal(table, result.AuxBlob);
        Assert.Equal("sev_guest", result.Provider);
        Assert.Equal(7, result.Generation);
        Assert.Equal("2", File.ReadAllText(EntryFile("privlevel")));
    }

    [Fact]
    public async Task GetEvidenceAsync_OtherTeesProvider_IsRefused()
    {
        PlaceEntry("sev_guest", [1, 2, 3]);
        var provider = new TsmReportEvidenceProvider(TeeType.Tdx, new TsmReportOptions { Root = _root.Path, EntryName = Entry });

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await provider.GetEvidenceAsync(new byte[64]));

        Assert.Equal(AttestationErrorCode.ProviderUnavailable, error.Code);
        Assert.Contains("'sev_guest', not 'tdx_guest'", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(EntryFile("inblob")));
    }

    [Fact]
    public async Task GetEvidenceAsync_NoConfigfsTsm_IsProviderUnavailable()
    {
        var provider = new TsmReportEvidenceProvider(TeeType.Snp, new TsmReportOptions { Root = Path.Combine(_root.Path, "absent") });

        var error = await Assert.ThrowsAsync<AttestationException>(async () => await provider.GetEvidenceAsync(new byte[64]));

        Assert.Equal(AttestationErrorCode.ProviderUnavailable, error.Code);
        Assert.Contains("configfs-tsm", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEvidenceAsync_UniqueEntry_IsCreatedAndRemoved()
    {
        var provider = new TsmReportEvidenceProvider(TeeType.Tdx, new TsmReportOptions { Root = _root.Path });

        // A plain folder has no kernel behind it: the entry has no provider file, which must fail cleanly and leave nothing behind.
        var error = await Assert.ThrowsAsync<AttestationException>(async () => await provider.GetEvidenceAsync(new byte[64]));

        Assert.Equal(AttestationErrorCode.ProviderUnavailable, error.Code);
        Assert.Empty(Directory.GetDirectories(_root.Path));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, true)]
    public async Task GetReportAsync_GenerationMovesDuringRead_RetriesOrRefuses(int maxAttempts, bool succeeds)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        PlaceEntry("tdx_guest", []);
        File.Delete(EntryFile("outblob"));
        var mkfifo = await ChildProcess.RunAsync("mkfifo", [EntryFile("outblob")]);
        Assert.True(mkfifo.ExitCode == 0, mkfifo.Stderr);

        var logs = new LogCapture();
        var logger = logs.CreateLogger<TsmReportEvidenceProvider>();
        var provider = new TsmReportEvidenceProvider(TeeType.Tdx, new TsmReportOptions { Root = _root.Path, EntryName = Entry, MaxAttempts = maxAttempts }, logger);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        // The test plays the kernel: the first read races with another writer (generation moves), the second does not.
        var kernel = Task.Run(
            async () =>
            {
                await using (var first = new FileStream(EntryFile("outblob"), FileMode.Open, FileAccess.Write))
                {
                    File.WriteAllText(EntryFile("generation"), "2\n");
                    File.Delete(EntryFile("inblob"));
                    await first.WriteAsync(new byte[] { 0xEE }, timeout.Token);
                }

                if (succeeds)
                {
                    // The retry writes inblob again before it opens outblob: only then is the first read over.
                    while (!File.Exists(EntryFile("inblob")))
                    {
                        await Task.Delay(10, timeout.Token);
                    }

                    await using var second = new FileStream(EntryFile("outblob"), FileMode.Open, FileAccess.Write);
                    await second.WriteAsync(new byte[] { 0x42, 0x43 }, timeout.Token);
                }
            },
            timeout.Token);

        if (succeeds)
        {
            var report = await provider.GetReportAsync(new byte[64], timeout.Token).WaitAsync(timeout.Token);
            Assert.Equal(new byte[] { 0x42, 0x43 }, report.OutBlob);
            Assert.Equal(2, report.Generation);
        }
        else
        {
            var error = await Assert.ThrowsAsync<AttestationException>(async () => await provider.GetReportAsync(new byte[64], timeout.Token).WaitAsync(timeout.Token));
            Assert.Contains("generation moved", error.Message, StringComparison.Ordinal);
        }

        await kernel.WaitAsync(timeout.Token);
        Assert.Contains(logs.Entries, e => e.EventId == 4101 && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("generation 1 -> 2", StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_SgxTee_Throws()
    {
        Assert.Throws<ArgumentException>(() => new TsmReportEvidenceProvider(TeeType.Sgx));
    }

    [Fact]
    public async Task GetEvidenceAsync_SnpGuestWithCertificateTable_ReturnsEnvelopeThatVerifiesWithoutCollateral()
    {
        var report = TestData.Bytes("snp/gosev_attestation_milan.bin");
        var table = SnpEvidence.CreateCertificateTable([new(SnpEvidence.VcekGuid, TestData.Bytes("snp/gosev_vcek_milan.der"))]);
        PlaceEntry("sev_guest", report, table);
        var provider = new TsmReportEvidenceProvider(TeeType.Snp, new TsmReportOptions { Root = _root.Path, EntryName = Entry });

        var evidence = await provider.GetEvidenceAsync(new byte[64]);
        var claims = await new SnpReportVerifier(new SnpVerifierOptions { TimeProvider = FakeTime.At("2025-01-01T00:00:00Z") }).VerifyAsync(evidence);

        Assert.True(evidence.AsSpan().StartsWith(SnpEvidence.EnvelopeMagic));
        Assert.Equal(TeeType.Snp, claims.Tee);
        Assert.Equal(report.AsSpan(0x50, 64).ToArray(), claims.ReportData.ToArray());
    }

    [Fact]
    public async Task GetEvidenceAsync_SnpGuestWithoutCertificateTable_ReturnsRawReport()
    {
        var report = TestData.Bytes("snp/gosev_attestation_milan.bin");
        PlaceEntry("sev_guest", report);
        var provider = new TsmReportEvidenceProvider(TeeType.Snp, new TsmReportOptions { Root = _root.Path, EntryName = Entry });

        Assert.Equal(report, await provider.GetEvidenceAsync(new byte[64]));
    }
}
