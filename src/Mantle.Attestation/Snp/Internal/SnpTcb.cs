using System.Buffers.Binary;

namespace Mantle.Attestation.Snp.Internal;

/// <summary>
/// A TCB_VERSION value. Milan and Genoa: bootloader (byte 0), TEE (1), SNP (6), microcode (7).
/// Turin: FMC (byte 0), bootloader (1), TEE (2), SNP (3), microcode (7).
/// </summary>
internal readonly record struct SnpTcb(ulong Raw, byte? Fmc, byte Bootloader, byte Tee, byte Snp, byte Microcode)
{
    public static SnpTcb FromBytes(ReadOnlySpan<byte> bytes, bool turinLayout)
    {
        var raw = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return turinLayout
            ? new SnpTcb(raw, bytes[0], bytes[1], bytes[2], bytes[3], bytes[7])
            : new SnpTcb(raw, null, bytes[0], bytes[1], bytes[6], bytes[7]);
    }

    public override string ToString() =>
        Fmc is { } fmc
            ? $"fmc={fmc} bl={Bootloader} tee={Tee} snp={Snp} ucode={Microcode}"
            : $"bl={Bootloader} tee={Tee} snp={Snp} ucode={Microcode}";
}
