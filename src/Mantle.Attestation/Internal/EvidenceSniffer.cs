using System.Buffers.Binary;

namespace Mantle.Attestation.Internal;

/// <summary>Guesses the kind of evidence from header fields, only to word errors when no configured verifier accepts the bytes.</summary>
internal static class EvidenceSniffer
{
    public static TeeType? Guess(ReadOnlySpan<byte> evidence)
    {
        if (evidence.StartsWith("MNTLSIM"u8))
        {
            return TeeType.Sim;
        }

        if (evidence.Length >= 48)
        {
            var version = BinaryPrimitives.ReadUInt16LittleEndian(evidence);
            var keyType = BinaryPrimitives.ReadUInt16LittleEndian(evidence[2..]);
            var teeType = BinaryPrimitives.ReadUInt32LittleEndian(evidence[4..]);
            if (version is >= 3 and <= 5 && keyType is 2 or 3)
            {
                if (teeType == 0)
                {
                    return TeeType.Sgx;
                }

                if (teeType == 0x81)
                {
                    return TeeType.Tdx;
                }
            }
        }

        if (evidence.Length >= 0x4A0)
        {
            var version = BinaryPrimitives.ReadUInt32LittleEndian(evidence);
            var signatureAlgorithm = BinaryPrimitives.ReadUInt32LittleEndian(evidence[0x34..]);
            if (version is >= 2 and <= 16 && signatureAlgorithm == 1)
            {
                return TeeType.Snp;
            }
        }

        return null;
    }
}
