using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>Reads collateral bundles from a combined JSON file or a folder of separate Intel PCS files.</summary>
internal static class CollateralFiles
{
    public static List<IntelCollateral> Load(string path)
    {
        if (File.Exists(path))
        {
            return [FromCombinedJson(ReadFile(path), $"collateral file '{path}'")];
        }

        if (!Directory.Exists(path))
        {
            throw IntelErrors.Collateral($"The collateral path '{path}' is neither a file nor a folder.");
        }

        var bundles = new List<IntelCollateral>();
        var tcbInfos = new List<(ReadOnlyMemory<byte> Json, byte[] Signature, string Id)>();
        var identities = new List<(ReadOnlyMemory<byte> Json, byte[] Signature, string Id)>();
        var chains = new List<(string Pem, X509Certificate2 First)>();
        var pckCrls = new List<(byte[] Der, CertificateRevocationList Crl)>();
        byte[]? rootCrl = null;

        foreach (var file in Directory.EnumerateFiles(path).Order(StringComparer.Ordinal))
        {
            var bytes = ReadFile(file);
            var extension = Path.GetExtension(file).ToLowerInvariant();
            if (extension == ".json")
            {
                if (HasProperty(bytes, "tcb_info"))
                {
                    bundles.Add(FromCombinedJson(bytes, $"collateral file '{file}'"));
                }
                else if (HasProperty(bytes, "tcbInfo"))
                {
                    var (json, signature) = SignedJson.Extract(bytes, "tcbInfo", $"TCB info file '{file}'");
                    tcbInfos.Add((json, signature, TcbInfo.Parse(json).Id));
                }
                else if (HasProperty(bytes, "enclaveIdentity"))
                {
                    var (json, signature) = SignedJson.Extract(bytes, "enclaveIdentity", $"QE identity file '{file}'");
                    identities.Add((json, signature, EnclaveIdentity.Parse(json).Id));
                }

                continue;
            }

            if (Pem.TryReadCertificates(bytes) is { } certificates)
            {
                chains.Add((Encoding.ASCII.GetString(bytes), certificates[0]));
                continue;
            }

            // Folders may be shared with other TEEs' collateral (AMD certificates, evidence): files that are
            // not CRLs are skipped.
            if (CrlBytes.TryDecode(bytes) is { } der && TryParseCrl(der, file) is { } crl)
            {
                if (IsRootName(crl.Issuer))
                {
                    rootCrl = der;
                }
                else
                {
                    pckCrls.Add((der, crl));
                }
            }
        }

        if (tcbInfos.Count == 0 && identities.Count == 0 && pckCrls.Count == 0)
        {
            // A folder of other TEEs' collateral is not an error here: the verifier names the missing platform.
            return bundles;
        }

        var tcbChain = chains.FirstOrDefault(c => c.First.Subject.Contains("TCB Signing", StringComparison.Ordinal)).Pem;
        var missing = new List<string>();
        if (tcbInfos.Count == 0) missing.Add("TCB info JSON");
        if (identities.Count == 0) missing.Add("QE identity JSON");
        if (tcbChain is null) missing.Add("TCB signing chain PEM");
        if (pckCrls.Count == 0) missing.Add("PCK CRL");
        if (rootCrl is null) missing.Add("Intel SGX Root CA CRL");
        if (missing.Count > 0)
        {
            throw IntelErrors.Collateral($"The collateral folder '{path}' lacks: {string.Join(", ", missing)}.");
        }

        foreach (var tcb in tcbInfos)
        {
            var qeId = tcb.Id == "TDX" ? "TD_QE" : "QE";
            var identity = identities.FirstOrDefault(i => i.Id == qeId);
            if (identity.Json.IsEmpty)
            {
                throw IntelErrors.Collateral($"The collateral folder '{path}' has {tcb.Id} TCB info but no {qeId} identity.");
            }

            foreach (var (der, crl) in pckCrls)
            {
                var issuerChain = chains.FirstOrDefault(c => c.First.SubjectName.RawData.AsSpan().SequenceEqual(crl.Issuer)).Pem
                    ?? throw IntelErrors.Collateral($"The collateral folder '{path}' has a PCK CRL but not the PEM chain of its issuer.");
                bundles.Add(new IntelCollateral
                {
                    TcbInfoJson = tcb.Json,
                    TcbInfoSignature = tcb.Signature,
                    TcbInfoIssuerChain = tcbChain!,
                    QeIdentityJson = identity.Json,
                    QeIdentitySignature = identity.Signature,
                    QeIdentityIssuerChain = tcbChain!,
                    PckCrl = der,
                    PckCrlIssuerChain = issuerChain,
                    RootCaCrl = rootCrl!,
                });
            }
        }

        return bundles;
    }

    public static IntelCollateral FromCombinedJson(ReadOnlySpan<byte> utf8Json, string what)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8Json.ToArray());
            var root = document.RootElement;
            return new IntelCollateral
            {
                TcbInfoJson = Encoding.UTF8.GetBytes(JsonFields.String(root, "tcb_info", what)),
                TcbInfoSignature = HexField(root, "tcb_info_signature", what),
                TcbInfoIssuerChain = JsonFields.String(root, "tcb_info_issuer_chain", what),
                QeIdentityJson = Encoding.UTF8.GetBytes(JsonFields.String(root, "qe_identity", what)),
                QeIdentitySignature = HexField(root, "qe_identity_signature", what),
                QeIdentityIssuerChain = JsonFields.String(root, "qe_identity_issuer_chain", what),
                PckCrl = HexField(root, "pck_crl", what),
                PckCrlIssuerChain = JsonFields.String(root, "pck_crl_issuer_chain", what),
                RootCaCrl = HexField(root, "root_ca_crl", what),
            };
        }
        catch (JsonException e)
        {
            throw IntelErrors.Collateral($"The {what} is not valid JSON ({e.Message}).");
        }
    }

    private static byte[] HexField(JsonElement root, string name, string what)
    {
        try
        {
            return Convert.FromHexString(JsonFields.String(root, name, what));
        }
        catch (FormatException)
        {
            throw IntelErrors.Collateral($"The {what} field '{name}' is not hex.");
        }
    }

    private static CertificateRevocationList? TryParseCrl(byte[] der, string file)
    {
        try
        {
            return CertificateRevocationList.Parse(der, $"CRL file '{file}'");
        }
        catch (AttestationException)
        {
            return null;
        }
    }

    private static bool HasProperty(byte[] json, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsRootName(byte[] issuerDer) =>
        new X500DistinguishedName(issuerDer).Name.Contains("CN=Intel SGX Root CA", StringComparison.Ordinal);

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw IntelErrors.Collateral($"The collateral file '{path}' cannot be read ({e.Message}).");
        }
    }
}
