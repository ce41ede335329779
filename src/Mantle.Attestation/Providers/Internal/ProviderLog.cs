using Microsoft.Extensions.Logging;

namespace Mantle.Attestation.Providers.Internal;

internal static partial class ProviderLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "configfs-tsm entry {Entry} changed while it was read (generation {Before} -> {After}); retrying (attempt {Attempt}).")]
    public static partial void TsmGenerationMoved(ILogger logger, string entry, long before, long after, int attempt);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "configfs-tsm entry {Entry} could not be removed: {Reason}")]
    public static partial void TsmEntryLeft(ILogger logger, string entry, string reason);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Debug, Message = "{Tee} evidence obtained from {Source} ({Length} bytes).")]
    public static partial void EvidenceObtained(ILogger logger, TeeType tee, string source, int length);
}
