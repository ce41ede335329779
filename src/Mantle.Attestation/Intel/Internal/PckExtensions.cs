using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>The Intel SGX extensions of a PCK certificate (OID 1.2.840.113741.1.13.1).</summary>
internal sealed class PckExtensions
{
    public const string SgxExtensionsOid = "1.2.840.113741.1.13.1";
    private const string Ppid = SgxExtensionsOid + ".1";
    private const string Tcb = SgxExtensionsOid + ".2";
    private const string PceIdOid = SgxExtensionsOid + ".3";
    private const string FmspcOid = SgxExtensionsOid + ".4";
    private const string SgxTypeOid = SgxExtensionsOid + ".5";
    private const string PceSvnOid = Tcb + ".17";
    private const string CpuSvnOid = Tcb + ".18";

    public required byte[] PpidBytes { get; init; }

    /// <summary>The 16 SGX TCB component SVNs (CPUSVN components), in order.</summary>
    public required int[] TcbComponents { get; init; }

    public required int PceSvn { get; init; }

    public required byte[] CpuSvn { get; init; }

    /// <summary>Upper-case hex, 4 characters.</summary>
    public required string PceId { get; init; }

    /// <summary>Upper-case hex, 12 characters.</summary>
    public required string Fmspc { get; init; }

    public int SgxType { get; init; }

    public static PckExtensions Read(X509Certificate2 pck)
    {
        var extension = pck.Extensions[SgxExtensionsOid]
            ?? throw IntelErrors.Chain("The PCK certificate has no Intel SGX extensions (OID 1.2.840.113741.1.13.1); the quote does not carry a genuine PCK certificate.");
        try
        {
            return Parse(extension.RawData);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException or OverflowException)
        {
            throw IntelErrors.Chain($"The PCK certificate's Intel SGX extensions are malformed ({e.Message}).");
        }
    }

    private static PckExtensions Parse(byte[] der)
    {
        byte[]? ppid = null, cpuSvn = null, pceId = null, fmspc = null;
        int? pceSvn = null;
        var components = new int?[16];
        var sgxType = 0;

        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var items = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        while (items.HasData)
        {
            var item = items.ReadSequence();
            var oid = item.ReadObjectIdentifier();
            switch (oid)
            {
                case Ppid: ppid = item.ReadOctetString(); break;
                case PceIdOid: pceId = item.ReadOctetString(); break;
                case FmspcOid: fmspc = item.ReadOctetString(); break;
                case SgxTypeOid: sgxType = (int)item.ReadEnumeratedValue<SgxTypeValue>(); break;
                case Tcb:
                    var tcb = item.ReadSequence();
                    while (tcb.HasData)
                    {
                        var entry = tcb.ReadSequence();
                        var entryOid = entry.ReadObjectIdentifier();
                        if (entryOid == PceSvnOid)
                        {
                            pceSvn = ReadSmallInt(entry);
                        }
                        else if (entryOid == CpuSvnOid)
                        {
                            cpuSvn = entry.ReadOctetString();
                        }
                        else if (entryOid.StartsWith(Tcb + ".", StringComparison.Ordinal) &&
                                 int.TryParse(entryOid.AsSpan(Tcb.Length + 1), out var index) && index is >= 1 and <= 16)
                        {
                            components[index - 1] = ReadSmallInt(entry);
                        }
                    }

                    break;
                default:
                    break;
            }
        }

        if (ppid is null || pceId is not { Length: 2 } || fmspc is not { Length: 6 } || pceSvn is null || cpuSvn is null || Array.Exists(components, c => c is null))
        {
            throw new ArgumentException("PPID, TCB components, PCESVN, CPUSVN, PCE-ID (2 bytes) and FMSPC (6 bytes) are all required");
        }

        return new PckExtensions
        {
            PpidBytes = ppid,
            TcbComponents = Array.ConvertAll(components, c => c!.Value),
            PceSvn = pceSvn.Value,
            CpuSvn = cpuSvn,
            PceId = Convert.ToHexString(pceId),
            Fmspc = Convert.ToHexString(fmspc),
            SgxType = sgxType,
        };
    }

    private static int ReadSmallInt(AsnReader reader) =>
        reader.TryReadInt32(out var value) && value >= 0 ? value : throw new ArgumentException("SVN out of range");

    private enum SgxTypeValue
    {
        Standard = 0,
        Scalable = 1,
        ScalableWithIntegrity = 2,
    }
}
