using System.Buffers.Binary;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>
/// Evaluates a platform against TCB info and a quoting enclave against QE identity, and combines the
/// results the way Intel's quote verification library does.
/// </summary>
internal static class TcbEvaluator
{
    public sealed record Result(string Status, string[] Advisories);

    /// <summary>The first TCB level (Intel orders them newest first) that the platform reaches.</summary>
    public static TcbLevel? FindPlatformLevel(TcbInfo info, PckExtensions pck, ReadOnlySpan<byte> teeTcbSvn)
    {
        foreach (var level in info.Levels)
        {
            if (pck.PceSvn < level.PceSvn || !AtLeast(pck.TcbComponents, level.SgxComponents))
            {
                continue;
            }

            if (!teeTcbSvn.IsEmpty)
            {
                if (level.TdxComponents is null)
                {
                    continue;
                }

                // With a versioned TDX module, bytes 0 and 1 (module SVN and version) are judged by the
                // module identity instead of the platform levels.
                var start = teeTcbSvn[1] > 0 && info.TdxModuleIdentities.Count > 0 ? 2 : 0;
                var reached = true;
                for (var i = start; i < 16 && reached; i++)
                {
                    reached = teeTcbSvn[i] >= level.TdxComponents[i];
                }

                if (!reached)
                {
                    continue;
                }
            }

            return level;
        }

        return null;
    }

    /// <summary>Checks the TDX module's signer and attributes and returns the module's own TCB level, if versioned.</summary>
    public static IsvSvnLevel? CheckTdxModule(TcbInfo info, ReadOnlySpan<byte> tdBody)
    {
        var teeTcbSvn = tdBody.Slice(ReportLayout.TdxTeeTcbSvn, 16);
        var mrSignerSeam = tdBody.Slice(ReportLayout.TdxMrSignerSeam, 48);
        var seamAttributes = tdBody.Slice(ReportLayout.TdxSeamAttributes, 8);
        var version = teeTcbSvn[1];
        var identity = info.TdxModule!;
        if (version > 0 && info.TdxModuleIdentities.Count > 0)
        {
            var id = $"TDX_{version:X2}";
            identity = info.TdxModuleIdentities.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase))
                ?? throw IntelErrors.Collateral($"The TCB info has no identity for TDX module {id}; the TD runs a TDX module that Intel's TCB info does not list.");
        }

        if (!mrSignerSeam.SequenceEqual(identity.MrSigner) || !MaskedEqual(seamAttributes, identity.Attributes, identity.AttributesMask))
        {
            throw IntelErrors.Collateral($"The TDX module's MRSIGNERSEAM or SEAM attributes do not match TDX module identity '{identity.Id}' of the TCB info.");
        }

        if (identity.Levels.Length == 0)
        {
            return null;
        }

        foreach (var level in identity.Levels)
        {
            if (teeTcbSvn[0] >= level.IsvSvn)
            {
                return level;
            }
        }

        return new IsvSvnLevel(teeTcbSvn[0], IntelTcbStatus.TcbLevelNotSupported, []);
    }

    /// <summary>Checks the QE report against the QE identity and returns its TCB level.</summary>
    public static IsvSvnLevel EvaluateQe(EnclaveIdentity identity, ReadOnlySpan<byte> qeReport)
    {
        var miscSelect = BinaryPrimitives.ReadUInt32LittleEndian(qeReport.Slice(ReportLayout.SgxMiscSelect, 4));
        var attributes = qeReport.Slice(ReportLayout.SgxAttributes, 16);
        var mrSigner = qeReport.Slice(ReportLayout.SgxMrSigner, 32);
        var prodId = BinaryPrimitives.ReadUInt16LittleEndian(qeReport.Slice(ReportLayout.SgxIsvProdId, 2));
        var isvSvn = BinaryPrimitives.ReadUInt16LittleEndian(qeReport.Slice(ReportLayout.SgxIsvSvn, 2));

        if (!mrSigner.SequenceEqual(identity.MrSigner) || prodId != identity.IsvProdId)
        {
            throw IntelErrors.Collateral($"The quoting enclave (MRSIGNER {Convert.ToHexStringLower(mrSigner)}, ISVPRODID {prodId}) is not the one that QE identity '{identity.Id}' describes.");
        }

        if ((miscSelect & identity.MiscSelectMask) != (identity.MiscSelect & identity.MiscSelectMask) ||
            !MaskedEqual(attributes, identity.Attributes, identity.AttributesMask))
        {
            throw IntelErrors.Collateral($"The quoting enclave's MISCSELECT or ATTRIBUTES do not match QE identity '{identity.Id}'.");
        }

        foreach (var level in identity.Levels)
        {
            if (isvSvn >= level.IsvSvn)
            {
                return level;
            }
        }

        return new IsvSvnLevel(isvSvn, IntelTcbStatus.Revoked, []);
    }

    /// <summary>Folds a component's status (QE or TDX module) into the platform status.</summary>
    public static string Converge(string platform, string component) => component switch
    {
        IntelTcbStatus.OutOfDate => platform switch
        {
            IntelTcbStatus.UpToDate or IntelTcbStatus.SWHardeningNeeded => IntelTcbStatus.OutOfDate,
            IntelTcbStatus.ConfigurationNeeded or IntelTcbStatus.ConfigurationAndSWHardeningNeeded => IntelTcbStatus.OutOfDateConfigurationNeeded,
            _ => platform,
        },
        IntelTcbStatus.Revoked => IntelTcbStatus.Revoked,
        IntelTcbStatus.TcbLevelNotSupported => IntelTcbStatus.TcbLevelNotSupported,
        _ => platform,
    };

    private static bool AtLeast(int[] actual, int[] required)
    {
        for (var i = 0; i < 16; i++)
        {
            if (actual[i] < required[i])
            {
                return false;
            }
        }

        return true;
    }

    private static bool MaskedEqual(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> mask)
    {
        for (var i = 0; i < actual.Length; i++)
        {
            if ((actual[i] & mask[i]) != (expected[i] & mask[i]))
            {
                return false;
            }
        }

        return true;
    }
}
