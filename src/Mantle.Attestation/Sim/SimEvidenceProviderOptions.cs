namespace Mantle.Attestation.Sim;

/// <summary>Options of <see cref="SimEvidenceProvider"/>.</summary>
public sealed class SimEvidenceProviderOptions
{
    /// <summary>
    /// The folder whose <c>*.dll</c> files are measured. Defaults to the folder of the entry assembly
    /// (or <see cref="AppContext.BaseDirectory"/> when there is none).
    /// </summary>
    public string? ProgramFolder { get; set; }

    /// <summary>
    /// A digest of the program's configuration (for example SHA-256 of its settings file), mixed into the
    /// measurement so that the same binaries with another configuration measure differently. Defaults to
    /// none.
    /// </summary>
    public byte[]? ConfigurationDigest { get; set; }

    /// <summary>
    /// A 48-byte measurement to report instead of measuring the program folder; for tests that need
    /// evidence of a "different" program. Defaults to none (measure).
    /// </summary>
    public byte[]? MeasurementOverride { get; set; }

    /// <summary>Whether the evidence says the TEE runs in debug mode. Defaults to false.</summary>
    public bool Debug { get; set; }

    /// <summary>The clock for the evidence timestamp. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
