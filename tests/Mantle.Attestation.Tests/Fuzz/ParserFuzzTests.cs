using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Mantle.Attestation.Policy;
using Mantle.Attestation.RaTls;
using Mantle.Attestation.RaTls.Internal;
using Mantle.Attestation.Sim;
using Mantle.Attestation.Tests.RaTls;

namespace Mantle.Attestation.Tests.Fuzz;

/// <summary>
/// Seeded random, truncated and mutated inputs for every parser: each must either succeed or throw
/// <see cref="AttestationException"/>, and the whole run must finish within its time budget.
/// </summary>
public sealed class ParserFuzzTests : IDisposable
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);
    private readonly SimulatedTee _platform = SimulatedTee.CreateEphemeral();

    public void Dispose() => _platform.Dispose();

    [Fact]
    public async Task SimVerifier_RandomTruncatedAndMutatedInput_AllRefused()
    {
        // Sim evidence has one exact length and the platform key signs every byte before the signature, so the
        // untouched evidence is the only input of these that may verify.
        var verifier = new EvidenceVerifier([new SimEvidenceVerifier(_platform)]);
        var valid = await new SimEvidenceProvider(_platform, new() { MeasurementOverride = new byte[48] }).GetEvidenceAsync(new byte[64]);
        var random = new Random(4242);
        var clock = Stopwatch.StartNew();

        for (var length = 0; length <= valid.Length + 8; length++)
        {
            var resized = new byte[length];
            valid.AsSpan(0, Math.Min(length, valid.Length)).CopyTo(resized);
            if (length == valid.Length)
            {
                await verifier.VerifyAsync(resized);
            }
            else
            {
                await ExpectRefused(async () => await verifier.VerifyAsync(resized));
            }
        }

        for (var i = 0; i < 2000; i++)
        {
            var input = i % 2 == 0 ? RandomBytes(random, random.Next(0, 600)) : Mutate(random, valid);
            if (i % 3 == 0 && input.Length >= 8)
            {
                "MNTLSIM1"u8.CopyTo(input);
            }

            if (!input.AsSpan().SequenceEqual(valid))
            {
                await ExpectRefused(async () => await verifier.VerifyAsync(input));
            }
        }

        Assert.True(clock.Elapsed < Budget, $"took {clock.Elapsed}");
    }

    [Fact]
    public void RaTlsExtensionAndClaims_MutatedCbor_ThrowOnlyAttestationException()
    {
        var spki = ECDsa.Create(ECCurve.NamedCurves.nistP384).ExportSubjectPublicKeyInfo();
        var claims = RaTlsCertificateTests.ClaimsFor(spki);
        var extension = RaTlsCertificateTests.Tagged(60000, new byte[300], claims);
        var random = new Random(777);
        var clock = Stopwatch.StartNew();

        for (var length = 0; length < extension.Length; length++)
        {
            Sync(() => RaTlsEvidenceExtension.Decode(extension[..length]));
        }

        for (var length = 0; length < claims.Length; length++)
        {
            Sync(() => RaTlsClaimsBuffer.Decode(claims[..length]));
        }

        for (var i = 0; i < 5000; i++)
        {
            Sync(() => RaTlsEvidenceExtension.Decode(Mutate(random, extension)));
            Sync(() => RaTlsClaimsBuffer.Decode(Mutate(random, claims)));
            Sync(() => RaTlsClaimsBuffer.Decode(RandomBytes(random, random.Next(0, 80))));
        }

        Assert.True(clock.Elapsed < Budget, $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task RaTlsVerifier_CertificatesWithMutatedExtension_ThrowOnlyAttestationException()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var claims = RaTlsCertificateTests.ClaimsFor(key.ExportSubjectPublicKeyInfo());
        var evidence = await new SimEvidenceProvider(_platform, new() { MeasurementOverride = new byte[48] }).GetEvidenceAsync(SHA256.HashData(claims));
        var extension = RaTlsCertificateTests.Tagged(60000, evidence, claims);
        var verifier = new RaTlsVerifier(new EvidenceVerifier([new SimEvidenceVerifier(_platform)]));
        var random = new Random(99);
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < 300; i++)
        {
            var value = i % 4 == 0 ? extension[..random.Next(0, extension.Length)] : Mutate(random, extension);
            var oid = i % 5 == 0 ? RaTlsCertificate.LegacyQuoteExtensionOid : RaTlsCertificate.EvidenceExtensionOid;
            using var certificate = RaTlsCertificateTests.SelfSigned(new X509Extension(oid, value, false), key);
            await ExpectOnlyAttestationErrors(async () => await verifier.VerifyAsync(certificate));
        }

        Assert.True(clock.Elapsed < Budget, $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task RaTlsVerifier_TruncatedAndMutatedCertificateBytes_ThrowOnlyAttestationException()
    {
        var der = RaTlsVerifier.LoadCertificate(TestData.Bytes("ratls/gramine-cert.pem")).RawData;
        var verifier = new RaTlsVerifier(new EvidenceVerifier([new UnverifiedSgxQuoteReader()]), FakeTime.At("2025-06-20T00:00:00Z"));
        var random = new Random(31337);
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < 400; i++)
        {
            var input = i % 2 == 0 ? der[..random.Next(0, der.Length)] : Mutate(random, der);
            await ExpectOnlyAttestationErrors(async () =>
            {
                using var certificate = RaTlsVerifier.LoadCertificate(input);
                await verifier.VerifyAsync(certificate);
            });
        }

        Assert.True(clock.Elapsed < Budget, $"took {clock.Elapsed}");
    }

    [Fact]
    public void PolicyParsers_RandomText_ThrowOnlyAttestationException()
    {
        var random = new Random(2024);
        const string valid = """{"version": 1, "tees": ["sgx", "sim"], "allow_debug": false, "tcb_status": ["UpToDate"], "claims": {"measurement": {"one_of": ["00ff"]}, "sgx.isv_svn": {"min": 2, "max": 9}, "advisory_ids": {"none_of": ["X"]}}}""";
        using var auditor = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var signed = SignedPolicy.Sign(valid, auditor);
        var clock = Stopwatch.StartNew();

        for (var length = 0; length < valid.Length; length++)
        {
            Sync(() => AttestationPolicy.Parse(valid[..length]));
        }

        for (var i = 0; i < 3000; i++)
        {
            var text = Encoding.UTF8.GetString(Mutate(random, Encoding.UTF8.GetBytes(valid)));
            Sync(() => AttestationPolicy.Parse(text));
            var token = Encoding.ASCII.GetString(Mutate(random, Encoding.ASCII.GetBytes(signed)));
            Sync(() => SignedPolicy.Verify(token, auditor));
        }

        Sync(() => AttestationPolicy.Parse(new string('[', 10000)));
        Sync(() => AttestationPolicy.Parse("{\"version\": 1, \"claims\": {\"measurement\": {\"equals\": " + new string('[', 5000) + "}}}"));
        Assert.True(clock.Elapsed < Budget, $"took {clock.Elapsed}");
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] source)
    {
        var copy = (byte[])source.Clone();
        var flips = random.Next(1, 6);
        for (var i = 0; i < flips && copy.Length > 0; i++)
        {
            switch (random.Next(3))
            {
                case 0:
                    copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    copy[random.Next(copy.Length)] = (byte)random.Next(256);
                    break;
                default:
                    copy[random.Next(copy.Length)] = random.Next(2) == 0 ? (byte)0xFF : (byte)0x00;
                    break;
            }
        }

        return copy;
    }

    private static void Sync(Action action)
    {
        try
        {
            action();
        }
        catch (AttestationException)
        {
        }
    }

    private static async Task ExpectRefused(Func<Task> action) =>
        await Assert.ThrowsAsync<AttestationException>(() => action().WaitAsync(TimeSpan.FromSeconds(10)));

    private static async Task ExpectOnlyAttestationErrors(Func<Task> action)
    {
        try
        {
            await action().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (AttestationException)
        {
        }
    }
}
