using Mantle.KeyBroker.Internal.Admin;
using Mantle.KeyBroker.Internal.Policy;
using Mantle.KeyBroker.Internal.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mantle.KeyBroker;

/// <summary>Maps the key broker's endpoints.</summary>
public static class KeyBrokerEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>/kbs/v0/…</c> (auth, attest, resource, certificate, ca), <c>/.well-known/jwks.json</c> and the
    /// authenticated <c>/admin/v0/…</c> API. Auth and attest are rate limited per client IP by an endpoint filter.
    /// The returned builder covers every one of these endpoints (for example to require a host filter or a CORS policy).
    /// </summary>
    public static IEndpointConventionBuilder MapMantleKeyBroker(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var limit = services.GetRequiredService<RateLimitFilter>();
        var adminAuth = services.GetRequiredService<AdminAuthFilter>();

        var broker = endpoints.MapGroup(string.Empty);
        var kbs = broker.MapGroup("/kbs/v0");
        kbs.MapPost("/auth", (HttpContext c, KbsHandlers h, CancellationToken ct) => h.AuthAsync(c, ct)).AddEndpointFilter(limit);
        kbs.MapPost("/attest", (HttpContext c, KbsHandlers h, CancellationToken ct) => h.AttestAsync(c, ct)).AddEndpointFilter(limit);
        kbs.MapGet("/resource/{repo}/{type}/{tag}", (HttpContext c, string repo, string type, string tag, ReleaseHandlers h, CancellationToken ct) =>
            h.ResourceAsync(c, repo, type, tag, ct));
        kbs.MapGet("/resource/{**path}", (string? path) => Problems.BadRequest(ResourcePath.Problem(path ?? "")));
        kbs.MapPost("/certificate", (HttpContext c, ReleaseHandlers h, CancellationToken ct) => h.CertificateAsync(c, ct));
        kbs.MapGet("/ca", (ReleaseHandlers h) => h.Ca());
        broker.MapGet("/.well-known/jwks.json", (ReleaseHandlers h) => h.Jwks());

        var admin = broker.MapGroup("/admin/v0").AddEndpointFilter(adminAuth);
        admin.MapGet("/resources", (AdminHandlers h, CancellationToken ct) => h.ListAsync(ct));
        admin.MapPut("/resources/{repo}/{type}/{tag}", (HttpContext c, string repo, string type, string tag, AdminHandlers h, CancellationToken ct) =>
            h.PutAsync(c, repo, type, tag, ct));
        admin.MapPost("/resources/{repo}/{type}/{tag}/rotate", (HttpContext c, string repo, string type, string tag, AdminHandlers h, CancellationToken ct) =>
            h.RotateAsync(c, repo, type, tag, ct));
        admin.MapPost("/resources/{repo}/{type}/{tag}/revoke", (HttpContext c, string repo, string type, string tag, AdminHandlers h, CancellationToken ct) =>
            h.RevokeAsync(c, repo, type, tag, ct));
        // Paths that are not REPO/TYPE/TAG: a problem that states the rule rather than an empty 404.
        admin.MapMethods("/resources/{**path}", [HttpMethods.Get, HttpMethods.Put, HttpMethods.Post, HttpMethods.Delete], (HttpContext c, string? path) =>
            BadResourcePath(c, StripAction(c, path ?? "")));
        admin.MapGet("/policies/resource/{repo}/{type}/{tag}", (string repo, string type, string tag, AdminHandlers h, CancellationToken ct) =>
            ResourcePolicy(repo, type, tag, name => h.GetPolicyAsync(name, ct)));
        admin.MapPut("/policies/resource/{repo}/{type}/{tag}", (HttpContext c, string repo, string type, string tag, AdminHandlers h, CancellationToken ct) =>
            ResourcePolicy(repo, type, tag, name => h.SetPolicyAsync(c, name, ct)));
        admin.MapDelete("/policies/resource/{repo}/{type}/{tag}", (HttpContext c, string repo, string type, string tag, AdminHandlers h, CancellationToken ct) =>
            ResourcePolicy(repo, type, tag, name => h.DeletePolicyAsync(c, name, ct)));
        admin.MapMethods("/policies/resource/{**path}", [HttpMethods.Get, HttpMethods.Put, HttpMethods.Delete], (HttpContext c, string? path) =>
            BadResourcePath(c, path ?? ""));
        admin.MapGet("/policies/default", (AdminHandlers h, CancellationToken ct) => h.GetPolicyAsync(PolicyResolver.DefaultName, ct));
        admin.MapPut("/policies/default", (HttpContext c, AdminHandlers h, CancellationToken ct) => h.SetPolicyAsync(c, PolicyResolver.DefaultName, ct));
        admin.MapGet("/policies/certificate", (AdminHandlers h, CancellationToken ct) => h.GetPolicyAsync(PolicyResolver.CertificateName, ct));
        admin.MapPut("/policies/certificate", (HttpContext c, AdminHandlers h, CancellationToken ct) => h.SetPolicyAsync(c, PolicyResolver.CertificateName, ct));
        admin.MapGet("/audit", (HttpContext c, AdminHandlers h, CancellationToken ct) => h.AuditAsync(c.Request.Query, ct));
        return broker;
    }

    /// <summary>
    /// Answers a request for any method and path that no endpoint serves with a 404 problem document naming the
    /// broker's API, for hosts that map nothing else (<see cref="KeyBrokerServer.Build"/> does this).
    /// </summary>
    public static IEndpointConventionBuilder MapMantleKeyBrokerFallback(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapFallback((HttpContext c) => Problems.NoEndpoint(c));
    }

    /// <summary>Runs a policy call for a resource path that follows the rule, else answers with the rule.</summary>
    private static Task<IResult> ResourcePolicy(string repo, string type, string tag, Func<string, Task<IResult>> action) =>
        ResourcePath.IsValid(repo, type, tag)
            ? action(PolicyResolver.ResourceName($"{repo}/{type}/{tag}"))
            : Task.FromResult(Problems.BadRequest(ResourcePath.Problem($"{repo}/{type}/{tag}")));

    /// <summary>A path that did not match REPO/TYPE/TAG: the rule when the path breaks it, else no such endpoint.</summary>
    private static IResult BadResourcePath(HttpContext context, string path) =>
        ResourcePath.IsValid(path) ? Problems.NoEndpoint(context) : Problems.BadRequest(ResourcePath.Problem(path));

    /// <summary>The resource path of a rotate or revoke call (POST …/rotate, …/revoke).</summary>
    private static string StripAction(HttpContext context, string path) =>
        HttpMethods.IsPost(context.Request.Method) && path.LastIndexOf('/') is var slash and >= 0 && path[(slash + 1)..] is "rotate" or "revoke"
            ? path[..slash]
            : path;
}
