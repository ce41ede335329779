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
    /// </summary>
    public static IEndpointConventionBuilder MapMantleKeyBroker(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var limit = services.GetRequiredService<RateLimitFilter>();
        var adminAuth = services.GetRequiredService<AdminAuthFilter>();

        var kbs = endpoints.MapGroup("/kbs/v0");
        kbs.MapPost("/auth", (HttpContext c, KbsHandlers h, CancellationToken ct) => h.AuthAsync(c, ct)).AddEndpointFilter(limit);
        kbs.MapPost("/attest", (HttpContext c, KbsHandlers h, CancellationToken ct) => h.AttestAsync(c, ct)).AddEndpointFilter(limit);
        kbs.MapGet("/resource/{repo}/{type}/{tag}", (HttpContext c, string repo, string type, string tag, ReleaseHandlers h, CancellationToken ct) =>
            h.ResourceAsync(c, repo, type, tag, ct));
        kbs.MapPost("/certificate", (HttpContext c, ReleaseHandlers h, CancellationToken ct) => h.CertificateAsync(c, ct));
        kbs.MapGet("/ca", (ReleaseHandlers h) => h.Ca());
        endpoints.MapGet("/.well-known/jwks.json", (ReleaseHandlers h) => h.Jwks());

        var admin = endpoints.MapGroup("/admin/v0").AddEndpointFilter(adminAuth);
        admin.MapGet("/resources", (AdminHandlers h, CancellationToken ct) => h.ListAsync(ct));
        admin.MapPut("/resources/{repo}/{type}/{tag}", (HttpContext c, string repo, string type, string tag, AdminHandlers h, CancellationToken ct) =>
            h.PutAsync(c, repo, type, tag, ct));
        admin.MapPost("/resources/{repo}/{type}/{tag}/rotate", (HttpContext c, string repo, string type, string tag, AdminHandlers h, CancellationToken ct) =>
            h.RotateAsync(c, repo, type, tag, ct));
        admin.MapPost("/resources/{repo}/{type}/{tag}/revoke", (HttpContext c, string repo, string type, string tag, AdminHandlers h, CancellationToken ct) =>
            h.RevokeAsync(c, repo, type, tag, ct));
        admin.MapGet("/policies/resource/{repo}/{type}/{tag}", (string repo, string type, string tag, AdminHandlers h, CancellationToken ct) =>
            h.GetPolicyAsync(PolicyResolver.ResourceName($"{repo}/{type}/{tag}"), ct));
        admin.MapPut("/policies/resource/{repo}/{type}/{tag}", (HttpContext c, string repo, string type, string tag, AdminHandlers h, CancellationToken ct) =>
            ReleaseHandlers.IsValidPath(repo, type, tag)
                ? h.SetPolicyAsync(c, PolicyResolver.ResourceName($"{repo}/{type}/{tag}"), ct)
                : Task.FromResult(Problems.BadRequest("Resource path segments may hold only letters, digits, '.', '_' and '-'.")));
        admin.MapDelete("/policies/resource/{repo}/{type}/{tag}", (HttpContext c, string repo, string type, string tag, AdminHandlers h, CancellationToken ct) =>
            h.DeletePolicyAsync(c, PolicyResolver.ResourceName($"{repo}/{type}/{tag}"), ct));
        admin.MapGet("/policies/default", (AdminHandlers h, CancellationToken ct) => h.GetPolicyAsync(PolicyResolver.DefaultName, ct));
        admin.MapPut("/policies/default", (HttpContext c, AdminHandlers h, CancellationToken ct) => h.SetPolicyAsync(c, PolicyResolver.DefaultName, ct));
        admin.MapGet("/policies/certificate", (AdminHandlers h, CancellationToken ct) => h.GetPolicyAsync(PolicyResolver.CertificateName, ct));
        admin.MapPut("/policies/certificate", (HttpContext c, AdminHandlers h, CancellationToken ct) => h.SetPolicyAsync(c, PolicyResolver.CertificateName, ct));
        admin.MapGet("/audit", (long? after, int? limit, AdminHandlers h, CancellationToken ct) => h.AuditAsync(after, limit, ct));
        return kbs;
    }
}
