using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mantle.Attestation.Snp.Internal;

/// <summary>
/// An AMD certificate revocation list (KDS <c>/vcek/v1/{product}/crl</c>, <c>/vlek/v1/{product}/crl</c>):
/// signed by the ARK with RSASSA-PSS SHA-384, listing revoked ASKs and ASVKs by serial number.
/// </summary>
internal sealed class AmdCrl
{
    private readonly byte[] _tbs;
    private readonly byte[] _signature;
    private readonly bool _signedWithPssSha384;

    private AmdCrl(byte[] tbs, byte[] signature, bool pss, byte[] issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, HashSet<BigInteger> revoked)
    {
        _tbs = tbs;
        _signature = signature;
        _signedWithPssSha384 = pss;
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        RevokedSerials = revoked;
    }

    public byte[] Issuer { get; }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset? NextUpdate { get; }

    public IReadOnlySet<BigInteger> RevokedSerials { get; }

    /// <summary>True when the DER is a CertificateList rather than a Certificate (whose TBS starts with the [0] version).</summary>
    public static bool LooksLikeCrl(byte[] der)
    {
        try
        {
            var tbs = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
            return !tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    public static AmdCrl Parse(byte[] der, string source)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var list = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var tbsBytes = list.ReadEncodedValue().ToArray();
            var algorithm = list.ReadEncodedValue();
            var signature = list.ReadBitString(out _);
            list.ThrowIfNotEmpty();

            var tbs = new AsnReader(tbsBytes, AsnEncodingRules.DER).ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                tbs.ReadInteger();
            }

            tbs.ReadEncodedValue();
            var issuer = tbs.ReadEncodedValue().ToArray();
            var thisUpdate = ReadTime(tbs);
            DateTimeOffset? nextUpdate = tbs.HasData && IsTime(tbs.PeekTag()) ? ReadTime(tbs) : null;
            var revoked = new HashSet<BigInteger>();
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    revoked.Add(entry.ReadInteger());
                }
            }

            return new AmdCrl(tbsBytes, signature, AmdCertificate.IsPssSha384(algorithm.Span), issuer, thisUpdate, nextUpdate, revoked);
        }
        catch (AsnContentException ex)
        {
            throw new AttestationException(AttestationErrorCode.InvalidCollateral,
                $"The CRL from {source} is not a readable X.509 CRL ({ex.Message}); supply the DER or PEM CRL as AMD KDS serves it.", ex);
        }
    }

    /// <summary>True when <paramref name="root"/> issued this CRL and its RSASSA-PSS SHA-384 signature verifies.</summary>
    public bool IsSignedBy(AmdCertificate root)
    {
        if (!_signedWithPssSha384 || !Issuer.AsSpan().SequenceEqual(root.Certificate.SubjectName.RawData))
        {
            return false;
        }

        using var key = root.Certificate.GetRSAPublicKey();
        return key is not null && key.VerifyData(_tbs, _signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
    }

    public bool IsValidAt(DateTimeOffset time) => time >= ThisUpdate && (NextUpdate is not { } next || time <= next);

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
