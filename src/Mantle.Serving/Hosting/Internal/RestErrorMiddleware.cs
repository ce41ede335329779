using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mantle.Serving.Hosting.Internal;

/// <summary>
/// The last line of the REST listener. A fault that escapes a handler is answered with status 500 and
/// <c>{"error": …}</c> (the error format of both REST APIs), never an empty body, and logged with its stack
/// trace (event 1013); the answer names no internals. A request that Kestrel cannot read gets Kestrel's status
/// and reason. A path that no endpoint serves gets 404 in the same format.
/// </summary>
internal sealed class RestErrorMiddleware(RequestDelegate next, ILogger<RestErrorMiddleware> logger)
{
    public const string FaultMessage = "internal error: the server failed while handling this request; its log has the details (event 1013)";

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's messages name the framing problem, never body bytes.
            await WriteErrorAsync(context, ex.StatusCode, "the request could not be read: " + ex.Message);
        }
        catch (Exception ex)
        {
            ServingLog.RestFault(logger, context.Request.Method, context.Request.Path.Value ?? string.Empty, ex);
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, FaultMessage);
        }
    }

    /// <summary>Answers a request that matched no endpoint.</summary>
    public static Task NoEndpointAsync(HttpContext context) => WriteErrorAsync(
        context,
        StatusCodes.Status404NotFound,
        $"no endpoint serves {context.Request.Method} {context.Request.Path}; the REST API serves /v1/models/… (TF Serving), /v2/… (KServe v2) and /metrics");

    private static async Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            // Part of an answer is out: all that is left is to cut the response short.
            context.Abort();
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("error"u8, message);
        writer.WriteEndObject();
    }
}
