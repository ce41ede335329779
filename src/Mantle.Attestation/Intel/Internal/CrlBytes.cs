using System.Security.Cryptography;
using System.Text;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>CRLs come as DER, PEM (<c>X509 CRL</c>) or hex-encoded DER (PCCS): all are turned into DER.</summary>
internal static class CrlBytes
{
    public static byte[]? TryDecode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 0 && bytes[0] == 0x30)
        {
            return bytes.ToArray();
        }

        var text = Encoding.ASCII.GetString(bytes).Trim();
        try
        {
            if (PemEncoding.TryFind(text, out var fields))
            {
                return text.AsSpan()[fields.Label].SequenceEqual("X509 CRL") ? Convert.FromBase64String(text[fields.Base64Data]) : null;
            }

            return text.Length > 0 && text.Length % 2 == 0 ? Convert.FromHexString(text) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
