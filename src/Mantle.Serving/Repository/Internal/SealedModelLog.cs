using Microsoft.Extensions.Logging;

namespace Mantle.Serving.Repository.Internal;

/// <summary>Log messages of the sealed-model source, with stable event ids.</summary>
internal static partial class SealedModelLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Verified the manifest of sealed model {ManifestName} version {ManifestVersion} in {Folder} (owner key {OwnerKey}, model key {KeyId})")]
    public static partial void ManifestVerified(ILogger logger, string manifestName, string manifestVersion, string folder, string ownerKey, string keyId);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Unsealed {File} ({Bytes} bytes, {FileCount} file(s)) from {Folder} into memory in {ElapsedMs} ms")]
    public static partial void Unsealed(ILogger logger, string file, long bytes, int fileCount, string folder, long elapsedMs);
}
