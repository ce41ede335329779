using System.Security.Cryptography.X509Certificates;
using Mantle.Attestation.Internal;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>
/// The parsed form of an <see cref="IntelCollateral"/>. Signature checks do not depend on the time, so
/// their success is remembered per set of trusted roots; validity windows are checked on every use.
/// </summary>
internal sealed class ParsedCollateral
{
    private readonly Lock _gate = new();
    private object? _verifiedForRoots;
    private X509Certificate2[] _tcbChain = [];
    private X509Certificate2[] _qeChain = [];
    private X509Certificate2[] _pckCrlChain = [];

    public required TcbInfo TcbInfo { get; init; }

    public required EnclaveIdentity QeIdentity { get; init; }

    public required X509Crl PckCrl { get; init; }

    public required X509Crl RootCrl { get; init; }

    public required List<X509Certificate2> TcbIssuerChain { get; init; }

    public required List<X509Certificate2> QeIssuerChain { get; init; }

    public required List<X509Certificate2> PckCrlIssuerChain { get; init; }

    public required ReadOnlyMemory<byte> TcbInfoJson { get; init; }

    public required ReadOnlyMemory<byte> TcbInfoSignature { get; init; }

    public required ReadOnlyMemory<byte> QeIdentityJson { get; init; }

    public required ReadOnlyMemory<byte> QeIdentitySignature { get; init; }

    /// <summary>The trusted root that signed the root CA CRL (known after <see cref="Verify"/>).</summary>
    public X509Certificate2 RootCrlIssuer => _pckCrlChain[^1];

    public DateTimeOffset NextUpdate
    {
        get
        {
            var next = TcbInfo.NextUpdate < QeIdentity.NextUpdate ? TcbInfo.NextUpdate : QeIdentity.NextUpdate;
            foreach (var crl in (ReadOnlySpan<X509Crl>)[PckCrl, RootCrl])
            {
                if (crl.NextUpdate is { } crlNext && crlNext < next)
                {
                    next = crlNext;
                }
            }

            return next;
        }
    }

    public static ParsedCollateral Parse(IntelCollateral source) => new()
    {
        TcbInfo = TcbInfo.Parse(source.TcbInfoJson),
        QeIdentity = EnclaveIdentity.Parse(source.QeIdentityJson),
        PckCrl = ParseCrl(source.PckCrl, "PCK CRL"),
        RootCrl = ParseCrl(source.RootCaCrl, "Intel SGX Root CA CRL"),
        TcbIssuerChain = Pem.ReadIssuerChain(source.TcbInfoIssuerChain, "TCB info issuer chain"),
        QeIssuerChain = Pem.ReadIssuerChain(source.QeIdentityIssuerChain, "QE identity issuer chain"),
        PckCrlIssuerChain = Pem.ReadIssuerChain(source.PckCrlIssuerChain, "PCK CRL issuer chain"),
        TcbInfoJson = source.TcbInfoJson,
        TcbInfoSignature = source.TcbInfoSignature,
        QeIdentityJson = source.QeIdentityJson,
        QeIdentitySignature = source.QeIdentitySignature,
    };

    /// <summary>
    /// Checks every signature of the collateral to the roots (once per roots set), the validity windows of
    /// all its parts at <paramref name="at"/>, and that no certificate of its chains is revoked.
    /// </summary>
    public void Verify(IReadOnlyList<X509Certificate2> roots, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_verifiedForRoots, roots))
            {
                VerifySignatures(roots, at);
                _verifiedForRoots = roots;
            }
        }

        foreach (var chain in (ReadOnlySpan<X509Certificate2[]>)[_tcbChain, _qeChain, _pckCrlChain])
        {
            ChainValidator.CheckWindows(chain, at, "collateral issuer chain");
        }

        CheckWindow("TCB info", TcbInfo.IssueDate, TcbInfo.NextUpdate, at);
        CheckWindow("QE identity", QeIdentity.IssueDate, QeIdentity.NextUpdate, at);
        CheckWindow("PCK CRL", PckCrl.ThisUpdate, PckCrl.NextUpdate, at);
        CheckWindow("Intel SGX Root CA CRL", RootCrl.ThisUpdate, RootCrl.NextUpdate, at);
    }

    private void VerifySignatures(IReadOnlyList<X509Certificate2> roots, DateTimeOffset at)
    {
        var tcbChain = ChainValidator.Validate(TcbIssuerChain, roots, at, "TCB info issuer chain");
        var qeChain = ChainValidator.Validate(QeIssuerChain, roots, at, "QE identity issuer chain");
        var pckCrlChain = ChainValidator.Validate(PckCrlIssuerChain, roots, at, "PCK CRL issuer chain");
        var root = pckCrlChain[^1];

        if (!RootCrl.IsIssuedBy(root) || !ChainValidator.VerifySignature(RootCrl, root))
        {
            throw IntelErrors.Collateral("The Intel SGX Root CA CRL is not signed by the trusted root. Supply the root CA CRL from Intel PCS.");
        }

        if (!PckCrl.IsIssuedBy(pckCrlChain[0]) || !ChainValidator.VerifySignature(PckCrl, pckCrlChain[0]))
        {
            throw IntelErrors.Collateral($"The PCK CRL is not signed by the first certificate of its issuer chain ('{pckCrlChain[0].Subject}').");
        }

        foreach (var chain in (ReadOnlySpan<X509Certificate2[]>)[tcbChain, qeChain, pckCrlChain])
        {
            for (var i = 0; i < chain.Length - 1; i++)
            {
                if (RootCrl.IsRevoked(chain[i]))
                {
                    throw IntelErrors.Revoked($"The certificate '{chain[i].Subject}' of the collateral is revoked by the Intel SGX Root CA CRL.");
                }
            }
        }

        if (!EcdsaRaw.Verify(tcbChain[0], TcbInfoJson.Span, TcbInfoSignature.Span))
        {
            throw IntelErrors.Collateral("The TCB info signature does not verify with the TCB signing certificate; the TCB info was altered. Use the TCB info exactly as Intel PCS served it.");
        }

        if (!EcdsaRaw.Verify(qeChain[0], QeIdentityJson.Span, QeIdentitySignature.Span))
        {
            throw IntelErrors.Collateral("The QE identity signature does not verify with its signing certificate; the QE identity was altered. Use the QE identity exactly as Intel PCS served it.");
        }

        _tcbChain = tcbChain;
        _qeChain = qeChain;
        _pckCrlChain = pckCrlChain;
    }

    private static void CheckWindow(string what, DateTimeOffset from, DateTimeOffset? until, DateTimeOffset at)
    {
        if (at < from)
        {
            throw IntelErrors.Collateral($"The {what} is not yet valid at the verification time {at:u} (issued {from:u}). Use collateral issued before the verification time.");
        }

        if (until is { } next && at > next)
        {
            throw IntelErrors.Collateral($"The {what} expired at {next:u}, before the verification time {at:u}. Fetch current collateral from Intel PCS or your PCCS.");
        }
    }

    /// <summary>Parses a CRL of Intel's PKI, or refuses the collateral naming it.</summary>
    /// <exception cref="AttestationException">The bytes are not a DER X.509 CRL.</exception>
    public static X509Crl ParseCrl(ReadOnlyMemory<byte> der, string what) =>
        X509Crl.TryParse(der, out var crl, out var problem)
            ? crl!
            : throw IntelErrors.Collateral($"The {what} is not a valid DER X.509 CRL ({problem}). Supply the CRL as issued by Intel PCS.");
}
