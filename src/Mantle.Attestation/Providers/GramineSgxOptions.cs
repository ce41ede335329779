namespace Mantle.Attestation.Providers;

/// <summary>Options of <see cref="GramineSgxEvidenceProvider"/>.</summary>
public sealed class GramineSgxOptions
{
    /// <summary>The folder of Gramine's attestation pseudo-files. Defaults to <c>/dev/attestation</c>.</summary>
    public string Root { get; set; } = "/dev/attestation";
}
