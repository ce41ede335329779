namespace Mantle.Deploy.Tests;

/// <summary>The checker the deployment tests rely on finds what mantle's parser would refuse.</summary>
public sealed class MantleCliTests
{
    [Fact]
    public async Task Problems_ArgumentsServeAccepts_None()
    {
        Assert.Empty(await MantleCli.ProblemsAsync(["serve", "--port", "8500", "--rest_api_port=8501", "--enable_batching", "--tls-name", "a", "--tls-name", "b"], "test"));
        Assert.Empty(await MantleCli.ProblemsAsync(["policy", "from-sigstruct", "mantle.sig", "-o", "policy.json"], "test"));
    }

    [Fact]
    public async Task Problems_UnknownOptionMissingValueMissingRequiredOrExtraArgument_EachReported()
    {
        Assert.Contains(await MantleCli.ProblemsAsync(["serve", "--rest-api-port", "8501"], "test"), p => p.Contains("has no option --rest-api-port", StringComparison.Ordinal));
        Assert.Contains(await MantleCli.ProblemsAsync(["serve", "--port"], "test"), p => p.Contains("--port needs a value", StringComparison.Ordinal));
        Assert.Contains(await MantleCli.ProblemsAsync(["broker", "serve", "--urls", "https://0.0.0.0:8443"], "test"), p => p.Contains("required option --config", StringComparison.Ordinal));
        Assert.Contains(await MantleCli.ProblemsAsync(["serve", "extra"], "test"), p => p.Contains("1 argument(s)", StringComparison.Ordinal));
        Assert.Contains(await MantleCli.ProblemsAsync(["no-such-command"], "test"), p => p.Contains("no such command", StringComparison.Ordinal));
    }

    [Fact]
    public void InvocationsIn_ShellScript_FindsEachMantleCommand()
    {
        var script = "cd /x\n[ -f a ] || mantle keys create --out a\nexec /app/mantle verify --url \"$U\" --timeout 5 >/dev/null # check\n";
        Assert.Equal(
            [["keys", "create", "--out", "a"], ["verify", "--url", "$U", "--timeout", "5"]],
            MantleCli.InvocationsIn(script).Select(i => i.ToArray()).ToArray());
        Assert.Equal(["/var/lib/x", "/run/secrets/p"], MantleCli.PathsIn(["/var/lib/x", "https://h:1/p", "postgres:Host=h;Passfile=/run/secrets/p", "/app/mantle", "rel/a"]));
    }
}
