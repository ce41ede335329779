using Microsoft.Extensions.Logging;

namespace Mantle.Serving.KServe.Internal;

internal static partial class KServeLog
{
    [LoggerMessage(EventId = 2301, Level = LogLevel.Debug, Message = "KServe {Api} request for model '{Model}' refused ({Code}): {Reason}")]
    public static partial void RequestRefused(ILogger logger, string api, string model, Mantle.Serving.Engine.ServingErrorCode code, string reason);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Error, Message = "KServe {Api} inference of model '{Model}' failed in the backend: {Reason}")]
    public static partial void BackendFailed(ILogger logger, string api, string model, string reason);
}
