using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Mantle.Benchmarks.Serving;

namespace Mantle.Benchmarks.Sealing;

/// <summary>
/// <c>mantle seal</c> and <c>mantle unseal</c> as a user runs them: whole processes (start-up included) on a file in a
/// folder (tmpfs, <c>/dev/shm</c>, by default, so that the disk does not set the pace), against the one-core bound of
/// the same cryptographic work measured in the same run with <c>openssl speed</c> at 16 KiB blocks:
/// bound = 1 / (1 / AES-256-GCM + 1 / SHA-256). Wall time, CPU time and peak resident memory come from
/// <c>/usr/bin/time</c>. Rounds alternate seal and unseal; the figures are medians and ranges over the rounds.
/// Usage: <c>sealing-outside [--gib 1] [--rounds 3] [--dir /dev/shm] [--mantle PATH/mantle.dll]</c>.
/// </summary>
internal static class SealingOutside
{
    public static async Task<int> RunAsync(string[] args)
    {
        var gib = double.Parse(Arg(args, "--gib") ?? "1", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Arg(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        var mantle = Arg(args, "--mantle") ?? MantleServer.DefaultMantle;
        var folder = Path.Combine(Arg(args, "--dir") ?? "/dev/shm", "mantle-seal-outside-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            var length = (long)(gib * 1024 * 1024 * 1024);
            var input = Path.Combine(folder, "model.onnx");
            WriteRandom(input, length);
            await RunAsync(mantle, ["keys", "create", "--out", Path.Combine(folder, "model.key")]).ConfigureAwait(false);
            await RunAsync(mantle, ["keys", "signing", "create", "--out", Path.Combine(folder, "owner.pem")]).ConfigureAwait(false);

            Console.WriteLine($"{gib} GiB in {folder}, {Environment.ProcessorCount} cores, load average {ServingOutside.LoadAverage()}");

            // The floor of peak memory: the same command on 1 KiB (runtime, libraries, key handling; no streaming).
            var small = Path.Combine(folder, "small.onnx");
            WriteRandom(small, 1024);
            var floor = await TimedAsync(mantle, ["seal", "--in", small, "--out", Path.Combine(folder, "small-sealed"), "--key", Path.Combine(folder, "model.key"), "--signing-key", Path.Combine(folder, "owner.pem")], 1024, 1).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mantle seal of 1 KiB: peak {floor.PeakKib / 1024.0:F0} MiB, {floor.Wall:F2} s wall (start-up)"));
            var seal = new List<Sample>();
            var unseal = new List<Sample>();
            var bounds = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var aes = await OpensslAsync("aes-256-gcm").ConfigureAwait(false);
                var sha = await OpensslAsync("sha256").ConfigureAwait(false);
                var bound = 1 / ((1 / aes) + (1 / sha));
                bounds.Add(bound);
                var sealedDir = Path.Combine(folder, "sealed");
                var plainDir = Path.Combine(folder, "unsealed");
                seal.Add(await TimedAsync(mantle, ["seal", "--in", input, "--out", sealedDir, "--key", Path.Combine(folder, "model.key"), "--signing-key", Path.Combine(folder, "owner.pem")], length, bound).ConfigureAwait(false));
                unseal.Add(await TimedAsync(mantle, ["unseal", "--in", sealedDir, "--out", plainDir, "--key", Path.Combine(folder, "model.key"), "--owner-key", Path.Combine(folder, "owner.pem.pub")], length, bound).ConfigureAwait(false));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round + 1}: openssl AES-256-GCM {aes:F2} GB/s, SHA-256 {sha:F2} GB/s, one-core bound {bound:F2} GB/s; seal {seal[^1]}; unseal {unseal[^1]}"));
                Directory.Delete(sealedDir, recursive: true);
                Directory.Delete(plainDir, recursive: true);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bound (median) {Median(bounds):F2} GB/s"));
            Report("mantle seal", seal, floor.PeakKib);
            Report("mantle unseal", unseal, floor.PeakKib);
            Console.WriteLine($"load average at the end: {ServingOutside.LoadAverage()}");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>One timed run: wall seconds, user and system CPU seconds, peak resident KiB, and GB/s over the bound.</summary>
    private sealed record Sample(double Wall, double User, double System, long PeakKib, double GbPerSecond, double Ratio)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{GbPerSecond:F2} GB/s ({Ratio:F2}× bound), {Wall:F2} s wall, {User:F2} s user + {System:F2} s system, peak {PeakKib / 1024.0:F0} MiB");
    }

    private static void Report(string name, List<Sample> samples, long floorKib)
    {
        string Range(Func<Sample, double> f, string format)
        {
            var sorted = samples.Select(f).Order().ToList();
            return string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Count / 2].ToString(format, CultureInfo.InvariantCulture)} ({sorted[0].ToString(format, CultureInfo.InvariantCulture)}–{sorted[^1].ToString(format, CultureInfo.InvariantCulture)})");
        }

        Console.WriteLine($"{name,-14} GB/s {Range(s => s.GbPerSecond, "F2")}, × bound {Range(s => s.Ratio, "F2")}, wall s {Range(s => s.Wall, "F2")}, " +
            $"user s {Range(s => s.User, "F2")}, system s {Range(s => s.System, "F2")}, peak MiB {Range(s => s.PeakKib / 1024.0, "F0")} (above the 1 KiB seal: {Range(s => (s.PeakKib - floorKib) / 1024.0, "F0")})");
    }

    private static async Task<Sample> TimedAsync(string mantle, string[] arguments, long bytes, double bound)
    {
        var info = new ProcessStartInfo("/usr/bin/time") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in (string[])["-f", "mantle-time %e %U %S %M", "dotnet", mantle, .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        await stdout.ConfigureAwait(false);
        var line = stderr.Split('\n').LastOrDefault(l => l.StartsWith("mantle-time ", StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"mantle {arguments[0]} failed (exit {process.ExitCode}): {stderr}");
        }

        var fields = line.Split(' ');
        var wall = double.Parse(fields[1], CultureInfo.InvariantCulture);
        var rate = bytes / wall / 1e9;
        return new Sample(wall, double.Parse(fields[2], CultureInfo.InvariantCulture), double.Parse(fields[3], CultureInfo.InvariantCulture),
            long.Parse(fields[4], CultureInfo.InvariantCulture), rate, rate / bound);
    }

    /// <summary><c>openssl speed -evp NAME -bytes 16384</c>, one core: GB/s.</summary>
    internal static async Task<double> OpensslAsync(string algorithm)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["speed", "-evp", algorithm, "-bytes", "16384", "-seconds", "2"])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        await stderr.ConfigureAwait(false);
        // The last line is "<name> <1000s of bytes per second>k".
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];
        return double.Parse(last.TrimEnd('k'), CultureInfo.InvariantCulture) * 1000 / 1e9;
    }

    private static async Task RunAsync(string mantle, IEnumerable<string> arguments)
    {
        using var process = Process.Start(MantleServer.StartInfo(mantle, arguments))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        await stdout.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"mantle {string.Join(' ', arguments)} failed: {await stderr.ConfigureAwait(false)}");
        }
    }

    private static void WriteRandom(string path, long length)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        var block = new byte[4 * 1024 * 1024];
        RandomNumberGenerator.Fill(block);
        for (long written = 0; written < length; written += block.Length)
        {
            block[0]++;
            file.Write(block, 0, (int)Math.Min(block.Length, length - written));
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string? Arg(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
}
