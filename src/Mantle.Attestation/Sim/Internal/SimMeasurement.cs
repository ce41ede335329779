using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Mantle.Attestation.Sim.Internal;

/// <summary>
/// The simulated measurement: SHA-384 over a domain label, then for each <c>*.dll</c> file of the program
/// folder in ordinal name order its name (length-prefixed UTF-8), length and SHA-384, then the optional
/// configuration digest (a presence byte, length and bytes).
/// </summary>
internal static class SimMeasurement
{
    private static ReadOnlySpan<byte> Label => "mantle/sim/v1/measurement\0"u8;

    public static byte[] Compute(string programFolder, ReadOnlySpan<byte> configurationDigest, bool hasConfiguration) =>
        Compute(programFolder, configurationDigest, hasConfiguration, null);

    /// <summary>Computes the measurement and, when <paramref name="files"/> is given, adds each measured file to it.</summary>
    public static byte[] Compute(string programFolder, ReadOnlySpan<byte> configurationDigest, bool hasConfiguration, List<SimMeasuredFile>? files)
    {
        if (!Directory.Exists(programFolder))
        {
            throw new AttestationException(
                AttestationErrorCode.ProviderUnavailable,
                $"The program folder '{programFolder}' to measure does not exist; set SimEvidenceProviderOptions.ProgramFolder to the folder holding the program's assemblies.");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA384);
        hash.AppendData(Label);
        var assemblies = Directory.GetFiles(programFolder, "*.dll", SearchOption.TopDirectoryOnly);
        Array.Sort(assemblies, StringComparer.Ordinal);
        Span<byte> number = stackalloc byte[8];
        foreach (var file in assemblies)
        {
            var name = Encoding.UTF8.GetBytes(Path.GetFileName(file));
            BinaryPrimitives.WriteUInt32LittleEndian(number, (uint)name.Length);
            hash.AppendData(number[..4]);
            hash.AppendData(name);
            using var stream = File.OpenRead(file);
            var length = stream.Length;
            BinaryPrimitives.WriteInt64LittleEndian(number, length);
            hash.AppendData(number);
            var digest = SHA384.HashData(stream);
            hash.AppendData(digest);
            files?.Add(new SimMeasuredFile(Path.GetFileName(file), length, Convert.ToHexStringLower(digest)));
        }

        hash.AppendData([hasConfiguration ? (byte)1 : (byte)0]);
        if (hasConfiguration)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(number, (uint)configurationDigest.Length);
            hash.AppendData(number[..4]);
            hash.AppendData(configurationDigest);
        }

        return hash.GetHashAndReset();
    }
}
