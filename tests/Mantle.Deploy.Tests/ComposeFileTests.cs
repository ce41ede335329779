using YamlDotNet.RepresentationModel;

namespace Mantle.Deploy.Tests;

/// <summary>
/// deploy/docker/compose.yaml, parsed (no container runtime is needed): the roles, every mantle command line and
/// health check as mantle's parser sees them, mounted paths, start order on health, secrets only as files.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly YamlMappingNode Compose = Yaml.Documents(File.ReadAllText(Path.Combine(Processes.DeployFolder, "docker", "compose.yaml"))).Single();

    private static IReadOnlyList<(string Name, YamlNode Spec)> Services => Compose.At("services").Entries().ToList();

    [Fact]
    public void Compose_Services_AreTheRolesOfTheReferenceDeployments()
    {
        Assert.Equal(["broker", "client", "owner", "owner-register", "postgres", "server"], Services.Select(s => s.Name).Order());
        foreach (var (name, spec) in Services.Where(s => IsMantle(s.Spec)))
        {
            Assert.True(spec.Text("read_only") == "true", $"{name}: the root filesystem must be read-only");
            Assert.Contains("ALL", spec.Strings("cap_drop"));
            Assert.Null(spec.Text("user"));
        }
    }

    [Fact]
    public async Task Compose_MantleCommandsAndHealthChecks_AreAcceptedAndUseMountedPaths()
    {
        var problems = new List<string>();
        var checkedCount = 0;
        foreach (var (name, spec) in Services.Where(s => IsMantle(s.Spec)))
        {
            var mounts = Mounts(spec);
            foreach (var args in Invocations(spec))
            {
                checkedCount++;
                problems.AddRange(await MantleCli.ProblemsAsync(args, $"compose service {name}"));
                problems.AddRange(MantleCli.PathsIn(args).Where(p => !MantleCli.Under(p, mounts)).Select(p => $"compose service {name}: {p} is not mounted"));
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.True(checkedCount >= 12, $"only {checkedCount} mantle command lines were found");
    }

    [Fact]
    public void Compose_Roles_ConnectAsTheServerCertificateAndBrokerExpect()
    {
        var server = Command("server");
        var broker = Command("broker");
        Assert.Equal("sim", MantleCli.Value(server, "--tee"));
        Assert.Equal("broker-ca", MantleCli.Value(server, "--tls"));
        var brokerUrl = new Uri(MantleCli.Value(server, "--broker")!);
        Assert.Equal(brokerUrl.Port, new Uri(MantleCli.Value(broker, "--urls")!).Port);
        Assert.Contains(Services, s => s.Name == brokerUrl.Host);

        var db = MantleCli.Value(broker, "--db")!;
        Assert.StartsWith("postgres:Host=postgres;", db, StringComparison.Ordinal);
        Assert.DoesNotContain("Password=", db, StringComparison.OrdinalIgnoreCase);

        // The client reaches the server by its service name, which the broker's certificate policy allows and the
        // server asks for in its certificate.
        var client = MantleCli.InvocationsIn(Service("client").Strings("command")[0]).ToList();
        var ports = new[] { MantleCli.Value(server, "--port"), MantleCli.Value(server, "--rest_api_port") };
        Assert.All(client, args => Assert.Contains(MantleCli.Value(args, "--url")!.Split(':')[1], ports));
        Assert.All(client, args => Assert.Equal("server", MantleCli.Value(args, "--url")!.Split(':')[0]));
        Assert.Contains("server", server.Where((_, i) => i > 0 && server[i - 1] == "--tls-name"));
        Assert.Contains("\"server\"", Compose.Text("configs", "certificate-policy", "content"), StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_StartOrderAndSecrets_HealthGatedAndFileOnly()
    {
        foreach (var (name, spec) in Services)
        {
            foreach (var (dependency, condition) in spec.At("depends_on").Entries())
            {
                var target = Service(dependency);
                switch (condition.Text("condition"))
                {
                    case "service_healthy":
                        Assert.True(target.At("healthcheck", "test") is not null, $"{name} waits for {dependency} to be healthy, which has no healthcheck");
                        break;
                    case "service_completed_successfully":
                        Assert.Equal("no", target.Text("restart"));
                        break;
                    default:
                        Assert.Fail($"{name} depends on {dependency} without a health or completion condition");
                        break;
                }
            }

            foreach (var secret in spec.Strings("secrets"))
            {
                Assert.NotNull(Compose.Text("secrets", secret, "file"));
            }

            foreach (var (variable, value) in spec.At("environment").Entries())
            {
                Assert.False(variable.Contains("PASSWORD", StringComparison.Ordinal) && !variable.EndsWith("_FILE", StringComparison.Ordinal),
                    $"{name}: {variable}={(value as YamlScalarNode)?.Value} puts a password in the environment; use a secret file");
            }
        }

        Assert.Equal("service_healthy", Service("client").Text("depends_on", "server", "condition"));
    }

    private static bool IsMantle(YamlNode spec) => spec.Text("image")?.Contains("mantle", StringComparison.Ordinal) == true;

    private static YamlNode Service(string name) => Services.Single(s => s.Name == name).Spec;

    private static IReadOnlyList<string> Command(string name) => Service(name).Strings("command");

    /// <summary>A service's mantle command lines: its command (or the script its shell entrypoint runs) and its health check.</summary>
    private static IEnumerable<IReadOnlyList<string>> Invocations(YamlNode spec)
    {
        var command = spec.Strings("command");
        if (spec.Strings("entrypoint") is ["/bin/sh", ..])
        {
            foreach (var args in MantleCli.InvocationsIn(command[0]))
            {
                yield return args;
            }
        }
        else
        {
            yield return command;
        }

        var test = spec.Strings("healthcheck", "test");
        if (test is ["CMD", "/app/mantle", _, ..])
        {
            yield return test.Skip(2).ToList();
        }
    }

    /// <summary>Where a service has files: volume targets, secrets, configs and tmpfs.</summary>
    private static List<string> Mounts(YamlNode spec)
    {
        var mounts = spec.Strings("volumes").Select(v => System.Text.RegularExpressions.Regex.Replace(v, @"\$\{[^}]*\}", string.Empty).Split(':')[1]).ToList();
        mounts.AddRange(spec.Strings("secrets").Select(s => "/run/secrets/" + s));
        mounts.AddRange(spec.Items("configs").Select(c => c.Text("target")!));
        mounts.AddRange(spec.Strings("tmpfs"));
        return mounts;
    }
}
