using Mantle.Serving.Engine;

namespace Mantle.Serving.KServe.Internal;

/// <summary>Thrown inside the request codecs for a malformed request; caught at the API boundary and answered as an error.</summary>
internal sealed class KServeRequestException(string message, ServingErrorCode code = ServingErrorCode.InvalidArgument, int? httpStatus = null) : Exception(message)
{
    public ServingErrorCode Code { get; } = code;

    /// <summary>The HTTP status when it differs from the code's usual one (413 for an oversized body).</summary>
    public int? HttpStatus { get; } = httpStatus;
}
