using Grpc.Core;
using Mantle.Serving.Engine;
using Mantle.Serving.TfServing.Internal;

namespace Mantle.Serving.Tests.TfServing.Internal;

public sealed class TfStatusMappingTests
{
    [Theory]
    [InlineData(ServingErrorCode.InvalidArgument, 400, StatusCode.InvalidArgument)]
    [InlineData(ServingErrorCode.FailedPrecondition, 400, StatusCode.FailedPrecondition)]
    [InlineData(ServingErrorCode.NotFound, 404, StatusCode.NotFound)]
    [InlineData(ServingErrorCode.ResourceExhausted, 429, StatusCode.ResourceExhausted)]
    [InlineData(ServingErrorCode.Unimplemented, 501, StatusCode.Unimplemented)]
    [InlineData(ServingErrorCode.Unavailable, 503, StatusCode.Unavailable)]
    [InlineData(ServingErrorCode.Internal, 500, StatusCode.Internal)]
    public void Mapping_EveryCode_FollowsTfServingTable(ServingErrorCode code, int http, StatusCode grpc)
    {
        Assert.Equal(http, TfStatusMapping.ToHttp(code));
        Assert.Equal(grpc, TfStatusMapping.ToGrpc(code));
        Assert.Equal((int)grpc, (int)TfStatusMapping.ToTf(code));
        Assert.Equal(code, TfStatusMapping.FromGrpc(grpc));
    }
}
