namespace Mantle.Attestation.Providers;

/// <summary>Options of <see cref="TsmReportEvidenceProvider"/>.</summary>
public sealed class TsmReportOptions
{
    /// <summary>The configfs-tsm report folder. Defaults to <c>/sys/kernel/config/tsm/report</c>.</summary>
    public string Root { get; set; } = "/sys/kernel/config/tsm/report";

    /// <summary>The name of the report entry to create. Defaults to null: a unique name per request (<c>mantle-&lt;pid&gt;-&lt;random&gt;</c>).</summary>
    public string? EntryName { get; set; }

    /// <summary>The SEV-SNP VMPL to request (written to <c>privlevel</c>), 0–3. Defaults to null: the kernel's default. Ignored for TDX.</summary>
    public int? PrivilegeLevel { get; set; }

    /// <summary>How many times to retry when another writer changed the entry meanwhile (<c>generation</c> moved). Defaults to 3.</summary>
    public int MaxAttempts { get; set; } = 3;
}
