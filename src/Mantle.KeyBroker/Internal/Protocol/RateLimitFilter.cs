using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mantle.KeyBroker.Internal.Protocol;

/// <summary>A fixed-window limit per client IP address on auth and attest, answered with 429 and Retry-After.</summary>
internal sealed class RateLimitFilter : IEndpointFilter, IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter;
    private readonly ILogger<RateLimitFilter> _logger;
    private readonly TimeSpan _window;

    public RateLimitFilter(IOptions<KeyBrokerOptions> options, ILogger<RateLimitFilter> logger)
    {
        _logger = logger;
        _window = options.Value.RateLimitWindow;
        var permits = options.Value.RateLimitPermits;
        _limiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            RateLimitPartition.GetFixedWindowLimiter(RequestReader.RemoteAddress(context), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permits,
                Window = _window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        using var lease = _limiter.AttemptAcquire(context.HttpContext);
        if (!lease.IsAcquired)
        {
            BrokerLog.RateLimited(_logger, RequestReader.RemoteAddress(context.HttpContext), context.HttpContext.Request.Path.Value ?? "");
            context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(_window.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.Make(StatusCodes.Status429TooManyRequests, "Too many requests",
                $"This client address sent more than the allowed requests in {_window.TotalSeconds:0} s; retry later.");
        }

        return await next(context);
    }

    public void Dispose() => _limiter.Dispose();
}
