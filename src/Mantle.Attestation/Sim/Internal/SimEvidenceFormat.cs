using System.Buffers.Binary;

namespace Mantle.Attestation.Sim.Internal;

/// <summary>
/// The binary layout of <c>sim</c> evidence (all integers little-endian, 264 bytes in total):
/// <code>
/// 0x00   8  magic "MNTLSIM1"
/// 0x08   2  version (1)
/// 0x0A   2  flags: bit 0 = debug; other bits zero
/// 0x0C   4  reserved, zero
/// 0x10   8  timestamp, Unix seconds (signed)
/// 0x18  48  measurement (SHA-384)
/// 0x48  64  report data
/// 0x88  32  platform key id: SHA-256 of the platform public key's SubjectPublicKeyInfo DER
/// 0xA8  96  signature: ECDSA P-384 with SHA-384 over bytes 0x00..0xA7, r ‖ s big-endian (48 bytes each)
/// </code>
/// </summary>
internal static class SimEvidenceFormat
{
    public const int Version = 1;
    public const int SignedLength = 0xA8;
    public const int SignatureLength = 96;
    public const int TotalLength = SignedLength + SignatureLength;
    public const int MeasurementLength = 48;
    public const int ReportDataLength = 64;
    public const ushort DebugFlag = 1;

    private const int VersionOffset = 0x08;
    private const int FlagsOffset = 0x0A;
    private const int ReservedOffset = 0x0C;
    private const int TimestampOffset = 0x10;
    private const int MeasurementOffset = 0x18;
    private const int ReportDataOffset = 0x48;
    private const int KeyIdOffset = 0x88;
    private const int KeyIdLength = 32;

    public static ReadOnlySpan<byte> Magic => "MNTLSIM1"u8;

    public static bool HasMagic(ReadOnlySpan<byte> evidence) => evidence.StartsWith(Magic);

    public static byte[] Write(
        ReadOnlySpan<byte> measurement,
        ReadOnlySpan<byte> reportData,
        bool debug,
        long timestamp,
        SimulatedTee platform)
    {
        var evidence = new byte[TotalLength];
        Magic.CopyTo(evidence);
        BinaryPrimitives.WriteUInt16LittleEndian(evidence.AsSpan(VersionOffset), Version);
        BinaryPrimitives.WriteUInt16LittleEndian(evidence.AsSpan(FlagsOffset), debug ? DebugFlag : (ushort)0);
        BinaryPrimitives.WriteInt64LittleEndian(evidence.AsSpan(TimestampOffset), timestamp);
        measurement.CopyTo(evidence.AsSpan(MeasurementOffset, MeasurementLength));
        reportData.CopyTo(evidence.AsSpan(ReportDataOffset, ReportDataLength));
        platform.PlatformKeyIdBytes.CopyTo(evidence.AsSpan(KeyIdOffset, KeyIdLength));
        platform.Sign(evidence.AsSpan(0, SignedLength)).CopyTo(evidence.AsSpan(SignedLength));
        return evidence;
    }

    /// <summary>Checks the layout (not the signature) and returns the fields.</summary>
    public static SimEvidenceFields Read(ReadOnlySpan<byte> evidence)
    {
        if (!HasMagic(evidence))
        {
            throw Malformed("it does not start with the magic \"MNTLSIM1\"");
        }

        if (evidence.Length != TotalLength)
        {
            throw Malformed($"it is {evidence.Length} bytes long; version 1 evidence is exactly {TotalLength} bytes");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(evidence[VersionOffset..]);
        if (version != Version)
        {
            throw new AttestationException(
                AttestationErrorCode.Unsupported,
                $"Sim evidence version {version} is not supported (this verifier reads version {Version}); use the same Mantle version to create and verify evidence.");
        }

        var flags = BinaryPrimitives.ReadUInt16LittleEndian(evidence[FlagsOffset..]);
        if ((flags & ~DebugFlag) != 0)
        {
            throw Malformed($"flags 0x{flags:x4} has reserved bits set");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(evidence[ReservedOffset..]) != 0)
        {
            throw Malformed("the reserved field at offset 0x0C is not zero");
        }

        return new SimEvidenceFields(
            Debug: (flags & DebugFlag) != 0,
            Timestamp: BinaryPrimitives.ReadInt64LittleEndian(evidence[TimestampOffset..]),
            Measurement: evidence.Slice(MeasurementOffset, MeasurementLength).ToArray(),
            ReportData: evidence.Slice(ReportDataOffset, ReportDataLength).ToArray(),
            PlatformKeyId: evidence.Slice(KeyIdOffset, KeyIdLength).ToArray());
    }

    private static AttestationException Malformed(string why) =>
        new(AttestationErrorCode.MalformedEvidence, $"The bytes are not valid sim evidence: {why}.");
}

internal sealed record SimEvidenceFields(bool Debug, long Timestamp, byte[] Measurement, byte[] ReportData, byte[] PlatformKeyId);
