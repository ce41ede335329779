using Microsoft.Extensions.Logging;

namespace Mantle.Attestation.Snp.Internal;

internal static partial class SnpLog
{
    [LoggerMessage(EventId = 4301, Level = LogLevel.Debug, Message = "SEV-SNP report verified: product {Product}, signing key {SigningKey}, reported TCB {Tcb}.")]
    public static partial void ReportVerified(ILogger logger, SnpProduct product, string signingKey, SnpTcb tcb);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Information, Message = "SEV-SNP report refused ({Code}): {Reason}")]
    public static partial void ReportRefused(ILogger logger, AttestationErrorCode code, string reason);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Information, Message = "Fetching SEV-SNP collateral from AMD KDS: {Url}")]
    public static partial void KdsFetching(ILogger logger, Uri url);

    [LoggerMessage(EventId = 4304, Level = LogLevel.Warning, Message = "AMD KDS request failed: {Url}: {Reason}")]
    public static partial void KdsFailed(ILogger logger, Uri url, string reason);
}
