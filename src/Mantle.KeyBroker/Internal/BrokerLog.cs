using Microsoft.Extensions.Logging;

namespace Mantle.KeyBroker.Internal;

/// <summary>The broker's log messages. None carries key material, tokens, nonces or resource bytes.</summary>
internal static partial class BrokerLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Key broker storage ready: {Kind}, schema migrated")]
    public static partial void StorageReady(ILogger logger, string kind);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Session started for TEE {Tee}")]
    public static partial void SessionStarted(ILogger logger, string tee);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Attestation accepted: TEE {Tee}, key {KeyThumbprint}")]
    public static partial void AttestationAccepted(ILogger logger, string tee, string keyThumbprint);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Attestation refused ({Status}): {Reason}")]
    public static partial void AttestationRefused(ILogger logger, int status, string reason);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Resource {Path} version {Version} released to key {KeyThumbprint}")]
    public static partial void ResourceReleased(ILogger logger, string path, long version, string keyThumbprint);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "Release of {Path} refused: {Reason}")]
    public static partial void ReleaseRefused(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information, Message = "Certificate issued for {DnsNames} to key {KeyThumbprint}, valid until {NotAfter:o}")]
    public static partial void CertificateIssued(ILogger logger, string dnsNames, string keyThumbprint, DateTime notAfter);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Warning, Message = "Certificate refused: {Reason}")]
    public static partial void CertificateRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Warning, Message = "Admin request refused ({Reason}) from {Remote}")]
    public static partial void AdminUnauthenticated(ILogger logger, string reason, string remote);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Information, Message = "Admin {Actor}: {Action} {Subject}")]
    public static partial void AdminChange(ILogger logger, string actor, string action, string subject);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "Rate limit reached for {Remote} on {Path}")]
    public static partial void RateLimited(ILogger logger, string remote, string path);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Warning, Message = "Bad request on {Path}: {Reason}")]
    public static partial void BadRequest(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Error, Message = "Resource {Path} version {Version} does not decrypt under the master key (database altered or wrong master key)")]
    public static partial void StoredResourceUnreadable(ILogger logger, string path, long version);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Error, Message = "Request {Method} {Path} failed with an unexpected fault; it was answered with 500")]
    public static partial void UnexpectedFault(ILogger logger, string method, string path, Exception exception);
}
