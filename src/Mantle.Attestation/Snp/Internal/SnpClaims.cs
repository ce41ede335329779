namespace Mantle.Attestation.Snp.Internal;

/// <summary>Turns a verified report into Mantle's normalized claims and the <c>snp.*</c> claims.</summary>
internal static class SnpClaims
{
    public const ulong PolicySmtAllowed = 1UL << 16;
    public const ulong PolicyMigrateMaAllowed = 1UL << 18;
    public const ulong PolicyDebugAllowed = 1UL << 19;
    public const ulong PolicySingleSocket = 1UL << 20;

    /// <summary>The only status an SEV-SNP report can earn: AMD publishes no TCB levels to grade it against.</summary>
    public const string UpToDate = "UpToDate";

    public static AttestationClaims Build(SnpReport report, SnpProduct product, bool vlek)
    {
        var turin = product == SnpProduct.Turin;
        var policy = report.Policy;
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["snp.version"] = (long)report.Version,
            ["snp.product"] = product.ToName(),
            ["snp.signing_key"] = vlek ? "vlek" : "vcek",
            ["snp.measurement"] = Hex(report.Measurement),
            ["snp.host_data"] = Hex(report.HostData),
            ["snp.guest_svn"] = (long)report.GuestSvn,
            ["snp.policy"] = unchecked((long)policy),
            ["snp.policy.abi_major"] = (long)((policy >> 8) & 0xFF),
            ["snp.policy.abi_minor"] = (long)(policy & 0xFF),
            ["snp.debug_allowed"] = (policy & PolicyDebugAllowed) != 0,
            ["snp.migrate_ma_allowed"] = (policy & PolicyMigrateMaAllowed) != 0,
            ["snp.smt_allowed"] = (policy & PolicySmtAllowed) != 0,
            ["snp.single_socket"] = (policy & PolicySingleSocket) != 0,
            ["snp.vmpl"] = (long)report.Vmpl,
            ["snp.family_id"] = Hex(report.FamilyId),
            ["snp.image_id"] = Hex(report.ImageId),
            ["snp.id_key_digest"] = Hex(report.IdKeyDigest),
            ["snp.author_key_digest"] = Hex(report.AuthorKeyDigest),
            ["snp.author_key_en"] = report.AuthorKeyEnabled,
            ["snp.report_id"] = Hex(report.ReportId),
            ["snp.report_id_ma"] = Hex(report.ReportIdMa),
            ["snp.chip_id"] = Hex(report.ChipId),
            ["snp.platform_info"] = unchecked((long)report.PlatformInfo),
            ["snp.current_version"] = Version(report.CurrentVersion),
            ["snp.committed_version"] = Version(report.CommittedVersion),
        };
        AddTcb(claims, "snp.reported_tcb", SnpTcb.FromBytes(report.ReportedTcbBytes, turin));
        AddTcb(claims, "snp.current_tcb", SnpTcb.FromBytes(report.CurrentTcbBytes, turin));
        AddTcb(claims, "snp.committed_tcb", SnpTcb.FromBytes(report.CommittedTcbBytes, turin));
        AddTcb(claims, "snp.launch_tcb", SnpTcb.FromBytes(report.LaunchTcbBytes, turin));
        if (report.Cpuid is { } cpuid)
        {
            claims["snp.cpuid_family"] = (long)cpuid.Family;
            claims["snp.cpuid_model"] = (long)cpuid.Model;
            claims["snp.cpuid_stepping"] = (long)cpuid.Stepping;
        }

        if (report.MitigationVectors is { } vectors)
        {
            claims["snp.launch_mit_vector"] = unchecked((long)vectors.Launch);
            claims["snp.current_mit_vector"] = unchecked((long)vectors.Current);
        }

        return new AttestationClaims
        {
            Tee = TeeType.Snp,
            Measurement = Hex(report.Measurement),
            Svn = (int)Math.Min(report.GuestSvn, int.MaxValue),
            Debug = (policy & PolicyDebugAllowed) != 0,
            TcbStatus = UpToDate,
            ReportData = report.ReportData.ToArray(),
            TeeClaims = claims,
        };
    }

    private static void AddTcb(Dictionary<string, object> claims, string name, SnpTcb tcb)
    {
        claims[name] = unchecked((long)tcb.Raw);
        if (tcb.Fmc is { } fmc)
        {
            claims[name + ".fmc"] = (long)fmc;
        }

        claims[name + ".bootloader"] = (long)tcb.Bootloader;
        claims[name + ".tee"] = (long)tcb.Tee;
        claims[name + ".snp"] = (long)tcb.Snp;
        claims[name + ".microcode"] = (long)tcb.Microcode;
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static string Version((byte Major, byte Minor, byte Build) version) =>
        $"{version.Major}.{version.Minor}.{version.Build}";
}
