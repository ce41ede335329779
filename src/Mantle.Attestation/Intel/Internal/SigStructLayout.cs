namespace Mantle.Attestation.Intel.Internal;

/// <summary>
/// Offsets of the fields of an SGX enclave signature structure (SIGSTRUCT, Intel SDM volume 3D, "Enclave Signature
/// Structure"): 1808 bytes, multi-byte integers little-endian. The signed bytes are the first 128 (header) and the 128
/// from <see cref="MiscSelect"/> (body).
/// </summary>
internal static class SigStructLayout
{
    public const int Length = 1808;

    public const int Header = 0;
    public const int Vendor = 16;
    public const int Date = 20;
    public const int Header2 = 24;
    public const int SwDefined = 40;
    public const int Modulus = 128;
    public const int ModulusLength = 384;
    public const int Exponent = 512;
    public const int Signature = 516;
    public const int MiscSelect = 900;
    public const int MiscMask = 904;
    public const int IsvFamilyId = 912;
    public const int Attributes = 928;
    public const int AttributeMask = 944;
    public const int EnclaveHash = 960;
    public const int IsvExtProdId = 1008;
    public const int IsvProdId = 1024;
    public const int IsvSvn = 1026;

    public const int SignedHeaderLength = 128;
    public const int SignedBodyLength = 128;

    /// <summary>The fixed HEADER bytes: 06000000E10000000000010000000000.</summary>
    public static ReadOnlySpan<byte> HeaderBytes => [0x06, 0, 0, 0, 0xE1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0];

    /// <summary>The fixed HEADER2 bytes: 01010000600000006000000001000000.</summary>
    public static ReadOnlySpan<byte> Header2Bytes => [1, 1, 0, 0, 0x60, 0, 0, 0, 0x60, 0, 0, 0, 1, 0, 0, 0];

    /// <summary>The DEBUG bit of ATTRIBUTES.FLAGS.</summary>
    public const byte DebugFlag = 0x02;
}
