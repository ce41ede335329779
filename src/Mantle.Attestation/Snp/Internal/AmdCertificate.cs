using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mantle.Attestation.Snp.Internal;

/// <summary>
/// One certificate of an AMD SEV-SNP chain, with the parts the chain check needs: the exact
/// to-be-signed bytes and the RSASSA-PSS signature (verified here rather than through X509Chain, whose
/// PSS parameter handling differs between platforms), and the AMD extensions of a VCEK or VLEK.
/// </summary>
internal sealed class AmdCertificate
{
    private const string RsaPssOid = "1.2.840.113549.1.1.10";
    private const string Mgf1Oid = "1.2.840.113549.1.1.8";
    private const string Sha384Oid = "2.16.840.1.101.3.4.2.2";
    private const string ProductNameOid = "1.3.6.1.4.1.3704.1.2";
    private const string BootloaderOid = "1.3.6.1.4.1.3704.1.3.1";
    private const string TeeOid = "1.3.6.1.4.1.3704.1.3.2";
    private const string SnpOid = "1.3.6.1.4.1.3704.1.3.3";
    private const string MicrocodeOid = "1.3.6.1.4.1.3704.1.3.8";
    private const string FmcOid = "1.3.6.1.4.1.3704.1.3.9";
    private const string HardwareIdOid = "1.3.6.1.4.1.3704.1.4";

    private readonly byte[] _tbs;
    private readonly byte[] _signature;
    private readonly bool _signedWithPssSha384;

    private AmdCertificate(byte[] der, X509Certificate2 certificate, byte[] tbs, byte[] signature, bool pss)
    {
        Der = der;
        Certificate = certificate;
        _tbs = tbs;
        _signature = signature;
        _signedWithPssSha384 = pss;
        Thumbprint = Convert.ToHexStringLower(SHA256.HashData(der));
        CommonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        IsSelfIssued = certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);
        IsEcKey = certificate.GetKeyAlgorithm() == "1.2.840.10045.2.1";
        foreach (var extension in certificate.Extensions)
        {
            ReadExtension(extension);
        }

        var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        IsCa = constraints is { CertificateAuthority: true }
            && (usage is null || usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
    }

    public byte[] Der { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>SHA-256 of the DER, lower-case hex.</summary>
    public string Thumbprint { get; }

    public string CommonName { get; }

    public bool IsSelfIssued { get; }

    /// <summary>True when basic constraints say CA and key usage (if present) allows certificate signing.</summary>
    public bool IsCa { get; }

    /// <summary>True for an EC key (a VCEK or VLEK); the AMD CA keys are RSA.</summary>
    public bool IsEcKey { get; }

    /// <summary>True for an EC certificate with AMD's TCB extensions: a VCEK or VLEK (not, say, an Intel PCK certificate).</summary>
    public bool IsAmdLeaf => IsEcKey && Bootloader is not null;

    public bool IsVlek => CommonName.Contains("VLEK", StringComparison.OrdinalIgnoreCase);

    public string? ProductName { get; private set; }

    public byte? Bootloader { get; private set; }

    public byte? Tee { get; private set; }

    public byte? Snp { get; private set; }

    public byte? Microcode { get; private set; }

    public byte? Fmc { get; private set; }

    public byte[]? HardwareId { get; private set; }

    public DateTimeOffset NotBefore => Certificate.NotBefore.ToUniversalTime();

    public DateTimeOffset NotAfter => Certificate.NotAfter.ToUniversalTime();

    public static AmdCertificate Parse(byte[] der, string what)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var sequence = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var tbs = sequence.ReadEncodedValue().ToArray();
            var algorithm = sequence.ReadEncodedValue();
            var signature = sequence.ReadBitString(out var unusedBits);
            sequence.ThrowIfNotEmpty();
            if (unusedBits != 0)
            {
                throw new AsnContentException("signature bit string has unused bits");
            }

            var certificate = X509CertificateLoader.LoadCertificate(der);
            return new AmdCertificate(der, certificate, tbs, signature, IsPssSha384(algorithm.Span));
        }
        catch (Exception ex) when (ex is AsnContentException or CryptographicException or ArgumentException or OverflowException)
        {
            throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                $"The {what} is not a readable X.509 certificate ({ex.Message}); supply the DER or PEM certificate as AMD issues it.", ex);
        }
    }

    /// <summary>True when <paramref name="issuer"/>'s RSA key made this certificate's RSASSA-PSS SHA-384 signature.</summary>
    public bool IsSignedBy(AmdCertificate issuer)
    {
        if (!_signedWithPssSha384 || !Certificate.IssuerName.RawData.AsSpan().SequenceEqual(issuer.Certificate.SubjectName.RawData))
        {
            return false;
        }

        using var key = issuer.Certificate.GetRSAPublicKey();
        return key is not null && key.VerifyData(_tbs, _signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
    }

    public bool IsValidAt(DateTimeOffset time) => time >= NotBefore && time <= NotAfter;

    internal static bool IsPssSha384(ReadOnlySpan<byte> algorithmIdentifier)
    {
        var reader = new AsnReader(algorithmIdentifier.ToArray(), AsnEncodingRules.DER).ReadSequence();
        if (reader.ReadObjectIdentifier() != RsaPssOid || !reader.HasData)
        {
            return false;
        }

        var parameters = reader.ReadSequence();
        string? hash = null, mgfHash = null;
        BigInteger salt = 20, trailer = 1;
        if (parameters.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            hash = parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence().ReadObjectIdentifier();
        }

        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
        {
            var mgf = parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1)).ReadSequence();
            mgfHash = mgf.ReadObjectIdentifier() == Mgf1Oid ? mgf.ReadSequence().ReadObjectIdentifier() : null;
        }

        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 2)))
        {
            salt = parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 2)).ReadInteger();
        }

        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 3)))
        {
            trailer = parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 3)).ReadInteger();
        }

        // .NET's PSS uses MGF1 with the message hash and a salt as long as the hash: exactly AMD's parameters.
        return hash == Sha384Oid && mgfHash == Sha384Oid && salt == 48 && trailer == 1;
    }

    private void ReadExtension(X509Extension extension)
    {
        var value = extension.RawData;
        switch (extension.Oid?.Value)
        {
            case ProductNameOid:
                var tag = new AsnReader(value, AsnEncodingRules.DER).PeekTag();
                ProductName = new AsnReader(value, AsnEncodingRules.DER).ReadCharacterString(
                    tag.TagValue == (int)UniversalTagNumber.UTF8String ? UniversalTagNumber.UTF8String : UniversalTagNumber.IA5String);
                break;
            case BootloaderOid:
                Bootloader = ReadSpl(value);
                break;
            case TeeOid:
                Tee = ReadSpl(value);
                break;
            case SnpOid:
                Snp = ReadSpl(value);
                break;
            case MicrocodeOid:
                Microcode = ReadSpl(value);
                break;
            case FmcOid:
                Fmc = ReadSpl(value);
                break;
            case HardwareIdOid:
                HardwareId = value;
                break;
            default:
                break;
        }
    }

    private static byte ReadSpl(byte[] value)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        var number = reader.ReadInteger();
        reader.ThrowIfNotEmpty();
        return number >= 0 && number <= 255 ? (byte)number : throw new AsnContentException("a security patch level is not 0..255");
    }
}
