using System.Buffers.Binary;
using System.Security.Cryptography;
using Mantle.Attestation.Intel.Internal;

namespace Mantle.Attestation.Intel;

/// <summary>
/// An SGX enclave signature structure (SIGSTRUCT): what <c>gramine-sgx-sign</c> writes to <c>NAME.sig</c> and the Intel
/// SDK's <c>sgx_sign dump -cssfile</c> writes out. It names the identity a quote of the enclave will carry: MRENCLAVE
/// (ENCLAVEHASH), MRSIGNER (SHA-256 of the signer's RSA-3072 modulus as stored), ISVPRODID and ISVSVN, and the
/// attributes (debug or not). Parsing checks the fixed header bytes and the RSA signature over the signed parts, so a
/// damaged or edited file is refused.
/// </summary>
public sealed class SgxSigStruct
{
    /// <summary>The size of a SIGSTRUCT in bytes.</summary>
    public const int Length = SigStructLayout.Length;

    private SgxSigStruct()
    {
    }

    /// <summary>MRENCLAVE (ENCLAVEHASH), lower-case hex of 32 bytes: the claim <c>measurement</c> of the enclave's quotes.</summary>
    public required string MrEnclave { get; init; }

    /// <summary>MRSIGNER, lower-case hex of SHA-256 over the 384-byte modulus: the claim <c>signer</c>.</summary>
    public required string MrSigner { get; init; }

    /// <summary>ISVPRODID: the claim <c>product_id</c>.</summary>
    public required int IsvProdId { get; init; }

    /// <summary>ISVSVN: the claim <c>svn</c>.</summary>
    public required int IsvSvn { get; init; }

    /// <summary>ATTRIBUTES (FLAGS ‖ XFRM), lower-case hex of 16 bytes.</summary>
    public required string Attributes { get; init; }

    /// <summary>ATTRIBUTEMASK, lower-case hex of 16 bytes.</summary>
    public required string AttributeMask { get; init; }

    /// <summary>MISCSELECT, lower-case hex of its 4 bytes as stored (as the claim <c>sgx.misc_select</c>).</summary>
    public required string MiscSelect { get; init; }

    /// <summary>ISVFAMILYID, lower-case hex of 16 bytes.</summary>
    public required string IsvFamilyId { get; init; }

    /// <summary>ISVEXTPRODID, lower-case hex of 16 bytes.</summary>
    public required string IsvExtProdId { get; init; }

    /// <summary>True when ATTRIBUTES has the DEBUG flag: the enclave launches in debug mode, and the host can read its memory.</summary>
    public required bool Debug { get; init; }

    /// <summary>True when VENDOR says an Intel enclave (0x8086).</summary>
    public required bool IntelVendor { get; init; }

    /// <summary>The signing date (DATE, yyyymmdd in BCD), or null when it is not a valid date.</summary>
    public DateOnly? Date { get; init; }

    /// <summary>Reads and parses a SIGSTRUCT file.</summary>
    /// <exception cref="AttestationException">The file cannot be read, or its contents are refused (see <see cref="Parse"/>).</exception>
    public static SgxSigStruct Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AttestationException(AttestationErrorCode.MalformedEvidence, $"Cannot read the SIGSTRUCT file '{path}': {ex.Message}", ex);
        }

        try
        {
            return Parse(bytes);
        }
        catch (AttestationException ex)
        {
            throw new AttestationException(ex.Code, $"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Parses a SIGSTRUCT and checks its signature.</summary>
    /// <exception cref="AttestationException">
    /// <see cref="AttestationErrorCode.MalformedEvidence"/>: not 1808 bytes, wrong fixed header bytes, or an exponent other
    /// than 3; <see cref="AttestationErrorCode.InvalidSignature"/>: the signature does not verify with the modulus it carries.
    /// </exception>
    public static SgxSigStruct Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw Malformed($"is {bytes.Length} bytes; a SIGSTRUCT is {Length} bytes (the .sig file that gramine-sgx-sign writes)");
        }

        if (!bytes.Slice(SigStructLayout.Header, 16).SequenceEqual(SigStructLayout.HeaderBytes)
            || !bytes.Slice(SigStructLayout.Header2, 16).SequenceEqual(SigStructLayout.Header2Bytes))
        {
            throw Malformed("does not start with the SIGSTRUCT header bytes (06000000E1000000…, 01010000600000006000000001000000)");
        }

        var exponent = BinaryPrimitives.ReadUInt32LittleEndian(bytes[SigStructLayout.Exponent..]);
        if (exponent != 3)
        {
            throw Malformed($"has RSA exponent {exponent}; SGX requires 3, so no processor would launch this enclave");
        }

        var modulus = bytes.Slice(SigStructLayout.Modulus, SigStructLayout.ModulusLength);
        VerifySignature(bytes, modulus);

        var vendor = BinaryPrimitives.ReadUInt32LittleEndian(bytes[SigStructLayout.Vendor..]);
        var attributes = bytes.Slice(SigStructLayout.Attributes, 16);
        return new SgxSigStruct
        {
            MrEnclave = Hex(bytes, SigStructLayout.EnclaveHash, 32),
            MrSigner = Convert.ToHexStringLower(SHA256.HashData(modulus)),
            IsvProdId = BinaryPrimitives.ReadUInt16LittleEndian(bytes[SigStructLayout.IsvProdId..]),
            IsvSvn = BinaryPrimitives.ReadUInt16LittleEndian(bytes[SigStructLayout.IsvSvn..]),
            Attributes = Convert.ToHexStringLower(attributes),
            AttributeMask = Hex(bytes, SigStructLayout.AttributeMask, 16),
            MiscSelect = Hex(bytes, SigStructLayout.MiscSelect, 4),
            IsvFamilyId = Hex(bytes, SigStructLayout.IsvFamilyId, 16),
            IsvExtProdId = Hex(bytes, SigStructLayout.IsvExtProdId, 16),
            Debug = (attributes[0] & SigStructLayout.DebugFlag) != 0,
            IntelVendor = vendor == 0x8086,
            Date = ReadBcdDate(BinaryPrimitives.ReadUInt32LittleEndian(bytes[SigStructLayout.Date..])),
        };
    }

    /// <summary>RSA-3072, PKCS#1 v1.5 with SHA-256 over header ‖ body; modulus and signature are stored little-endian.</summary>
    private static void VerifySignature(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> modulusLittleEndian)
    {
        var modulus = modulusLittleEndian.ToArray();
        Array.Reverse(modulus);
        var signature = bytes.Slice(SigStructLayout.Signature, SigStructLayout.ModulusLength).ToArray();
        Array.Reverse(signature);
        var signed = new byte[SigStructLayout.SignedHeaderLength + SigStructLayout.SignedBodyLength];
        bytes[..SigStructLayout.SignedHeaderLength].CopyTo(signed);
        bytes.Slice(SigStructLayout.MiscSelect, SigStructLayout.SignedBodyLength).CopyTo(signed.AsSpan(SigStructLayout.SignedHeaderLength));

        bool valid;
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = [3] });
            valid = rsa.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException ex)
        {
            throw new AttestationException(AttestationErrorCode.MalformedEvidence, $"The SIGSTRUCT's modulus is not a usable RSA-3072 public key: {ex.Message}", ex);
        }

        if (!valid)
        {
            throw new AttestationException(
                AttestationErrorCode.InvalidSignature,
                "The SIGSTRUCT's signature does not verify with the modulus it carries: the file was damaged or edited after signing. Sign the enclave again (gramine-sgx-sign).");
        }
    }

    private static DateOnly? ReadBcdDate(uint value)
    {
        var digits = new int[8];
        for (var i = 7; i >= 0; i--)
        {
            var nibble = (int)(value & 0xF);
            if (nibble > 9)
            {
                return null;
            }

            digits[i] = nibble;
            value >>= 4;
        }

        var year = (digits[0] * 1000) + (digits[1] * 100) + (digits[2] * 10) + digits[3];
        var month = (digits[4] * 10) + digits[5];
        var day = (digits[6] * 10) + digits[7];
        return year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
            ? new DateOnly(year, month, day)
            : null;
    }

    private static string Hex(ReadOnlySpan<byte> bytes, int offset, int length) => Convert.ToHexStringLower(bytes.Slice(offset, length));

    private static AttestationException Malformed(string what) =>
        new(AttestationErrorCode.MalformedEvidence, $"The file {what}.");
}
