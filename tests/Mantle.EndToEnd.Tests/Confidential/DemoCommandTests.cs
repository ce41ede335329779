using System.Text.Json;

namespace Mantle.EndToEnd.Tests.Confidential;

public class DemoCommandTests
{
    [Fact]
    public async Task Demo_FreshFolder_RunsTheWholeFlowAndStopsEverything()
    {
        var root = Directory.CreateTempSubdirectory("mantle-demo-test-").FullName;
        var work = Path.Combine(root, "work");
        try
        {
            var (exit, stdout, stderr) = await MantleProcess.RunAsync("demo", "--dir", work, "--bench-requests", "5", "--json");

            Assert.True(exit == 0, $"mantle demo exited {exit}: {stderr}");
            using var summary = JsonDocument.Parse(stdout);
            var result = summary.RootElement;
            var measurement = result.GetProperty("measurement").GetString()!;
            Assert.Equal(96, measurement.Length);
            var verified = result.GetProperty("verified");
            Assert.Equal("sim", verified.GetProperty("tee").GetString());
            Assert.Equal(measurement, verified.GetProperty("measurement").GetString());
            Assert.Equal("CN=Mantle broker CA", verified.GetProperty("issuer").GetString());
            Assert.Equal(5, result.GetProperty("classes").GetArrayLength());
            Assert.True(result.GetProperty("server").GetProperty("key_release_ms").GetDouble() > 0);
            foreach (var api in new[] { "grpc", "rest" })
            {
                var load = result.GetProperty("bench").GetProperty(api);
                Assert.Equal(0, load.GetProperty("errors").GetInt64());
                Assert.True(load.GetProperty("requests").GetInt64() > 0);
            }

            // The sealed folder holds ciphertext only, and no broker or server outlives the demo.
            Assert.DoesNotContain(Directory.GetFiles(Path.Combine(work, "cloud"), "*.onnx", SearchOption.AllDirectories), _ => true);
            Assert.Empty(ProcessesMentioning(work));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Demo_MissingModel_SaysWhereAndHowToGiveOne()
    {
        var work = Path.Combine(Path.GetTempPath(), "mantle-demo-missing-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exit, _, stderr) = await MantleProcess.RunAsync("demo", "--dir", work, "--model", "/nonexistent/model.onnx");

            Assert.Equal(2, exit);
            Assert.StartsWith("error: --model /nonexistent/model.onnx does not exist", stderr, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static List<int> ProcessesMentioning(string text)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(text, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}
