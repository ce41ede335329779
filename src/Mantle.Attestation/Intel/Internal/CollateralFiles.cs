using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text;
using Mantle.Attestation.Internal;

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

        var folder = ReadFolder(path);
        if (folder.TcbInfos.Count == 0 && folder.Identities.Count == 0 && folder.PckCrls.Count == 0)
        {
            // A folder of other TEEs' collateral is not an error here: the verifier names the missing platform.
            return folder.Bundles;
        }

        var tcbChain = folder.Chains.FirstOrDefault(c => c.First.Subject.Contains("TCB Signing", StringComparison.Ordinal)).Pem;
        CheckComplete(folder, tcbChain, path);
        return [.. folder.Bundles, .. Combine(folder, tcbChain!, path)];
    }

    /// <summary>Sorts a folder's files by what they hold: combined bundles, separate PCS files, PEM chains, CRLs.</summary>
    private static CollateralFolder ReadFolder(string path)
    {
        var folder = new CollateralFolder();
        foreach (var file in Directory.EnumerateFiles(path).Order(StringComparer.Ordinal))
        {
            var bytes = ReadFile(file);
            if (Path.GetExtension(file).Equals(".json", StringComparison.OrdinalIgnoreCase))
            {
                if (HasProperty(bytes, "tcb_info"))
                {
                    folder.Bundles.Add(FromCombinedJson(bytes, $"collateral file '{file}'"));
                }
                else if (HasProperty(bytes, "tcbInfo"))
                {
                    var (json, signature) = SignedJson.Extract(bytes, "tcbInfo", $"TCB info file '{file}'");
                    folder.TcbInfos.Add((json, signature, TcbInfo.Parse(json).Id));
                }
                else if (HasProperty(bytes, "enclaveIdentity"))
                {
                    var (json, signature) = SignedJson.Extract(bytes, "enclaveIdentity", $"QE identity file '{file}'");
                    folder.Identities.Add((json, signature, EnclaveIdentity.Parse(json).Id));
                }
            }
            else if (Pem.TryReadCertificates(bytes) is { } certificates)
            {
                folder.Chains.Add((Encoding.ASCII.GetString(bytes), certificates[0]));
            }
            else if (CrlBytes.TryDecode(bytes) is { } der && X509Crl.TryParse(der, out var crl, out _))
            {
                // Folders may be shared with other TEEs' collateral (AMD certificates, evidence): files that are
                // not CRLs are skipped.
                if (IsRootName(crl!.Issuer))
                {
                    folder.RootCrl = der;
                }
                else
                {
                    folder.PckCrls.Add((der, crl));
                }
            }
        }

        return folder;
    }

    private static void CheckComplete(CollateralFolder folder, string? tcbChain, string path)
    {
        var missing = new List<string>();
        if (folder.TcbInfos.Count == 0) missing.Add("TCB info JSON");
        if (folder.Identities.Count == 0) missing.Add("QE identity JSON");
        if (tcbChain is null) missing.Add("TCB signing chain PEM");
        if (folder.PckCrls.Count == 0) missing.Add("PCK CRL");
        if (folder.RootCrl is null) missing.Add("Intel SGX Root CA CRL");
        if (missing.Count > 0)
        {
            throw IntelErrors.Collateral($"The collateral folder '{path}' lacks: {string.Join(", ", missing)}.");
        }
    }

    /// <summary>One bundle per TCB info and PCK CRL, with the QE identity of the TCB info's kind and the CRL issuer's chain.</summary>
    private static IEnumerable<IntelCollateral> Combine(CollateralFolder folder, string tcbChain, string path)
    {
        foreach (var tcb in folder.TcbInfos)
        {
            var qeId = tcb.Id == "TDX" ? "TD_QE" : "QE";
            var identity = folder.Identities.FirstOrDefault(i => i.Id == qeId);
            if (identity.Json.IsEmpty)
            {
                throw IntelErrors.Collateral($"The collateral folder '{path}' has {tcb.Id} TCB info but no {qeId} identity.");
            }

            foreach (var (der, crl) in folder.PckCrls)
            {
                var issuerChain = folder.Chains.FirstOrDefault(c => c.First.SubjectName.RawData.AsSpan().SequenceEqual(crl.Issuer)).Pem
                    ?? throw IntelErrors.Collateral($"The collateral folder '{path}' has a PCK CRL but not the PEM chain of its issuer.");
                yield return new IntelCollateral
                {
                    TcbInfoJson = tcb.Json,
                    TcbInfoSignature = tcb.Signature,
                    TcbInfoIssuerChain = tcbChain,
                    QeIdentityJson = identity.Json,
                    QeIdentitySignature = identity.Signature,
                    QeIdentityIssuerChain = tcbChain,
                    PckCrl = der,
                    PckCrlIssuerChain = issuerChain,
                    RootCaCrl = folder.RootCrl!,
                };
            }
        }
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

    /// <summary>What a collateral folder holds, by kind.</summary>
    private sealed class CollateralFolder
    {
        public List<IntelCollateral> Bundles { get; } = [];

        public List<(ReadOnlyMemory<byte> Json, byte[] Signature, string Id)> TcbInfos { get; } = [];

        public List<(ReadOnlyMemory<byte> Json, byte[] Signature, string Id)> Identities { get; } = [];

        public List<(string Pem, X509Certificate2 First)> Chains { get; } = [];

        public List<(byte[] Der, X509Crl Crl)> PckCrls { get; } = [];

        public byte[]? RootCrl { get; set; }
    }
}
