using Grpc.Core;
using Mantle.Serving.Engine;
using Mantle.Serving.Protocol.Internal;
using Mantle.Serving.TfServing.Internal;

namespace Mantle.Serving.Tests.Protocol.Internal;

public sealed class ServingStatusCodesTests
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
        Assert.Equal(http, ServingStatusCodes.ToHttp(code));
        Assert.Equal(grpc, ServingStatusCodes.ToGrpc(code));
        Assert.Equal((int)grpc, (int)TfStatusMapping.ToTf(code));
        Assert.Equal(code, ServingStatusCodes.FromGrpc(grpc));
    }

    [Theory]
    [InlineData(StatusCode.Unknown)]
    [InlineData(StatusCode.Cancelled)]
    [InlineData(StatusCode.DeadlineExceeded)]
    [InlineData(StatusCode.DataLoss)]
    public void FromGrpc_CodeWithoutServingKind_IsInternal(StatusCode grpc) =>
        Assert.Equal(ServingErrorCode.Internal, ServingStatusCodes.FromGrpc(grpc));
}
