using System.Reflection;
using Mantle.Attestation.Sim.Internal;

namespace Mantle.Attestation.Sim;

/// <summary>
/// Produces <c>sim</c> evidence: a measurement of the running program (SHA-384 over its <c>*.dll</c> files
/// and an optional configuration digest), the report data, a debug flag and a timestamp, signed with the
/// <see cref="SimulatedTee"/> platform key. No security: see <see cref="SimulatedTee"/>.
/// </summary>
public sealed class SimEvidenceProvider : IEvidenceProvider
{
    private readonly SimulatedTee _platform;
    private readonly SimEvidenceProviderOptions _options;
    private readonly Lazy<byte[]> _measurement;

    /// <summary>Creates a provider that signs with <paramref name="platform"/>, which must hold the private key.</summary>
    /// <exception cref="ArgumentException">The platform key cannot sign, or an option is invalid.</exception>
    public SimEvidenceProvider(SimulatedTee platform, SimEvidenceProviderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(platform);
        if (!platform.CanSign)
        {
            throw new ArgumentException("The simulated platform key holds only a public key; evidence needs the private key file.", nameof(platform));
        }

        _options = options ?? new SimEvidenceProviderOptions();
        if (_options.MeasurementOverride is { Length: not SimEvidenceFormat.MeasurementLength } badOverride)
        {
            throw new ArgumentException(
                $"SimEvidenceProviderOptions.MeasurementOverride must be {SimEvidenceFormat.MeasurementLength} bytes, not {badOverride.Length}.",
                nameof(options));
        }

        ArgumentNullException.ThrowIfNull(_options.TimeProvider, "SimEvidenceProviderOptions.TimeProvider");
        _platform = platform;
        _measurement = new Lazy<byte[]>(ComputeMeasurement);
    }

    /// <inheritdoc />
    public TeeType Tee => TeeType.Sim;

    /// <summary>The measurement this provider reports, lower-case hex (what a policy's <c>measurement</c> rule should list).</summary>
    public string Measurement => Convert.ToHexStringLower(_measurement.Value);

    /// <summary>Computes the simulated measurement of a program folder and optional configuration digest.</summary>
    /// <exception cref="AttestationException">The folder does not exist.</exception>
    public static byte[] ComputeMeasurement(string programFolder, byte[]? configurationDigest = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(programFolder);
        return SimMeasurement.Compute(programFolder, configurationDigest, configurationDigest is not null);
    }

    /// <summary>
    /// Computes the simulated measurement of a program folder and lists the files it covers (every <c>*.dll</c>, in
    /// ordinal name order, with its length and SHA-384), so that a relying party can see which file differs between two builds.
    /// </summary>
    /// <exception cref="AttestationException">The folder does not exist.</exception>
    public static (string Measurement, IReadOnlyList<SimMeasuredFile> Files) MeasureProgram(string programFolder, byte[]? configurationDigest = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(programFolder);
        var files = new List<SimMeasuredFile>();
        var measurement = SimMeasurement.Compute(programFolder, configurationDigest, configurationDigest is not null, files);
        return (Convert.ToHexStringLower(measurement), files);
    }

    /// <summary>The folder that is measured by default: the entry assembly's folder.</summary>
    public static string DefaultProgramFolder
    {
        get
        {
            var location = Assembly.GetEntryAssembly()?.Location;
            return string.IsNullOrEmpty(location) ? AppContext.BaseDirectory : Path.GetDirectoryName(location)!;
        }
    }

    /// <inheritdoc />
    public ValueTask<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default)
    {
        if (reportData.Length > SimEvidenceFormat.ReportDataLength)
        {
            throw new ArgumentException($"Report data is at most {SimEvidenceFormat.ReportDataLength} bytes, not {reportData.Length}.", nameof(reportData));
        }

        cancellationToken.ThrowIfCancellationRequested();
        Span<byte> padded = stackalloc byte[SimEvidenceFormat.ReportDataLength];
        reportData.Span.CopyTo(padded);
        var timestamp = _options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        var evidence = SimEvidenceFormat.Write(_measurement.Value, padded, _options.Debug, timestamp, _platform);
        return ValueTask.FromResult(evidence);
    }

    private byte[] ComputeMeasurement() =>
        _options.MeasurementOverride is { } fixedMeasurement
            ? (byte[])fixedMeasurement.Clone()
            : ComputeMeasurement(_options.ProgramFolder ?? DefaultProgramFolder, _options.ConfigurationDigest);
}
