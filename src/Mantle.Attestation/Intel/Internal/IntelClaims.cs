using System.Buffers.Binary;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>Turns a verified quote into normalized claims and <c>sgx.*</c> / <c>tdx.*</c> TEE claims.</summary>
internal static class IntelClaims
{
    public static AttestationClaims Build(DcapQuote quote, PckExtensions pck, TcbEvaluator.Result tcb)
    {
        var body = quote.Body.Span;
        var claims = new Dictionary<string, object>(StringComparer.Ordinal);
        string measurement;
        string? signer = null;
        int? productId = null, svn = null;
        bool debug;

        if (quote.Tee == TeeType.Sgx)
        {
            var attributes = body.Slice(ReportLayout.SgxAttributes, 16);
            debug = (attributes[0] & 0x02) != 0;
            measurement = Hex(body, ReportLayout.SgxMrEnclave, 32);
            signer = Hex(body, ReportLayout.SgxMrSigner, 32);
            productId = BinaryPrimitives.ReadUInt16LittleEndian(body[ReportLayout.SgxIsvProdId..]);
            svn = BinaryPrimitives.ReadUInt16LittleEndian(body[ReportLayout.SgxIsvSvn..]);
            claims["sgx.mr_enclave"] = measurement;
            claims["sgx.mr_signer"] = signer;
            claims["sgx.isv_prod_id"] = (long)productId.Value;
            claims["sgx.isv_svn"] = (long)svn.Value;
            claims["sgx.attributes"] = Convert.ToHexStringLower(attributes);
            claims["sgx.misc_select"] = Hex(body, ReportLayout.SgxMiscSelect, 4);
            claims["sgx.cpu_svn"] = Hex(body, ReportLayout.SgxCpuSvn, 16);
            claims["sgx.config_id"] = Hex(body, ReportLayout.SgxConfigId, 64);
            claims["sgx.config_svn"] = (long)BinaryPrimitives.ReadUInt16LittleEndian(body[ReportLayout.SgxConfigSvn..]);
            claims["sgx.isv_ext_prod_id"] = Hex(body, ReportLayout.SgxIsvExtProdId, 16);
            claims["sgx.isv_family_id"] = Hex(body, ReportLayout.SgxIsvFamilyId, 16);
        }
        else
        {
            debug = (body[ReportLayout.TdxTdAttributes] & 0x01) != 0;
            measurement = Hex(body, ReportLayout.TdxMrTd, 48);
            claims["tdx.mr_td"] = measurement;
            for (var i = 0; i < 4; i++)
            {
                claims[$"tdx.rtmr{i}"] = Hex(body, ReportLayout.TdxRtmr0 + (48 * i), 48);
            }

            claims["tdx.mr_config_id"] = Hex(body, ReportLayout.TdxMrConfigId, 48);
            claims["tdx.mr_owner"] = Hex(body, ReportLayout.TdxMrOwner, 48);
            claims["tdx.mr_owner_config"] = Hex(body, ReportLayout.TdxMrOwnerConfig, 48);
            claims["tdx.td_attributes"] = Hex(body, ReportLayout.TdxTdAttributes, 8);
            claims["tdx.xfam"] = Hex(body, ReportLayout.TdxXfam, 8);
            claims["tdx.tee_tcb_svn"] = Hex(body, ReportLayout.TdxTeeTcbSvn, 16);
            claims["tdx.mr_seam"] = Hex(body, ReportLayout.TdxMrSeam, 48);
            claims["tdx.mr_signer_seam"] = Hex(body, ReportLayout.TdxMrSignerSeam, 48);
            claims["tdx.seam_attributes"] = Hex(body, ReportLayout.TdxSeamAttributes, 8);
            if (quote.BodyType == 3)
            {
                claims["tdx.tee_tcb_svn2"] = Hex(body, ReportLayout.TdxTeeTcbSvn2, 16);
                claims["tdx.mr_service_td"] = Hex(body, ReportLayout.TdxMrServiceTd, 48);
            }
        }

        var prefix = quote.Tee == TeeType.Sgx ? "sgx." : "tdx.";
        claims[prefix + "debug"] = debug;
        claims[prefix + "quote_version"] = (long)quote.Version;
        claims[prefix + "fmspc"] = pck.Fmspc.ToLowerInvariant();
        claims[prefix + "pce_id"] = pck.PceId.ToLowerInvariant();
        claims[prefix + "pce_svn"] = (long)pck.PceSvn;
        claims[prefix + "tcb_cpu_svn"] = Convert.ToHexStringLower(pck.CpuSvn);

        return new AttestationClaims
        {
            Tee = quote.Tee,
            Measurement = measurement,
            Signer = signer,
            ProductId = productId,
            Svn = svn,
            Debug = debug,
            TcbStatus = tcb.Status,
            AdvisoryIds = tcb.Advisories,
            ReportData = quote.ReportData.ToArray(),
            TeeClaims = claims,
        };
    }

    private static string Hex(ReadOnlySpan<byte> body, int offset, int length) => Convert.ToHexStringLower(body.Slice(offset, length));
}
