using Mantle.Attestation.Sim;

namespace Mantle.Attestation.Providers;

/// <summary>
/// The evidence provider for a TEE named at run time (<c>--tee sim|sgx|tdx|snp</c>): the simulated TEE, Gramine's
/// <c>/dev/attestation</c> for SGX, or configfs-tsm for TDX and SEV-SNP. Owns what it opened (the sim platform key,
/// Gramine's device lock); dispose it when done.
/// </summary>
public sealed class TeeEvidenceProvider : IEvidenceProvider, IDisposable
{
    private readonly IEvidenceProvider _inner;
    private readonly IDisposable? _owned;

    private TeeEvidenceProvider(IEvidenceProvider inner, IDisposable? owned, SimulatedTee? platform = null, string? simMeasurement = null)
    {
        _inner = inner;
        _owned = owned;
        SimMeasurement = simMeasurement;
        SimPlatformKeyId = platform?.PlatformKeyId;
    }

    /// <inheritdoc />
    public TeeType Tee => _inner.Tee;

    /// <summary>sim only: the measurement (hex) the evidence reports; null for hardware TEEs, whose measurement the hardware takes.</summary>
    public string? SimMeasurement { get; }

    /// <summary>sim only: the id (SHA-256 of the public key, hex) of the simulated platform key that signs the evidence.</summary>
    public string? SimPlatformKeyId { get; }

    /// <summary>Opens the provider of <see cref="TeeEvidenceProviderOptions.Tee"/>.</summary>
    /// <exception cref="AttestationException">The sim platform key cannot be read or made, or the program folder to measure is missing.</exception>
    public static TeeEvidenceProvider Open(TeeEvidenceProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (options.Tee)
        {
            case TeeType.Sim:
                var platform = SimulatedTee.LoadOrCreate(options.SimKeyPath);
                try
                {
                    var sim = new SimEvidenceProvider(platform, new SimEvidenceProviderOptions
                    {
                        ProgramFolder = options.ProgramFolder,
                        ConfigurationDigest = options.ConfigurationDigest,
                    });
                    return new TeeEvidenceProvider(sim, platform, platform, sim.Measurement);
                }
                catch
                {
                    platform.Dispose();
                    throw;
                }

            case TeeType.Sgx:
                var gramine = new GramineSgxEvidenceProvider(options.DeviceRoot is null ? null : new GramineSgxOptions { Root = options.DeviceRoot });
                return new TeeEvidenceProvider(gramine, gramine);
            default:
                return new TeeEvidenceProvider(
                    new TsmReportEvidenceProvider(options.Tee, options.DeviceRoot is null ? null : new TsmReportOptions { Root = options.DeviceRoot }), null);
        }
    }

    /// <inheritdoc />
    public ValueTask<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default) =>
        _inner.GetEvidenceAsync(reportData, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _owned?.Dispose();
}
