using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mantle.Attestation.Tests.Snp;

/// <summary>
/// A stand-in AMD PKI for tests: an RSA ARK and ASK/ASVK signed with RSASSA-PSS SHA-384 like AMD's,
/// and P-384 VCEKs/VLEKs with AMD's TCB extensions, so tests can sign mutated reports.
/// </summary>
public sealed class TestAmdPki : IDisposable
{
    public static readonly DateTimeOffset NotBefore = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset NotAfter = new(2034, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset InWindow = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly RSA _arkKey = RSA.Create(2048);
    private readonly RSA _askKey = RSA.Create(2048);
    private readonly RSA _asvkKey = RSA.Create(2048);

    public TestAmdPki(string product = "Milan")
    {
        Product = product;
        Ark = CreateCa($"CN=ARK-{product}, O=Mantle Test", _arkKey, null, null);
        Ask = CreateCa($"CN=SEV-{product}, O=Mantle Test", _askKey, Ark, _arkKey);
        Asvk = CreateCa($"CN=SEV-VLEK-{product}, O=Mantle Test", _asvkKey, Ark, _arkKey);
        RootsFolder = Directory.CreateTempSubdirectory("mantle-snp-roots-").FullName;
        File.WriteAllText(Path.Combine(RootsFolder, "ark_ask_asvk.pem"), Pem(Ask) + Pem(Asvk) + Pem(Ark));
    }

    public string Product { get; }

    public X509Certificate2 Ark { get; }

    public X509Certificate2 Ask { get; }

    public X509Certificate2 Asvk { get; }

    /// <summary>A folder holding this PKI's ARK, ASK and ASVK, for <c>RootsDirectory</c>.</summary>
    public string RootsFolder { get; }

    public static string Pem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    /// <summary>Issues a VCEK (or VLEK) for a chip id and TCB; returns the DER and the private key.</summary>
    public (byte[] Der, ECDsa Key) IssueLeaf(ReadOnlySpan<byte> hardwareId, (byte Bl, byte Tee, byte Snp, byte Ucode, byte? Fmc) tcb,
        bool vlek = false, string? productName = null, DateTimeOffset? notAfter = null, bool? issuedByAsvk = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest(vlek ? "CN=SEV-VLEK, O=Mantle Test" : "CN=SEV-VCEK, O=Mantle Test", key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(Extension("1.3.6.1.4.1.3704.1.2", IA5(productName ?? $"{Product}-B0")));
        request.CertificateExtensions.Add(Extension("1.3.6.1.4.1.3704.1.3.1", Integer(tcb.Bl)));
        request.CertificateExtensions.Add(Extension("1.3.6.1.4.1.3704.1.3.2", Integer(tcb.Tee)));
        request.CertificateExtensions.Add(Extension("1.3.6.1.4.1.3704.1.3.3", Integer(tcb.Snp)));
        request.CertificateExtensions.Add(Extension("1.3.6.1.4.1.3704.1.3.8", Integer(tcb.Ucode)));
        if (tcb.Fmc is { } fmc)
        {
            request.CertificateExtensions.Add(Extension("1.3.6.1.4.1.3704.1.3.9", Integer(fmc)));
        }

        if (!vlek)
        {
            request.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.3704.1.4", hardwareId.ToArray(), false));
        }

        var (issuer, issuerKey) = issuedByAsvk ?? vlek ? (Asvk, _asvkKey) : (Ask, _askKey);
        using var certificate = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForRSA(issuerKey, RSASignaturePadding.Pss),
            NotBefore, notAfter ?? NotAfter, RandomNumberGenerator.GetBytes(8));
        return (certificate.RawData, key);
    }

    /// <summary>A CRL signed by the ARK (RSASSA-PSS SHA-384), optionally revoking the ASK.</summary>
    public byte[] CreateCrl(bool revokeAsk, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate)
    {
        var builder = new CertificateRevocationListBuilder();
        // A random first byte of zero can make a redundant leading byte, which the builder refuses: keep it in 0x01–0x7F
        // (a positive serial in its shortest form).
        var serial = RandomNumberGenerator.GetBytes(8);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        builder.AddEntry(serial, thisUpdate);
        if (revokeAsk)
        {
            builder.AddEntry(Ask, thisUpdate);
        }

        return builder.Build(Ark, System.Numerics.BigInteger.One, nextUpdate, HashAlgorithmName.SHA384, RSASignaturePadding.Pss, thisUpdate);
    }

    /// <summary>Signs bytes 0x000–0x29F of a report copy and stores r and s little-endian, as the firmware does.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> report, ECDsa key)
    {
        var result = report.ToArray();
        var signature = key.SignData(result.AsSpan(0, 0x2A0), HashAlgorithmName.SHA384);
        result.AsSpan(0x2A0).Clear();
        var r = signature.AsSpan(0, 48).ToArray();
        var s = signature.AsSpan(48, 48).ToArray();
        Array.Reverse(r);
        Array.Reverse(s);
        r.CopyTo(result, 0x2A0);
        s.CopyTo(result, 0x2E8);
        return result;
    }

    public void Dispose()
    {
        _arkKey.Dispose();
        _askKey.Dispose();
        _asvkKey.Dispose();
        Ark.Dispose();
        Ask.Dispose();
        Asvk.Dispose();
        Directory.Delete(RootsFolder, recursive: true);
    }

    private static X509Certificate2 CreateCa(string subject, RSA key, X509Certificate2? issuer, RSA? issuerKey)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null)
        {
            return request.CreateSelfSigned(NotBefore.AddYears(-1), NotAfter.AddYears(1));
        }

        return request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForRSA(issuerKey!, RSASignaturePadding.Pss),
            NotBefore.AddYears(-1), NotAfter.AddYears(1), RandomNumberGenerator.GetBytes(8));
    }

    private static X509Extension Extension(string oid, byte[] value) => new(oid, value, false);

    private static byte[] Integer(byte value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteInteger(value);
        return writer.Encode();
    }

    private static byte[] IA5(string value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.IA5String, value);
        return writer.Encode();
    }
}
