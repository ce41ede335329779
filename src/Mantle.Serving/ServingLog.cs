using Microsoft.Extensions.Logging;

namespace Mantle.Serving;

/// <summary>The serving engine's log messages, with stable event ids.</summary>
internal static partial class ServingLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Loaded model {Model} version {Version} ({Kind}) from {Path} in {ElapsedMs} ms")]
    public static partial void VersionLoaded(ILogger logger, string model, long version, string kind, string path, long elapsedMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Failed to load model {Model} version {Version}: {Reason}")]
    public static partial void VersionLoadFailed(ILogger logger, string model, long version, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Unloaded model {Model} version {Version}")]
    public static partial void VersionUnloaded(ILogger logger, string model, long version);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Model {Model}: cannot list versions under {BasePath}: {Reason}")]
    public static partial void BasePathUnreadable(ILogger logger, string model, string basePath, string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "Polling the model repository failed; the loaded versions keep serving")]
    public static partial void PollFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "Refused model {Model} version {Version}; it is not served: {Reason}")]
    public static partial void VersionRefused(ILogger logger, string model, long version, string reason);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Serving {Api} on {Address}")]
    public static partial void Listening(ILogger logger, string api, Uri address);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Model {Model} versions available: {Versions}")]
    public static partial void ModelReady(ILogger logger, string model, string versions);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Model {Model} label {Label} points at version {Version}, which is not available; lookups by this label fail until it is")]
    public static partial void LabelUnavailable(ILogger logger, string model, string label, long version);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Reloaded model config file {Path}: models {Models}")]
    public static partial void ConfigReloaded(ILogger logger, string path, string models);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Error, Message = "Model config file {Path} was not applied; the previous configuration keeps serving: {Reason}")]
    public static partial void ConfigReloadFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Serving without TLS on {Address}: anything that carries the requests can read and change them; use it on loopback or a trusted network only")]
    public static partial void Plaintext(ILogger logger, Uri address);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Error, Message = "REST request {Method} {Path} failed with an unexpected fault; it was answered with 500")]
    public static partial void RestFault(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Error, Message = "gRPC call {Method} failed with an unexpected fault; it was answered with INTERNAL")]
    public static partial void GrpcFault(ILogger logger, string method, Exception exception);
}
