using Microsoft.Extensions.Logging;

namespace Mantle.Serving.Confidential.Internal;

/// <summary>Log messages of the confidential start, with stable event ids. Never keys, tokens or evidence bytes.</summary>
internal static partial class ConfidentialLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Attested to the key broker {Broker} as {Tee} measurement {Measurement} (TCB {TcbStatus}) in {ElapsedMs} ms; token valid until {Expires:O}")]
    public static partial void Attested(ILogger logger, Uri broker, string tee, string measurement, string tcbStatus, long elapsedMs, DateTimeOffset? expires);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "The key broker {Broker} is not reachable (attempt {Attempt}, retrying in {DelayMs} ms): {Reason}")]
    public static partial void BrokerRetry(ILogger logger, Uri broker, int attempt, long delayMs, string reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Received model key {KeyId} from the key broker in {ElapsedMs} ms")]
    public static partial void KeyReleased(ILogger logger, string keyId, long elapsedMs);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "The key broker no longer releases model key {KeyId} ({Reason}); unloading the versions sealed with it: {Versions}")]
    public static partial void KeyWithdrawn(ILogger logger, string keyId, string reason, string versions);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Could not check model key {KeyId} with the key broker; the versions using it keep serving: {Reason}")]
    public static partial void KeyCheckFailed(ILogger logger, string keyId, string reason);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Information, Message = "TLS certificate ({Mode}) for {Names}, valid until {NotAfter:O}")]
    public static partial void CertificateReady(ILogger logger, string mode, string names, DateTime notAfter);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "Renewing the TLS certificate ({Mode}) failed; the current one stays until {NotAfter:O}, retrying in {RetryMs} ms: {Reason}")]
    public static partial void CertificateRenewalFailed(ILogger logger, string mode, DateTime notAfter, long retryMs, string reason);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Information, Message = "Confidential start done in {ElapsedMs} ms: attestation {AttestMs} ms, {Keys} model keys released in {ReleaseMs} ms, ready")]
    public static partial void Ready(ILogger logger, long elapsedMs, long attestMs, int keys, long releaseMs);
}
