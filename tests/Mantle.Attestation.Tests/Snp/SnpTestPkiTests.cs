using System.Buffers.Binary;
using Mantle.Attestation.Snp;

namespace Mantle.Attestation.Tests.Snp;

/// <summary>Reports re-signed by a stand-in AMD PKI (trusted through the roots override) to test policy bits, VLEK and bindings.</summary>
public sealed class SnpTestPkiTests(SnpTestPkiTests.Pkis pkis) : IClassFixture<SnpTestPkiTests.Pkis>
{
    private static readonly (byte, byte, byte, byte, byte?) SampleTcb = (2, 0, 5, 68, null);
    private readonly TestAmdPki _pki = pkis.Milan;

    [Theory]
    [InlineData(0x30000UL, false, false, true)]
    [InlineData(0x30000UL | (1UL << 19), true, false, true)]
    [InlineData(0x20000UL | (1UL << 18), false, true, false)]
    public async Task VerifyAsync_PolicyBits_BecomeClaims(ulong policy, bool debug, bool migrate, bool smt)
    {
        var report = SnpSamples.Report;
        BinaryPrimitives.WriteUInt64LittleEndian(report.AsSpan(0x08), policy);
        var (vcek, key) = _pki.IssueLeaf(report.AsSpan(0x1A0, 64), SampleTcb);
        using (key)
        {
            var claims = await Verifier(vcek).VerifyAsync(TestAmdPki.Sign(report, key));

            Assert.Equal(debug, claims.Debug);
            Assert.Equal(debug, claims.TeeClaims["snp.debug_allowed"]);
            Assert.Equal(migrate, claims.TeeClaims["snp.migrate_ma_allowed"]);
            Assert.Equal(smt, claims.TeeClaims["snp.smt_allowed"]);
            Assert.Equal((long)policy, claims.TeeClaims["snp.policy"]);
        }
    }

    [Fact]
    public async Task VerifyAsync_VlekSignedReport_VerifiesThroughAsvk()
    {
        var report = VlekReport();
        var (vlek, key) = _pki.IssueLeaf([], SampleTcb, vlek: true);
        using (key)
        {
            var claims = await Verifier(vlek).VerifyAsync(TestAmdPki.Sign(report, key));

            Assert.Equal("vlek", claims.TeeClaims["snp.signing_key"]);
            Assert.Equal("Milan", claims.TeeClaims["snp.product"]);
        }
    }

    [Fact]
    public async Task VerifyAsync_VlekInEnvelopeCertificateTable_Verifies()
    {
        var (vlek, key) = _pki.IssueLeaf([], SampleTcb, vlek: true);
        using (key)
        {
            var table = SnpEvidence.CreateCertificateTable([new(SnpEvidence.VlekGuid, vlek), new(SnpEvidence.AskGuid, _pki.Asvk.RawData)]);
            var evidence = SnpEvidence.CreateEnvelope(TestAmdPki.Sign(VlekReport(), key), table);
            var verifier = new SnpReportVerifier(new SnpVerifierOptions
            {
                TimeProvider = FakeTime.At(TestAmdPki.InWindow),
                RootsDirectory = _pki.RootsFolder,
            });

            var claims = await verifier.VerifyAsync(evidence);

            Assert.Equal("vlek", claims.TeeClaims["snp.signing_key"]);
        }
    }

    [Fact]
    public async Task VerifyAsync_Version5Report_ReportsMitigationVectors()
    {
        var report = SnpSamples.Report;
        report[0] = 5;
        report[0x188] = 0x19;
        report[0x189] = 0x01;
        BinaryPrimitives.WriteUInt64LittleEndian(report.AsSpan(0x1F8), 3);
        BinaryPrimitives.WriteUInt64LittleEndian(report.AsSpan(0x200), 7);
        var (vcek, key) = _pki.IssueLeaf(report.AsSpan(0x1A0, 64), SampleTcb);
        using (key)
        {
            var claims = await Verifier(vcek).VerifyAsync(TestAmdPki.Sign(report, key));

            Assert.Equal(5L, claims.TeeClaims["snp.version"]);
            Assert.Equal(3L, claims.TeeClaims["snp.launch_mit_vector"]);
            Assert.Equal(7L, claims.TeeClaims["snp.current_mit_vector"]);
            Assert.Equal("Milan", claims.TeeClaims["snp.product"]);
        }
    }

    [Fact]
    public async Task VerifyAsync_VlekIssuedByAsk_RefusesChain()
    {
        var (vlek, key) = _pki.IssueLeaf([], SampleTcb, vlek: true, issuedByAsvk: false);
        using (key)
        {
            var error = await Assert.ThrowsAsync<AttestationException>(() => Verifier(vlek).VerifyAsync(TestAmdPki.Sign(VlekReport(), key)).AsTask());

            Assert.Equal(AttestationErrorCode.InvalidCertificateChain, error.Code);
            Assert.Contains("certifies VCEKs only", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task VerifyAsync_VlekReportWithOnlyVcek_RefusesCollateral()
    {
        var report = VlekReport();
        var (vcek, key) = _pki.IssueLeaf(report.AsSpan(0x1A0, 64), SampleTcb);
        using (key)
        {
            var error = await Assert.ThrowsAsync<AttestationException>(() => Verifier(vcek).VerifyAsync(TestAmdPki.Sign(report, key)).AsTask());

            Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
            Assert.Contains("no VLEK certificate", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task VerifyAsync_VcekForOtherTcb_RefusesAndNamesTheField()
    {
        var report = SnpSamples.Report;
        var (vcek, key) = _pki.IssueLeaf(report.AsSpan(0x1A0, 64), (2, 0, 5, 69, null));
        using (key)
        {
            var error = await Assert.ThrowsAsync<AttestationException>(() => Verifier(vcek).VerifyAsync(TestAmdPki.Sign(report, key)).AsTask());

            Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
            Assert.Contains("ucodeSPL is 69 in the certificate but 68 in the report", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task VerifyAsync_VcekOfOtherChip_Refuses()
    {
        var report = SnpSamples.Report;
        var otherChip = new byte[64];
        otherChip.AsSpan().Fill(0x42);
        var (vcek, key) = _pki.IssueLeaf(otherChip, SampleTcb);
        using (key)
        {
            var error = await Assert.ThrowsAsync<AttestationException>(() => Verifier(vcek).VerifyAsync(TestAmdPki.Sign(report, key)).AsTask());

            Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
            Assert.Contains("another chip", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task VerifyAsync_RealReportWithTestVcekOfSameChip_RefusesSignature()
    {
        var report = SnpSamples.Report;
        var (vcek, key) = _pki.IssueLeaf(report.AsSpan(0x1A0, 64), SampleTcb);
        using (key)
        {
            var error = await Assert.ThrowsAsync<AttestationException>(() => Verifier(vcek).VerifyAsync(report).AsTask());

            Assert.Equal(AttestationErrorCode.InvalidSignature, error.Code);
        }
    }

    [Fact]
    public async Task VerifyAsync_TestVcekUnderBuiltInRoots_RefusesChain()
    {
        var report = SnpSamples.Report;
        var (vcek, key) = _pki.IssueLeaf(report.AsSpan(0x1A0, 64), SampleTcb);
        using (key)
        {
            var verifier = new SnpReportVerifier(new SnpVerifierOptions { TimeProvider = FakeTime.At(TestAmdPki.InWindow), Collateral = vcek });

            var error = await Assert.ThrowsAsync<AttestationException>(() => verifier.VerifyAsync(TestAmdPki.Sign(report, key)).AsTask());

            Assert.Equal(AttestationErrorCode.InvalidCertificateChain, error.Code);
        }
    }

    [Fact]
    public async Task VerifyAsync_ExpiredTestVcek_RefusesCollateral()
    {
        var report = SnpSamples.Report;
        var (vcek, key) = _pki.IssueLeaf(report.AsSpan(0x1A0, 64), SampleTcb, notAfter: TestAmdPki.InWindow.AddDays(-1));
        using (key)
        {
            var error = await Assert.ThrowsAsync<AttestationException>(() => Verifier(vcek).VerifyAsync(TestAmdPki.Sign(report, key)).AsTask());

            Assert.Equal(AttestationErrorCode.InvalidCollateral, error.Code);
        }
    }

    [Fact]
    public async Task VerifyAsync_MaskedChipKey_RefusesSignature()
    {
        var report = SnpSamples.Report;
        report[0x48] |= 0x02;
        var (vcek, key) = _pki.IssueLeaf(report.AsSpan(0x1A0, 64), SampleTcb);
        using (key)
        {
            var error = await Assert.ThrowsAsync<AttestationException>(() => Verifier(vcek).VerifyAsync(TestAmdPki.Sign(report, key)).AsTask());

            Assert.Equal(AttestationErrorCode.InvalidSignature, error.Code);
            Assert.Contains("MASK_CHIP_KEY", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task VerifyAsync_TurinV3Report_UsesTurinTcbLayoutAndShortHardwareId()
    {
        var turin = pkis.Turin;
        var report = TurinReport();
        var (vcek, key) = turin.IssueLeaf(report.AsSpan(0x1A0, 8), (2, 3, 4, 5, 1));
        using (key)
        {
            var verifier = new SnpReportVerifier(new SnpVerifierOptions
            {
                TimeProvider = FakeTime.At(TestAmdPki.InWindow),
                Collateral = vcek,
                RootsDirectory = turin.RootsFolder,
            });

            var claims = await verifier.VerifyAsync(TestAmdPki.Sign(report, key));

            Assert.Equal("Turin", claims.TeeClaims["snp.product"]);
            Assert.Equal(1L, claims.TeeClaims["snp.reported_tcb.fmc"]);
            Assert.Equal(2L, claims.TeeClaims["snp.reported_tcb.bootloader"]);
            Assert.Equal(5L, claims.TeeClaims["snp.reported_tcb.microcode"]);
            Assert.Equal(0x1AL, claims.TeeClaims["snp.cpuid_family"]);
        }
    }

    [Fact]
    public async Task VerifyAsync_ReportCpuidOfOtherProduct_RefusesChain()
    {
        var report = TurinReport();
        report[0x188] = 0x19;
        report[0x189] = 0x01;
        var turin = pkis.Turin;
        var (vcek, key) = turin.IssueLeaf(report.AsSpan(0x1A0, 8), (2, 3, 4, 5, 1));
        using (key)
        {
            var verifier = new SnpReportVerifier(new SnpVerifierOptions
            {
                TimeProvider = FakeTime.At(TestAmdPki.InWindow),
                Collateral = vcek,
                RootsDirectory = turin.RootsFolder,
            });

            var error = await Assert.ThrowsAsync<AttestationException>(() => verifier.VerifyAsync(TestAmdPki.Sign(report, key)).AsTask());

            Assert.Equal(AttestationErrorCode.InvalidCertificateChain, error.Code);
        }
    }

    private static byte[] VlekReport()
    {
        var report = SnpSamples.Report;
        report[0x48] = (byte)((report[0x48] & ~0x1C) | (1 << 2));
        return report;
    }

    private static byte[] TurinReport()
    {
        var report = SnpSamples.Report;
        report[0] = 3;
        report[0x188] = 0x1A;
        report[0x189] = 0x02;
        byte[] tcb = [1, 2, 3, 4, 0, 0, 0, 5];
        tcb.CopyTo(report, 0x180);
        return report;
    }

    private SnpReportVerifier Verifier(byte[] leaf) => new(new SnpVerifierOptions
    {
        TimeProvider = FakeTime.At(TestAmdPki.InWindow),
        Collateral = leaf,
        RootsDirectory = _pki.RootsFolder,
    });

    /// <summary>RSA key generation is slow: one Milan and one Turin PKI for the whole class.</summary>
    public sealed class Pkis : IDisposable
    {
        public TestAmdPki Milan { get; } = new("Milan");

        public TestAmdPki Turin { get; } = new("Turin");

        public void Dispose()
        {
            Milan.Dispose();
            Turin.Dispose();
        }
    }
}
