using System.Security.Cryptography;
using System.Text;

namespace Mantle.KeyBroker.Tests;

public sealed class FileMasterKeyProviderTests
{
    [Fact]
    public async Task EncryptDecrypt_ManyThreadsAtOnce_AllRoundTrip()
    {
        using var provider = new FileMasterKeyProvider(RandomNumberGenerator.GetBytes(32));
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                var data = RandomNumberGenerator.GetBytes(32);
                var aad = Encoding.UTF8.GetBytes($"p/{t}/{i}");
                if (!provider.Decrypt(provider.Encrypt(data, aad), aad).AsSpan().SequenceEqual(data))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Decrypt_OtherAssociatedDataOrFlippedBit_Throws()
    {
        using var provider = new FileMasterKeyProvider(RandomNumberGenerator.GetBytes(32));
        var sealedBytes = provider.Encrypt([1, 2, 3], "a/b/c\n1"u8);
        Assert.ThrowsAny<CryptographicException>(() => provider.Decrypt(sealedBytes, "a/b/c\n2"u8));
        sealedBytes[14] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => provider.Decrypt(sealedBytes, "a/b/c\n1"u8));
    }

    [Fact]
    public void Load_EnvironmentVariableWrongLength_NamesTheSource()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, Convert.ToBase64String(new byte[16]));
        try
        {
            var ex = Assert.Throws<InvalidOperationException>(() => FileMasterKeyProvider.Load(path));
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
            Assert.Contains("32 bytes", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
