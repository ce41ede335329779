using Microsoft.Extensions.Logging;

namespace Mantle.Attestation.Intel.Internal;

internal static partial class IntelLog
{
    [LoggerMessage(EventId = 4201, Level = LogLevel.Debug, Message = "Intel {Tee} quote verified: FMSPC {Fmspc}, TCB status {TcbStatus}.")]
    public static partial void QuoteVerified(ILogger logger, TeeType tee, string fmspc, string tcbStatus);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Intel {Tee} quote refused ({Code}): {Reason}")]
    public static partial void QuoteRefused(ILogger logger, TeeType tee, AttestationErrorCode code, string reason);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Information, Message = "Fetching Intel collateral for {Tee} FMSPC {Fmspc} ({PckCa} CA) from {BaseUrl}.")]
    public static partial void CollateralFetching(ILogger logger, TeeType tee, string fmspc, string pckCa, Uri baseUrl);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Warning, Message = "Intel collateral request failed: {Url}: {Reason}")]
    public static partial void CollateralFetchFailed(ILogger logger, Uri url, string reason);

    [LoggerMessage(EventId = 4205, Level = LogLevel.Debug, Message = "Intel collateral for {Tee} FMSPC {Fmspc} cached until {Expires:u}.")]
    public static partial void CollateralCached(ILogger logger, TeeType tee, string fmspc, DateTimeOffset expires);
}
