namespace Mantle.Attestation.Providers;

/// <summary>Which TEE <see cref="TeeEvidenceProvider.Open"/> talks to, and where its interface is.</summary>
public sealed class TeeEvidenceProviderOptions
{
    /// <summary>The TEE of this machine.</summary>
    public required TeeType Tee { get; init; }

    /// <summary>
    /// The TEE interface folder: Gramine's <c>/dev/attestation</c> (sgx) or configfs-tsm's
    /// <c>/sys/kernel/config/tsm/report</c> (tdx, snp). Defaults to null (those paths). Not used by sim.
    /// </summary>
    public string? DeviceRoot { get; init; }

    /// <summary>sim only: the simulated platform key file, created when missing. Defaults to null (<see cref="Sim.SimulatedTee.DefaultKeyPath"/>).</summary>
    public string? SimKeyPath { get; init; }

    /// <summary>sim only: the folder whose assemblies are measured. Defaults to null (the running program's folder).</summary>
    public string? ProgramFolder { get; init; }

    /// <summary>sim only: a configuration digest mixed into the measurement. Defaults to null (none).</summary>
    public byte[]? ConfigurationDigest { get; init; }
}
