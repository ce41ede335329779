using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Mantle.Attestation.Tests.Intel;

/// <summary>
/// Builds SIGSTRUCTs as an enclave signer does (Intel SDM volume 3D, "Enclave Signature Structure"): the fixed header
/// bytes, the identity fields, the signer's RSA-3072 modulus with exponent 3, and the PKCS#1 v1.5 SHA-256 signature over
/// bytes 0–127 and 900–1027, stored little-endian. .NET cannot generate keys with exponent 3, so the key is made here from
/// primes found with a seeded generator (the same key on every run); signing is .NET's own RSA.
/// </summary>
internal static class TestSigStruct
{
    public const int Length = 1808;

    private static readonly Lazy<RSAParameters> SignerKey = new(() => GenerateExponent3Key(new Random(1808)));

    private static readonly Lazy<RSAParameters> OtherKey = new(() => GenerateExponent3Key(new Random(3)));

    /// <summary>The signer's modulus as SIGSTRUCT stores it (little-endian); MRSIGNER is its SHA-256.</summary>
    public static byte[] ModulusLittleEndian(bool other = false)
    {
        var modulus = (other ? OtherKey : SignerKey).Value.Modulus!.ToArray();
        Array.Reverse(modulus);
        return modulus;
    }

    public static byte[] Build(
        byte[] mrEnclave, ushort isvProdId, ushort isvSvn, bool debug = false, uint date = 0x20250620, bool otherSigner = false)
    {
        var bytes = new byte[Length];
        byte[] header = [0x06, 0, 0, 0, 0xE1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0];
        byte[] header2 = [1, 1, 0, 0, 0x60, 0, 0, 0, 0x60, 0, 0, 0, 1, 0, 0, 0];
        header.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(20), date);
        header2.CopyTo(bytes, 24);
        ModulusLittleEndian(otherSigner).CopyTo(bytes, 128);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(512), 3);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(904), 0xFFFFFFFF);
        bytes[928] = (byte)(0x04 | (debug ? 0x02 : 0)); // MODE64BIT (and DEBUG)
        bytes[936] = 0x03; // XFRM: x87, SSE
        for (var i = 944; i < 960; i++)
        {
            bytes[i] = 0xFF;
        }

        mrEnclave.CopyTo(bytes, 960);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(1024), isvProdId);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(1026), isvSvn);
        Sign(bytes, otherSigner);
        return bytes;
    }

    /// <summary>Signs the header and body of <paramref name="bytes"/> again and writes the signature in place.</summary>
    public static void Sign(byte[] bytes, bool otherSigner = false)
    {
        using var rsa = RSA.Create();
        rsa.ImportParameters((otherSigner ? OtherKey : SignerKey).Value);
        var signed = bytes.AsSpan(0, 128).ToArray().Concat(bytes.AsSpan(900, 128).ToArray()).ToArray();
        var signature = rsa.SignData(signed, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Array.Reverse(signature);
        signature.CopyTo(bytes, 516);
    }

    private static RSAParameters GenerateExponent3Key(Random random)
    {
        var e = new BigInteger(3);
        BigInteger p, q, n;
        do
        {
            p = Prime(random);
            q = Prime(random);
            n = p * q;
        }
        while (p == q || n.GetBitLength() != 3072);

        var phi = (p - 1) * (q - 1);
        var d = ModInverse(e, phi);
        if (p < q)
        {
            (p, q) = (q, p);
        }

        return new RSAParameters
        {
            Modulus = BigEndian(n, 384),
            Exponent = [3],
            D = BigEndian(d, 384),
            P = BigEndian(p, 192),
            Q = BigEndian(q, 192),
            DP = BigEndian(d % (p - 1), 192),
            DQ = BigEndian(d % (q - 1), 192),
            InverseQ = BigEndian(ModInverse(q, p), 192),
        };
    }

    /// <summary>A 1536-bit prime p with p mod 3 = 2, so that 3 is invertible modulo p − 1.</summary>
    private static BigInteger Prime(Random random)
    {
        var bytes = new byte[193];
        while (true)
        {
            random.NextBytes(bytes);
            bytes[192] = 0;
            bytes[191] |= 0xC0;
            bytes[0] |= 1;
            var candidate = new BigInteger(bytes);
            for (var step = 0; step < 2000; step++, candidate += 2)
            {
                if (candidate % 3 == 2 && !SmallPrimes.Any(s => candidate % s == 0) && IsProbablePrime(candidate))
                {
                    return candidate;
                }
            }
        }
    }

    private static readonly int[] SmallPrimes = Enumerable.Range(5, 2000).Where(i => Enumerable.Range(2, (int)Math.Sqrt(i) - 1).All(j => i % j != 0)).ToArray();

    private static bool IsProbablePrime(BigInteger n)
    {
        var d = n - 1;
        var r = 0;
        while (d.IsEven)
        {
            d >>= 1;
            r++;
        }

        foreach (var a in new BigInteger[] { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37 })
        {
            var x = BigInteger.ModPow(a, d, n);
            if (x.IsOne || x == n - 1)
            {
                continue;
            }

            var composite = true;
            for (var i = 1; i < r && composite; i++)
            {
                x = BigInteger.ModPow(x, 2, n);
                composite = x != n - 1;
            }

            if (composite)
            {
                return false;
            }
        }

        return true;
    }

    private static BigInteger ModInverse(BigInteger a, BigInteger m)
    {
        BigInteger oldR = a, r = m, oldS = 1, s = 0;
        while (!r.IsZero)
        {
            var quotient = oldR / r;
            (oldR, r) = (r, oldR - (quotient * r));
            (oldS, s) = (s, oldS - (quotient * s));
        }

        return ((oldS % m) + m) % m;
    }

    private static byte[] BigEndian(BigInteger value, int length)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[length];
        bytes.CopyTo(padded, length - bytes.Length);
        return padded;
    }
}
