namespace Mantle.Attestation;

/// <summary>
/// The verified, normalized claims of one piece of evidence. Normalized names are the same for every
/// TEE (<c>measurement</c>, <c>signer</c>, …); the TEE's own fields are in <see cref="TeeClaims"/> under a
/// prefix (<c>sgx.mr_enclave</c>, <c>tdx.rtmr0</c>, <c>snp.host_data</c>, …).
/// </summary>
public sealed class AttestationClaims
{
    /// <summary>The kind of TEE that produced the evidence.</summary>
    public required TeeType Tee { get; init; }

    /// <summary>The code identity, lower-case hex: MRENCLAVE (SGX), MRTD (TDX), MEASUREMENT (SNP), the simulated measurement (sim).</summary>
    public required string Measurement { get; init; }

    /// <summary>The signer identity, lower-case hex, where the TEE has one (MRSIGNER for SGX); otherwise null.</summary>
    public string? Signer { get; init; }

    /// <summary>The product id (SGX ISVPRODID), where the TEE has one.</summary>
    public int? ProductId { get; init; }

    /// <summary>The security version of the code (SGX ISVSVN, SNP guest SVN), where the TEE has one.</summary>
    public int? Svn { get; init; }

    /// <summary>True when the TEE runs in debug mode, so that its memory can be read by the host.</summary>
    public required bool Debug { get; init; }

    /// <summary>The TCB status (<c>UpToDate</c>, <c>SWHardeningNeeded</c>, <c>ConfigurationNeeded</c>, <c>ConfigurationAndSWHardeningNeeded</c>, <c>OutOfDate</c>, <c>OutOfDateConfigurationNeeded</c>, <c>Revoked</c>).</summary>
    public required string TcbStatus { get; init; }

    /// <summary>Intel security advisory ids that apply to the platform (for example <c>INTEL-SA-00615</c>).</summary>
    public IReadOnlyList<string> AdvisoryIds { get; init; } = [];

    /// <summary>The 64 bytes of report data that the code in the TEE chose (user data).</summary>
    public required ReadOnlyMemory<byte> ReportData { get; init; }

    /// <summary>
    /// TEE-specific claims under their prefix. Values are <see cref="string"/> (hex for byte fields),
    /// <see cref="long"/> or <see cref="bool"/>.
    /// </summary>
    public IReadOnlyDictionary<string, object> TeeClaims { get; init; } = new Dictionary<string, object>();

    /// <summary>
    /// All claims as one flat dictionary, as used by policies and attestation tokens: the normalized
    /// names (<c>tee</c>, <c>measurement</c>, <c>signer</c>, <c>product_id</c>, <c>svn</c>, <c>debug</c>,
    /// <c>tcb_status</c>, <c>advisory_ids</c>, <c>report_data</c>) followed by <see cref="TeeClaims"/>.
    /// Absent optional claims are left out.
    /// </summary>
    public IReadOnlyDictionary<string, object> ToDictionary()
    {
        var all = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["tee"] = Tee.ToName(),
            ["measurement"] = Measurement,
            ["debug"] = Debug,
            ["tcb_status"] = TcbStatus,
            ["advisory_ids"] = AdvisoryIds.ToArray(),
            ["report_data"] = Convert.ToHexStringLower(ReportData.Span),
        };
        if (Signer is not null)
        {
            all["signer"] = Signer;
        }

        if (ProductId is { } productId)
        {
            all["product_id"] = (long)productId;
        }

        if (Svn is { } svn)
        {
            all["svn"] = (long)svn;
        }

        foreach (var (name, value) in TeeClaims)
        {
            all[name] = value;
        }

        return all;
    }
}
