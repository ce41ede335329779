using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Mantle.Deploy.Tests;

/// <summary>
/// deploy/docker/Dockerfile, parsed instruction by instruction (no container runtime is needed to check it): official
/// .NET bases, a non-root final stage, no secret in any layer, a health check mantle accepts, and a restore layer that
/// copies exactly the projects mantle is built from.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly IReadOnlyList<(string Keyword, string Text)> Instructions = Parse(File.ReadAllText(Path.Combine(Processes.DeployFolder, "docker", "Dockerfile")));

    private static IReadOnlyList<(string Keyword, string Text)> FinalStage => Instructions.Reverse().TakeWhile(i => i.Keyword != "FROM").Reverse().ToList();

    [Fact]
    public void Dockerfile_Stages_BuildWithTheSdkAndRunOnRuntimeDepsAsNonRoot()
    {
        var from = Instructions.Where(i => i.Keyword == "FROM").Select(i => i.Text).ToList();
        Assert.Equal(2, from.Count);
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", from[0], StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/runtime-deps:", from[1], StringComparison.Ordinal);

        var user = FinalStage.LastOrDefault(i => i.Keyword == "USER").Text;
        Assert.False(user is null or "root" or "0" || user.StartsWith("0:", StringComparison.Ordinal), "the final stage must switch to a non-root user");
        Assert.Contains(FinalStage, i => i.Keyword == "ENTRYPOINT" && i.Text == "[\"/app/mantle\"]");
        Assert.All(FinalStage.Where(i => i.Keyword is "COPY" or "ADD"), i => Assert.StartsWith("--from=build", i.Text, StringComparison.Ordinal));
        Assert.All(FinalStage.Where(i => i.Keyword == "RUN"), i => Assert.DoesNotContain("apt-get", i.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void Dockerfile_Layers_HoldNoSecret()
    {
        foreach (var (keyword, text) in Instructions)
        {
            if (keyword is "COPY" or "ADD")
            {
                Assert.False(SecretFile().IsMatch(text), $"{keyword} {text} copies key material into a layer");
            }

            if (keyword is "ENV" or "ARG")
            {
                Assert.False(SecretName().IsMatch(text), $"{keyword} {text} puts a secret into the image");
            }
        }

        var ignore = File.ReadAllLines(Path.Combine(Processes.DeployFolder, "docker", "Dockerfile.dockerignore")).Where(l => !l.StartsWith('#') && l.Length > 0).ToList();
        Assert.Equal("**", ignore[0]);
        Assert.DoesNotContain(ignore, l => l.StartsWith('!') && SecretFile().IsMatch(l));
    }

    [Fact]
    public async Task Dockerfile_HealthCheck_IsAMantleVerifyTheCliAccepts()
    {
        var health = Assert.Single(FinalStage, i => i.Keyword == "HEALTHCHECK").Text;
        var script = Regex.Match(health, "CMD \\[\"/bin/sh\", \"-c\", \"(.*)\"\\]$").Groups[1].Value.Replace("\\\"", "\"", StringComparison.Ordinal);
        var args = Assert.Single(MantleCli.InvocationsIn(script));
        Assert.Empty(await MantleCli.ProblemsAsync(args, "Dockerfile HEALTHCHECK"));
        Assert.Equal("verify", args[0]);
        var env = string.Join(' ', FinalStage.Where(i => i.Keyword == "ENV").Select(i => i.Text));
        foreach (var variable in args.Where(a => a.StartsWith('$')))
        {
            Assert.Contains(variable[1..] + "=", env, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Dockerfile_RestoreLayer_CopiesEveryProjectMantleIsBuiltFrom()
    {
        var copied = Instructions.Where(i => i.Keyword == "COPY" && i.Text.Contains(".csproj", StringComparison.Ordinal))
            .Select(i => i.Text.Split(' ')[0]).Order().ToList();
        var needed = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(["src/Mantle.Cli/Mantle.Cli.csproj"]);
        while (pending.TryPop(out var project))
        {
            if (!needed.Add(project))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(project)!;
            foreach (var reference in XDocument.Load(Path.Combine(Processes.RepositoryFolder, project)).Descendants("ProjectReference"))
            {
                pending.Push(Path.GetRelativePath(Processes.RepositoryFolder, Path.GetFullPath(Path.Combine(Processes.RepositoryFolder, folder, reference.Attribute("Include")!.Value))));
            }
        }

        Assert.Equal(needed.ToList(), copied);
        foreach (var file in Instructions.Where(i => i.Keyword == "COPY" && !i.Text.StartsWith("--", StringComparison.Ordinal)).SelectMany(i => i.Text.Split(' ')[..^1]))
        {
            Assert.True(File.Exists(Path.Combine(Processes.RepositoryFolder, file)) || Directory.Exists(Path.Combine(Processes.RepositoryFolder, file)), $"COPY {file}: not in the repository");
        }
    }

    /// <summary>Instructions with continuation lines joined and comments dropped.</summary>
    private static List<(string Keyword, string Text)> Parse(string text)
    {
        var instructions = new List<(string, string)>();
        var current = string.Empty;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
            {
                continue;
            }

            current += line.EndsWith('\\') ? line[..^1] + " " : line;
            if (!line.EndsWith('\\'))
            {
                var parts = Regex.Replace(current.Trim(), @"\s+", " ").Split(' ', 2);
                instructions.Add((parts[0].ToUpperInvariant(), parts.Length > 1 ? parts[1] : string.Empty));
                current = string.Empty;
            }
        }

        return instructions;
    }

    [GeneratedRegex(@"\.(key|pem|pfx|p12|credential)\b|master\.key|secrets?/", RegexOptions.IgnoreCase)]
    private static partial Regex SecretFile();

    [GeneratedRegex(@"(PASSWORD|SECRET|TOKEN|MASTER_KEY|PRIVATE)\w*=", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
