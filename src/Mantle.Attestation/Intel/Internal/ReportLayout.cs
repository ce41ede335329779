namespace Mantle.Attestation.Intel.Internal;

/// <summary>Offsets of the fields of an SGX enclave report body and a TDX TD report body (Intel DCAP quote format).</summary>
internal static class ReportLayout
{
    public const int HeaderLength = 48;

    public const int SgxBodyLength = 384;
    public const int SgxCpuSvn = 0;
    public const int SgxMiscSelect = 16;
    public const int SgxIsvExtProdId = 32;
    public const int SgxAttributes = 48;
    public const int SgxMrEnclave = 64;
    public const int SgxMrSigner = 128;
    public const int SgxConfigId = 192;
    public const int SgxIsvProdId = 256;
    public const int SgxIsvSvn = 258;
    public const int SgxConfigSvn = 260;
    public const int SgxIsvFamilyId = 304;
    public const int SgxReportData = 320;

    public const int Tdx10BodyLength = 584;
    public const int Tdx15BodyLength = 648;
    public const int TdxTeeTcbSvn = 0;
    public const int TdxMrSeam = 16;
    public const int TdxMrSignerSeam = 64;
    public const int TdxSeamAttributes = 112;
    public const int TdxTdAttributes = 120;
    public const int TdxXfam = 128;
    public const int TdxMrTd = 136;
    public const int TdxMrConfigId = 184;
    public const int TdxMrOwner = 232;
    public const int TdxMrOwnerConfig = 280;
    public const int TdxRtmr0 = 328;
    public const int TdxReportData = 520;
    public const int TdxTeeTcbSvn2 = 584;
    public const int TdxMrServiceTd = 600;

    public const int EcdsaSignatureLength = 64;
    public const int EcdsaKeyLength = 64;

    public const ushort AttestationKeyEcdsaP256 = 2;
    public const uint TeeTypeSgx = 0x00000000;
    public const uint TeeTypeTdx = 0x00000081;
    public const ushort CertDataPckChain = 5;
    public const ushort CertDataQeReport = 6;

    public static ReadOnlySpan<byte> IntelQeVendorId =>
        [0x93, 0x9A, 0x72, 0x33, 0xF7, 0x9C, 0x4C, 0xA9, 0x94, 0x0A, 0x0D, 0xB3, 0x95, 0x7F, 0x06, 0x07];
}
