using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Mantle.Attestation.Intel;
using Mantle.Attestation.Intel.Internal;

namespace Mantle.Attestation.Tests.Intel;

/// <summary>
/// A stand-in for Intel's PKI: a test root, PCK CA, PCK certificate (with the SGX extensions of a real one)
/// and TCB signing certificate. It re-signs real quotes and collateral so that refusals (revocation,
/// mismatched FMSPC, …) can be shown on otherwise valid evidence, with the test root as trusted root.
/// </summary>
internal sealed class TestIntelPki : IDisposable
{
    private static readonly DateTimeOffset NotBefore = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NotAfter = new(2040, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _pckKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _tcbKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestIntelPki(X509Certificate2 realPck, string pckCaName = "Test SGX PCK Processor CA")
    {
        Root = CreateCa("CN=Test SGX Root CA", _rootKey, null, null);
        PckCa = CreateCa($"CN={pckCaName}", _caKey, Root, _rootKey);
        TcbSigner = CreateLeaf("CN=Test SGX TCB Signing", _tcbKey, Root, _rootKey, []);
        Pck = CreateLeaf("CN=Test SGX PCK Certificate", _pckKey, PckCa, _caKey, [realPck.Extensions[PckExtensions.SgxExtensionsOid]!]);
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 PckCa { get; }

    public X509Certificate2 Pck { get; }

    public X509Certificate2 TcbSigner { get; }

    public IReadOnlyList<X509Certificate2> Roots => [Root];

    /// <summary>The PCK certificate inside a real quote.</summary>
    public static X509Certificate2 RealPck(byte[] quote)
    {
        var parsed = DcapQuoteParser.Parse(quote);
        return Pem.TryReadCertificates(parsed.CertificationData.Span)![0];
    }

    /// <summary>Re-signs a real quote: new attestation key, QE report bound to it and signed by the test PCK key, test PCK chain.</summary>
    public byte[] ResignQuote(byte[] real, Func<byte[], byte[]>? editSignedRegion = null)
    {
        var quote = DcapQuoteParser.Parse(real);
        using var attestationKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var point = attestationKey.ExportParameters(false).Q;
        byte[] publicKey = [.. point.X!, .. point.Y!];

        var signed = quote.SignedRegion.ToArray();
        if (editSignedRegion is not null)
        {
            signed = editSignedRegion(signed);
        }

        var qeReport = quote.QeReport.ToArray();
        var auth = quote.QeAuthData.ToArray();
        var binding = SHA256.HashData([.. publicKey, .. auth]);
        binding.CopyTo(qeReport.AsSpan(ReportLayout.SgxReportData));
        qeReport.AsSpan(ReportLayout.SgxReportData + 32, 32).Clear();
        var qeSignature = _pckKey.SignData(qeReport, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var quoteSignature = attestationKey.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var pem = Encoding.ASCII.GetBytes(Pck.ExportCertificatePem() + "\n" + PckCa.ExportCertificatePem() + "\n" + Root.ExportCertificatePem() + "\n");

        var qeSection = new List<byte>();
        qeSection.AddRange(qeReport);
        qeSection.AddRange(qeSignature);
        qeSection.AddRange(U16((ushort)auth.Length));
        qeSection.AddRange(auth);
        qeSection.AddRange(U16(5));
        qeSection.AddRange(U32((uint)pem.Length));
        qeSection.AddRange(pem);

        var signature = new List<byte>();
        signature.AddRange(quoteSignature);
        signature.AddRange(publicKey);
        if (BinaryPrimitives.ReadUInt16LittleEndian(signed) >= 4)
        {
            signature.AddRange(U16(6));
            signature.AddRange(U32((uint)qeSection.Count));
        }

        signature.AddRange(qeSection);
        return [.. signed, .. U32((uint)signature.Count), .. signature];
    }

    /// <summary>Collateral from real TCB info and QE identity texts, re-signed; CRLs made by the test CAs.</summary>
    public IntelCollateral Collateral(IntelCollateral real, Func<string, string>? editTcbInfo = null, bool revokePck = false, DateTimeOffset? crlThisUpdate = null, Func<string, string>? editQeIdentity = null)
    {
        var tcbInfo = Encoding.UTF8.GetBytes((editTcbInfo ?? (s => s))(Encoding.UTF8.GetString(real.TcbInfoJson.Span)));
        var qeIdentity = Encoding.UTF8.GetBytes((editQeIdentity ?? (s => s))(Encoding.UTF8.GetString(real.QeIdentityJson.Span)));
        var thisUpdate = crlThisUpdate ?? new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var pckCrl = new CertificateRevocationListBuilder();
        pckCrl.AddEntry(RandomSerial(), thisUpdate);
        if (revokePck)
        {
            pckCrl.AddEntry(Pck, thisUpdate);
        }

        using var caWithKey = PckCa.CopyWithPrivateKey(_caKey);
        using var rootWithKey = Root.CopyWithPrivateKey(_rootKey);
        return new IntelCollateral
        {
            TcbInfoJson = tcbInfo,
            TcbInfoSignature = _tcbKey.SignData(tcbInfo, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            TcbInfoIssuerChain = TcbSigner.ExportCertificatePem() + "\n" + Root.ExportCertificatePem(),
            QeIdentityJson = qeIdentity,
            QeIdentitySignature = _tcbKey.SignData(qeIdentity, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            QeIdentityIssuerChain = TcbSigner.ExportCertificatePem() + "\n" + Root.ExportCertificatePem(),
            PckCrl = pckCrl.Build(caWithKey, BigInteger.One, thisUpdate.AddYears(2), HashAlgorithmName.SHA256, thisUpdate: thisUpdate),
            PckCrlIssuerChain = PckCa.ExportCertificatePem() + "\n" + Root.ExportCertificatePem(),
            RootCaCrl = new CertificateRevocationListBuilder().Build(rootWithKey, BigInteger.One, thisUpdate.AddYears(2), HashAlgorithmName.SHA256, thisUpdate: thisUpdate),
        };
    }

    public void Dispose()
    {
        _rootKey.Dispose();
        _caKey.Dispose();
        _pckKey.Dispose();
        _tcbKey.Dispose();
    }

    private static X509Certificate2 CreateCa(string subject, ECDsa key, X509Certificate2? issuer, ECDsa? issuerKey)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null)
        {
            using var self = request.CreateSelfSigned(NotBefore, NotAfter);
            return X509CertificateLoader.LoadCertificate(self.RawData);
        }

        return request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey!), NotBefore, NotAfter, RandomSerial());
    }

    private static X509Certificate2 CreateLeaf(string subject, ECDsa key, X509Certificate2 issuer, ECDsa issuerKey, X509Extension[] extensions)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        foreach (var extension in extensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        return request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), NotBefore, NotAfter, RandomSerial());
    }

    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        return serial;
    }

    private static byte[] U16(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }
}
