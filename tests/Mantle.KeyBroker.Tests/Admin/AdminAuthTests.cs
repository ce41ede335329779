using System.Net;
using System.Security.Cryptography;
using Mantle.KeyBroker.Client;
using Mantle.KeyBroker.Tests.Infrastructure;

namespace Mantle.KeyBroker.Tests.Admin;

public sealed class AdminAuthTests
{
    [Theory]
    [InlineData("PUT", "/admin/v0/resources/repo/key/x", """{"data":"AAAA"}""")]
    [InlineData("POST", "/admin/v0/resources/repo/key/x/revoke", "")]
    [InlineData("PUT", "/admin/v0/policies/default", """{"version":1,"tees":["sim"]}""")]
    [InlineData("GET", "/admin/v0/resources", "")]
    [InlineData("GET", "/admin/v0/audit", "")]
    public async Task Admin_NoCredentials_Returns401AndChangesNothing(string method, string path, string body)
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var before = await admin.ReadAuditAsync();
        using var http = broker.Http();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body.Length > 0)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await admin.ListResourcesAsync());
        Assert.Equal(before.Count, (await admin.ReadAuditAsync()).Count);
    }

    [Fact]
    public async Task Admin_TokenSignedByOtherKey_Returns401()
    {
        await using var broker = await TestBroker.StartAsync();
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var forged = new AdminCredential
        {
            BrokerUrl = broker.Url.ToString(),
            CaCertificatePem = broker.Credential.CaCertificatePem,
            AdminKeyPem = otherKey.ExportPkcs8PrivateKeyPem(),
        };
        using var client = new BrokerAdminClient(forged);
        var ex = await Assert.ThrowsAsync<KeyBrokerException>(() => client.PutResourceAsync("repo/key/x", [1, 2, 3]));
        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        using var admin = broker.Admin();
        Assert.Empty(await admin.ListResourcesAsync());
    }

    [Fact]
    public async Task Admin_ExpiredOrTooLongToken_Returns401()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        var longLived = admin.CreateBearerToken(TimeSpan.FromHours(2));
        var shortLived = admin.CreateBearerToken(TimeSpan.FromMinutes(1));
        broker.Time.Advance(TimeSpan.FromMinutes(2));
        using var http = broker.Http();
        foreach (var token in new[] { longLived, shortLived })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/v0/resources");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task Admin_AttestationTokenAsAdminBearer_Returns401()
    {
        await using var broker = await TestBroker.StartAsync();
        using var attester = broker.Attester();
        var token = await attester.AttestAsync(broker.Evidence(Sim.GoodMeasurement));
        using var http = broker.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/v0/resources");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Admin_ClientCertificateOverHttps_IsAccepted()
    {
        await using var broker = await TestBroker.StartAsync(https: true);
        using var admin = broker.Admin(clientCertificate: true);
        var put = await admin.PutResourceAsync("repo/key/mtls", RandomNumberGenerator.GetBytes(8));
        Assert.Equal(1, put.Version);
        var audit = await admin.ReadAuditAsync();
        Assert.Contains(audit, e => e.Action == "resource.put" && e.Actor.StartsWith("admin:cert:mantle-admin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Admin_ClientCertificateFromOtherCa_Returns401()
    {
        await using var broker = await TestBroker.StartAsync(https: true);
        using var otherDir = new TempFolder("mantle-kb-other-");
        BrokerInitializer.Initialize(otherDir.Path);
        var other = AdminCredential.Load(otherDir.Combine("admin.credential"));
        var mixed = new AdminCredential
        {
            BrokerUrl = broker.Url.ToString(),
            CaCertificatePem = broker.Credential.CaCertificatePem,
            AdminKeyPem = other.AdminKeyPem,
            ClientCertificatePem = other.ClientCertificatePem,
        };
        using var client = new BrokerAdminClient(mixed, new BrokerAdminClientOptions { UseClientCertificate = true });
        var ex = await Assert.ThrowsAsync<KeyBrokerException>(() => client.ListResourcesAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
    }

    [Fact]
    public async Task Admin_InvalidPolicy_Returns400AndKeepsOldPolicy()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        await admin.SetPolicyAsync("default", Sim.MeasurementPolicy);
        var ex = await Assert.ThrowsAsync<KeyBrokerException>(() => admin.SetPolicyAsync("default", """{"version": 1, "tees": ["quantum"]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Contains("tees", ex.Detail, StringComparison.Ordinal);
        Assert.Contains(Sim.GoodMeasurementHex, await admin.GetPolicyAsync("default"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_PutExistingResource_Returns409()
    {
        await using var broker = await TestBroker.StartAsync();
        using var admin = broker.Admin();
        await admin.PutResourceAsync("repo/key/dup", [1]);
        var ex = await Assert.ThrowsAsync<KeyBrokerException>(() => admin.PutResourceAsync("repo/key/dup", [2]));
        Assert.Equal(HttpStatusCode.Conflict, ex.StatusCode);
        Assert.Contains("rotate", ex.Detail, StringComparison.Ordinal);
    }
}
