using Mantle.Serving.Engine;
using Microsoft.Extensions.Logging;

namespace Mantle.Serving.TfServing.Internal;

/// <summary>Log messages of the TF Serving APIs (event ids 2100–2199). Never logs tensor data.</summary>
internal static partial class TfServingLog
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "TF Serving REST request for model {Model} refused: {Code}")]
    public static partial void RestRequestFailed(ILogger logger, string model, ServingErrorCode code);
}
