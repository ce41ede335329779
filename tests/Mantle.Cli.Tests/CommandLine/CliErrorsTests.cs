using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Grpc.Core;
using Mantle.Attestation;
using Mantle.Cli.CommandLine;
using Mantle.Client.Inference;
using Mantle.KeyBroker.Client;
using Mantle.Sealing;

namespace Mantle.Cli.Tests.CommandLine;

public sealed class CliErrorsTests
{
    [Fact]
    public void From_UnexpectedException_FailureNamingTheTypeAndTheDebugSwitch()
    {
        var error = CliErrors.From(new NotSupportedException("boom"));

        Assert.Equal(CliErrorCodes.Failure, error.Code);
        Assert.Equal(1, error.ExitCode);
        Assert.Contains("NotSupportedException: boom", error.Message, StringComparison.Ordinal);
        Assert.Contains("MANTLE_DEBUG=1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_GrpcConnectionRefused_UnreachableInPlainWords()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:1)", new SocketException((int)SocketError.ConnectionRefused));
        var rpc = new RpcException(new Status(StatusCode.Unavailable, "Error connecting to subchannel.", refused));
        CommandScope.Begin();

        var error = CliErrors.From(new InferenceClientException("Unavailable", "Error connecting to subchannel.", rpc));

        Assert.Equal(CliErrorCodes.Unreachable, error.Code);
        Assert.Equal(4, error.ExitCode);
        Assert.StartsWith("Cannot reach the server: the connection was refused (nothing listens on that port).", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("subchannel", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_NameNotFound_SaysWhichHost()
    {
        CommandScope.Begin();
        CommandScope.TalkingTo(new Uri("http://nosuch.example:8501/"), "the server");

        var error = CliErrors.From(new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known (nosuch.example:8501)"));

        Assert.Equal(CliErrorCodes.Unreachable, error.Code);
        Assert.Equal("http://nosuch.example:8501/", error.Url);
        Assert.Contains("Cannot reach the server at http://nosuch.example:8501/: the host name 'nosuch.example' was not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_TlsFailure_SaysTheHandshakeFailedAndWhatToCheck()
    {
        var error = CliErrors.From(new HttpRequestException(HttpRequestError.SecureConnectionError, "SSL failed", new AuthenticationException("The remote certificate is invalid.")));

        Assert.Equal(CliErrorCodes.Unreachable, error.Code);
        Assert.Contains("the TLS handshake failed (The remote certificate is invalid)", error.Message, StringComparison.Ordinal);
        Assert.Contains("--ca", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.Conflict, CliErrorCodes.Usage)]
    [InlineData(HttpStatusCode.NotFound, CliErrorCodes.Usage)]
    [InlineData(HttpStatusCode.Forbidden, CliErrorCodes.Refused)]
    [InlineData(HttpStatusCode.InternalServerError, CliErrorCodes.RemoteError)]
    public void From_BrokerAnswer_CodeByStatus(HttpStatusCode status, string code)
    {
        var error = CliErrors.From(new KeyBrokerException(status, "Title", "what to do"));

        Assert.Equal(code, error.Code);
        Assert.Contains($"answered {(int)status} Title: what to do", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_BrokerTransportFailure_Unreachable()
    {
        var error = CliErrors.From(new KeyBrokerException("Cannot reach the broker", new HttpRequestException(HttpRequestError.ConnectionError, "x", new SocketException((int)SocketError.TimedOut))));

        Assert.Equal(CliErrorCodes.Unreachable, error.Code);
        Assert.Contains("connecting timed out", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SealingErrorCode.ChunkAuthenticationFailed, CliErrorCodes.Refused)]
    [InlineData(SealingErrorCode.ManifestSignatureInvalid, CliErrorCodes.Refused)]
    [InlineData(SealingErrorCode.OutputExists, CliErrorCodes.FileUnusable)]
    [InlineData(SealingErrorCode.InvalidKey, CliErrorCodes.InvalidFile)]
    [InlineData(SealingErrorCode.KeyNotFound, CliErrorCodes.Usage)]
    public void From_SealingRefusal_KeepsItsCodeAsDetail(SealingErrorCode sealingCode, string code)
    {
        var error = CliErrors.From(new SealingException(sealingCode, "why"));

        Assert.Equal(code, error.Code);
        Assert.Equal(sealingCode.ToString(), error.DetailCode);
    }

    [Fact]
    public void CodeOf_EverySealingAndAttestationCode_IsAUsageErrorOrARefusalOrAFailure()
    {
        Assert.All(Enum.GetValues<SealingErrorCode>(), code => Assert.Contains(CliErrorCodes.ExitCodeOf(CliErrors.CodeOf(code)), new[] { 2, 3 }));
        Assert.All(Enum.GetValues<AttestationErrorCode>(), code => Assert.Contains(CliErrorCodes.ExitCodeOf(CliErrors.CodeOf(code)), new[] { 1, 2, 3 }));
    }

    [Fact]
    public void From_ArgumentException_UsageWithoutTheParameterName()
    {
        var error = CliErrors.From(new ArgumentException("--top must be at least 1.", "top"));

        Assert.Equal(CliErrorCodes.Usage, error.Code);
        Assert.Equal("--top must be at least 1.", error.Message);
    }

    [Fact]
    public void OneLine_MultiLineMessage_BecomesOneLine()
    {
        Assert.Equal("Must be one of: 'a' 'b'", ErrorOutput.OneLine("Must be one of:\n\t'a'\r\n\t'b'"));
    }
}
