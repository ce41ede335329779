using Mantle.Attestation.Snp;

namespace Mantle.Attestation.Tests.Snp;

/// <summary>The real Milan sample and verifiers set up for it.</summary>
internal static class SnpSamples
{
    public const string ReportPath = "snp/gosev_attestation_milan.bin";
    public const string VcekPath = "snp/gosev_vcek_milan.der";

    /// <summary>A time inside the sample VCEK's validity (2022-09-24 .. 2029-09-24).</summary>
    public static readonly DateTimeOffset InWindow = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    public static byte[] Report => TestData.Bytes(ReportPath);

    public static byte[] Vcek => TestData.Bytes(VcekPath);

    public static SnpReportVerifier Verifier(DateTimeOffset? at = null, byte[]? collateral = null, string? roots = null) =>
        new(new SnpVerifierOptions
        {
            TimeProvider = FakeTime.At(at ?? InWindow),
            Collateral = collateral ?? Vcek,
            RootsDirectory = roots,
        });
}
