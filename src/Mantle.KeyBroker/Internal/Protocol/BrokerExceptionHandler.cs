using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mantle.KeyBroker.Internal.Protocol;

/// <summary>
/// Turns a fault that escapes an endpoint into a problem document: a request Kestrel cannot read gets its status
/// and reason (413 names the body limit); anything else is 500 with a detail that names no internals, and is
/// logged with its stack trace (event 5014).
/// </summary>
internal sealed class BrokerExceptionHandler(ILogger<BrokerExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            // Kestrel's and the request reader's messages name the limit, never body bytes.
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } tooLarge => Problems.TooLarge(tooLarge.Message),
            BadHttpRequestException bad => Problems.Make(bad.StatusCode, "Malformed request", "The request could not be read: " + bad.Message),
            _ => null,
        };
        if (problem is null)
        {
            BrokerLog.UnexpectedFault(logger, httpContext.Request.Method, httpContext.Request.Path.Value ?? "", exception);
            problem = Problems.Make(StatusCodes.Status500InternalServerError, "Internal error",
                "The broker failed while handling this request; its log has the details (event 5014).");
        }

        await problem.ExecuteAsync(httpContext);
        return true;
    }
}
