using System.Buffers.Binary;

namespace Mantle.Attestation.Snp.Internal;

/// <summary>
/// A parsed SEV-SNP ATTESTATION_REPORT (versions 2 to 5, 1184 bytes, all integers little-endian).
/// Offsets follow the SEV-SNP firmware ABI specification, table "ATTESTATION_REPORT Structure".
/// </summary>
internal sealed class SnpReport
{
    public const int Length = 0x4A0;
    public const int SignedLength = 0x2A0;
    public const int MinVersion = 2;
    public const int MaxVersion = 5;
    public const uint EcdsaP384Sha384 = 1;

    private const int SignatureOffset = 0x2A0;
    private const int ComponentLength = 72;
    private const int ComponentSignificant = 48;

    private readonly byte[] _bytes;

    private SnpReport(byte[] bytes) => _bytes = bytes;

    public ReadOnlySpan<byte> Bytes => _bytes;

    public ReadOnlySpan<byte> SignedBytes => _bytes.AsSpan(0, SignedLength);

    public uint Version => U32(0x000);

    public uint GuestSvn => U32(0x004);

    public ulong Policy => U64(0x008);

    public ReadOnlySpan<byte> FamilyId => Slice(0x010, 16);

    public ReadOnlySpan<byte> ImageId => Slice(0x020, 16);

    public uint Vmpl => U32(0x030);

    public uint SignatureAlgorithm => U32(0x034);

    public ReadOnlySpan<byte> CurrentTcbBytes => Slice(0x038, 8);

    public ulong PlatformInfo => U64(0x040);

    /// <summary>Bit 0 AUTHOR_KEY_EN, bit 1 MASK_CHIP_KEY, bits 4:2 SIGNING_KEY.</summary>
    public uint SignerInfo => U32(0x048);

    public bool AuthorKeyEnabled => (SignerInfo & 1) != 0;

    public bool ChipKeyMasked => (SignerInfo & 2) != 0;

    /// <summary>0 = VCEK, 1 = VLEK, 7 = none.</summary>
    public uint SigningKey => (SignerInfo >> 2) & 7;

    public ReadOnlySpan<byte> ReportData => Slice(0x050, 64);

    public ReadOnlySpan<byte> Measurement => Slice(0x090, 48);

    public ReadOnlySpan<byte> HostData => Slice(0x0C0, 32);

    public ReadOnlySpan<byte> IdKeyDigest => Slice(0x0E0, 48);

    public ReadOnlySpan<byte> AuthorKeyDigest => Slice(0x110, 48);

    public ReadOnlySpan<byte> ReportId => Slice(0x140, 32);

    public ReadOnlySpan<byte> ReportIdMa => Slice(0x160, 32);

    public ReadOnlySpan<byte> ReportedTcbBytes => Slice(0x180, 8);

    /// <summary>CPUID family, model and stepping (report version 3 and later; zero before).</summary>
    public (byte Family, byte Model, byte Stepping)? Cpuid =>
        Version >= 3 ? (_bytes[0x188], _bytes[0x189], _bytes[0x18A]) : null;

    public ReadOnlySpan<byte> ChipId => Slice(0x1A0, 64);

    public ReadOnlySpan<byte> CommittedTcbBytes => Slice(0x1E0, 8);

    public (byte Major, byte Minor, byte Build) CurrentVersion => (_bytes[0x1EA], _bytes[0x1E9], _bytes[0x1E8]);

    public (byte Major, byte Minor, byte Build) CommittedVersion => (_bytes[0x1EE], _bytes[0x1ED], _bytes[0x1EC]);

    public ReadOnlySpan<byte> LaunchTcbBytes => Slice(0x1F0, 8);

    /// <summary>LAUNCH_MIT_VECTOR and CURRENT_MIT_VECTOR (version 5 and later).</summary>
    public (ulong Launch, ulong Current)? MitigationVectors =>
        Version >= 5 ? (U64(0x1F8), U64(0x200)) : null;

    /// <summary>
    /// Parses and copies a report. The layout is fixed, so the checks are: exact length, a known
    /// version, the one defined signature algorithm, and a canonical signature encoding (r and s below
    /// 2^384, the reserved tail of the signature zero) so that no unsigned byte can be changed unnoticed.
    /// </summary>
    public static SnpReport Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw Malformed($"an SEV-SNP attestation report is {Length} bytes, but {bytes.Length} bytes were given");
        }

        var report = new SnpReport(bytes.ToArray());
        if (report.Version is < MinVersion or > MaxVersion)
        {
            throw Malformed($"report version {report.Version} is not supported (versions {MinVersion} to {MaxVersion} are)");
        }

        if (report.SignatureAlgorithm != EcdsaP384Sha384)
        {
            throw Malformed($"signature algorithm {report.SignatureAlgorithm} is not ECDSA P-384 with SHA-384 (1)");
        }

        var signature = bytes[SignatureOffset..];
        if (signature[ComponentSignificant..ComponentLength].ContainsAnyExcept((byte)0)
            || signature[(ComponentLength + ComponentSignificant)..].ContainsAnyExcept((byte)0))
        {
            throw Malformed("the signature area has non-zero bytes outside r and s (r and s are 384-bit values, the rest is reserved)");
        }

        return report;
    }

    /// <summary>Returns the signature as IEEE P1363 r ‖ s (big-endian, 48 bytes each).</summary>
    public byte[] SignatureP1363()
    {
        var result = new byte[2 * ComponentSignificant];
        var r = Slice(SignatureOffset, ComponentSignificant);
        var s = Slice(SignatureOffset + ComponentLength, ComponentSignificant);
        r.CopyTo(result);
        s.CopyTo(result.AsSpan(ComponentSignificant));
        result.AsSpan(0, ComponentSignificant).Reverse();
        result.AsSpan(ComponentSignificant).Reverse();
        return result;
    }

    private ReadOnlySpan<byte> Slice(int offset, int length) => _bytes.AsSpan(offset, length);

    private uint U32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(offset));

    private ulong U64(int offset) => BinaryPrimitives.ReadUInt64LittleEndian(_bytes.AsSpan(offset));

    private static AttestationException Malformed(string what) =>
        new(AttestationErrorCode.MalformedEvidence, $"SEV-SNP evidence is malformed: {what}.");
}
