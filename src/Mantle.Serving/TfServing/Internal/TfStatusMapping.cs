using Mantle.Serving.Engine;
using Mantle.Serving.Protocol.Internal;

namespace Mantle.Serving.TfServing.Internal;

/// <summary>Maps serving errors to TensorFlow error codes (the canonical gRPC numbering, as TF Serving's status protos use).</summary>
internal static class TfStatusMapping
{
    public static Tensorflow.Error.Code ToTf(ServingErrorCode code) => (Tensorflow.Error.Code)(int)ServingStatusCodes.ToGrpc(code);
}
