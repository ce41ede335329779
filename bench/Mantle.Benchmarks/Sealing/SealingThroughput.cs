using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Mantle.Sealing;
using Mantle.Sealing.Format;
using Mantle.Sealing.Internal;
using Mantle.Sealing.Keys;

namespace Mantle.Benchmarks.Sealing;

/// <summary>
/// Quick console figures (no BenchmarkDotNet): seal and unseal-into-memory throughput against raw AES-256-GCM over the
/// same bytes in the same run, single thread; and peak memory while sealing a large file.
/// <c>dotnet run -c Release --project bench/Mantle.Benchmarks -- sealing-throughput [MiB] [rounds]</c>,
/// <c>… -- sealing-memory [GiB]</c>.
/// </summary>
internal static class SealingThroughput
{
    public static void Run(string[] args)
    {
        var mib = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 256;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var length = mib * 1024 * 1024;
        var plaintext = GC.AllocateUninitializedArray<byte>(length, pinned: true);
        RandomNumberGenerator.Fill(plaintext);
        var output = GC.AllocateUninitializedArray<byte>(length, pinned: true);
        var tag = new byte[16];
        var nonce = new byte[12];
        using var key = ModelKey.Generate();
        var rawKey = new byte[32];
        RandomNumberGenerator.Fill(rawKey);
        using var aes = new AesGcm(rawKey, 16);

        Console.WriteLine($"{mib} MiB, best of {rounds}, one thread, {RuntimeInformationText()}");
        var rawEncrypt = Best(rounds, length, () => aes.Encrypt(nonce, plaintext, output, tag));
        var rawDecrypt = Best(rounds, length, () => aes.Decrypt(nonce, output, tag, plaintext));
        var sha = Best(rounds, length, () => SHA256.HashData(plaintext));
        Print("raw AES-256-GCM encrypt (one buffer)", rawEncrypt, rawEncrypt);
        Print("raw AES-256-GCM decrypt (one buffer)", rawDecrypt, rawDecrypt);
        Print("SHA-256 alone (one buffer)", sha, rawDecrypt);

        foreach (var chunkSize in new[] { 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024 })
        {
            var sealedStream = new MemoryStream(checked((int)SealedFormat.GetSealedLength(length, chunkSize)));
            SealResult? result = null;
            var seal = Best(rounds, length, () =>
            {
                sealedStream.Position = 0;
                result = StreamSealer.SealAsync(new MemoryStream(plaintext, writable: false), sealedStream, key, "model.onnx", chunkSize, null, default)
                    .GetAwaiter().GetResult() is { } r ? new SealResult(r.Header, r.Length, r.Sha256) : null;
            });
            var sealedBytes = sealedStream.GetBuffer();
            var expectation = new UnsealExpectation(length, result!.Sha256, SHA256.HashData(result.Header));
            var unseal = Best(rounds, length, () =>
                StreamUnsealer.UnsealAsync(new MemoryStream(sealedBytes, 0, (int)sealedStream.Length, writable: false), "model.onnx", key, expectation, output, null, null, default)
                    .GetAwaiter().GetResult());
            Print($"seal, {chunkSize / 1024} KiB chunks (incl. SHA-256)", seal, rawEncrypt);
            Print($"unseal into memory, {chunkSize / 1024} KiB chunks (incl. SHA-256 check)", unseal, rawDecrypt);
        }
    }

    public static void RunMemory(string[] args)
    {
        var gib = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 2;
        var length = (long)(gib * 1024 * 1024 * 1024);
        var folder = Directory.CreateTempSubdirectory("mantle-seal-memory-").FullName;
        try
        {
            var input = Path.Combine(folder, "model.onnx");
            using (var file = new FileStream(input, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                var block = new byte[4 * 1024 * 1024];
                RandomNumberGenerator.Fill(block);
                for (long written = 0; written < length; written += block.Length)
                {
                    file.Write(block, 0, (int)Math.Min(block.Length, length - written));
                }
            }

            using var key = ModelKey.Generate();
            using var signer = OwnerSigningKey.Generate();
            GC.Collect();
            using var process = Process.GetCurrentProcess();
            process.Refresh();
            var baseline = process.WorkingSet64;
            var peakBefore = process.PeakWorkingSet64;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            ModelSealer.SealAsync(input, Path.Combine(folder, "sealed"), key, signer).GetAwaiter().GetResult();
            watch.Stop();
            process.Refresh();
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            Console.WriteLine($"sealed {gib} GiB file to disk in {watch.Elapsed.TotalSeconds:F1} s ({length / watch.Elapsed.TotalSeconds / 1e9:F2} GB/s incl. disk)");
            Console.WriteLine($"managed allocation while sealing: {allocated / 1048576.0:F1} MiB");
            Console.WriteLine($"working set before: {baseline / 1048576.0:F1} MiB; peak working set of the process: {process.PeakWorkingSet64 / 1048576.0:F1} MiB (peak before sealing {peakBefore / 1048576.0:F1} MiB)");
            Console.WriteLine($"peak growth while sealing: {(process.PeakWorkingSet64 - baseline) / 1048576.0:F1} MiB (target < 64 MiB)");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record SealResult(byte[] Header, long Length, byte[] Sha256);

    private static double Best(int rounds, long bytes, Action action)
    {
        action();
        var best = double.MaxValue;
        for (var i = 0; i < rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        return bytes / best / 1e9;
    }

    private static void Print(string name, double gbPerSecond, double baseline) =>
        Console.WriteLine($"{name,-62} {gbPerSecond,6:F2} GB/s  ratio {gbPerSecond / baseline:F2}");

    private static string RuntimeInformationText() =>
        $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} cores";
}
