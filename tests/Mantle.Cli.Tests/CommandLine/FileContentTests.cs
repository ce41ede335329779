using System.Text.Json;
using Mantle.Cli.Tests.Walk;

namespace Mantle.Cli.Tests.CommandLine;

/// <summary>A file that exists but holds the wrong thing: the error names the option that gave it, as a missing file's does.</summary>
public sealed class FileContentTests(CliWorkspaceFixture fixture) : IClassFixture<CliWorkspaceFixture>
{
    private CliWorkspace Workspace => fixture.Workspace;

    [Fact]
    public async Task Verify_CaFileWithoutCertificate_InvalidFileNamingCa()
    {
        var error = await FailingAsync("verify", "--url", Workspace.ServerAddress, "--ca", Workspace.File, "--json");

        Assert.Equal("invalid_file", error.GetProperty("code").GetString());
        Assert.Equal("--ca", error.GetProperty("option").GetString());
        Assert.Equal(Workspace.File, error.GetProperty("path").GetString());
        Assert.StartsWith("--ca: ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_PolicyFileThatIsAKey_InvalidFileNamingPolicyBeforeThePath()
    {
        var error = await FailingAsync("verify", "--url", Workspace.ServerAddress, "--policy", Workspace.ModelKey, "--json");

        Assert.Equal("invalid_file", error.GetProperty("code").GetString());
        Assert.Equal("--policy", error.GetProperty("option").GetString());
        Assert.StartsWith($"--policy {Workspace.ModelKey}: ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        using var key = JsonDocument.Parse(File.ReadAllText(Workspace.ModelKey));
        Assert.DoesNotContain(key.RootElement.GetProperty("key").GetString()!, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Runs a command that must fail with exit code 2 and one error line, and returns its <c>--json</c> error object.</summary>
    private async Task<JsonElement> FailingAsync(params string[] args)
    {
        var (exitCode, stdout, stderr) = await MantleProcess.RunAsUserAsync(Workspace.ConfigHome, new Dictionary<string, string> { ["MANTLE_DEBUG"] = "" }, args);

        Assert.Equal(2, exitCode);
        var error = JsonDocument.Parse(stdout).RootElement.GetProperty("error").Clone();
        Assert.Equal("error: " + error.GetProperty("message").GetString(), stderr.Trim());
        return error;
    }
}
