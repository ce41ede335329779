using YamlDotNet.RepresentationModel;

namespace Mantle.Deploy.Tests;

/// <summary>
/// deploy/kubernetes rendered by <c>kubectl kustomize</c> (base and every overlay): what Kubernetes requires of each
/// object, and what Mantle needs (arguments its parser accepts, paths that are mounted, probes on the readiness
/// endpoint and the port the server listens on, limits, TLS passed through at layer 4, no secret in the manifests).
/// </summary>
public sealed class KubernetesManifestTests
{
    public static TheoryData<string, string> Overlays => new()
    {
        { "base", "sim" },
        { "overlays/coco-tdx", "tdx" },
        { "overlays/coco-snp", "snp" },
        { "overlays/sgx", "sgx" },
    };

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Kustomize_Overlay_RendersObjectsKubernetesAccepts(string folder, string tee)
    {
        var objects = await RenderAsync(folder);
        var problems = new List<string>();
        foreach (var o in objects)
        {
            var id = $"{o.Text("kind")}/{o.Text("metadata", "name")}";
            if (o.Text("apiVersion") is null || o.Text("kind") is null || o.Text("metadata", "name") is null)
            {
                problems.Add($"{id}: apiVersion, kind and metadata.name are required");
            }

            if (o.Text("kind") != "Namespace" && o.Text("metadata", "namespace") != "mantle")
            {
                problems.Add($"{id}: not in the namespace mantle");
            }
        }

        foreach (var deployment in objects.Where(o => o.Text("kind") == "Deployment"))
        {
            Workloads.CheckDeployment(deployment, problems);
        }

        foreach (var pdb in objects.Where(o => o.Text("kind") == "PodDisruptionBudget"))
        {
            if (!objects.Any(d => d.Text("kind") == "Deployment" && Workloads.Selects(pdb.At("spec", "selector"), d.At("spec", "template", "metadata", "labels"))))
            {
                problems.Add($"PodDisruptionBudget/{pdb.Text("metadata", "name")} selects no Deployment");
            }
        }

        Assert.True(problems.Count == 0, $"{folder} ({tee}):\n" + string.Join('\n', problems));
        Assert.Equal(
            ["mantle-broker", "mantle-server"],
            objects.Where(o => o.Text("kind") == "PodDisruptionBudget").Select(o => o.Text("metadata", "name")).Order());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Kustomize_Overlay_RunsMantleAsItsParserAndMountsExpect(string folder, string tee)
    {
        var objects = await RenderAsync(folder);
        var broker = Single(objects, "Deployment", "mantle-broker");
        var server = Single(objects, "Deployment", "mantle-server");
        var brokerContainer = broker.Items("spec", "template", "spec", "containers").Single();
        var serverContainer = server.Items("spec", "template", "spec", "containers").Single();
        var brokerArgs = brokerContainer.Strings("args");
        var gramine = serverContainer.Strings("command") is ["gramine-sgx", ..];
        var serverArgs = gramine ? GramineTemplate.Arguments : serverContainer.Strings("args");

        var problems = new List<string>();
        problems.AddRange(await MantleCli.ProblemsAsync(brokerArgs, $"{folder} broker"));
        problems.AddRange(await MantleCli.ProblemsAsync(serverArgs, $"{folder} server"));
        var serverMounts = gramine ? GramineTemplate.MountPaths : Workloads.MountPaths(serverContainer);
        problems.AddRange(MantleCli.PathsIn(brokerArgs).Where(p => !MantleCli.Under(p, Workloads.MountPaths(brokerContainer))).Select(p => $"{folder} broker: {p} is not mounted"));
        problems.AddRange(MantleCli.PathsIn(serverArgs).Where(p => !MantleCli.Under(p, serverMounts)).Select(p => $"{folder} server: {p} is not mounted"));
        Assert.True(problems.Count == 0, string.Join('\n', problems));

        Assert.Equal(tee, MantleCli.Value(serverArgs, "--tee"));
        Assert.True(broker.Text("spec", "replicas") is { } replicas && int.Parse(replicas, System.Globalization.CultureInfo.InvariantCulture) >= 2, "the broker needs two replicas or more");
        Assert.StartsWith("postgres:", MantleCli.Value(brokerArgs, "--db"), StringComparison.Ordinal);
        Assert.Equal(tee == "sim", brokerArgs.Contains("--sim-key"));

        // The master key comes from a Secret, never a literal value.
        var masterKey = brokerContainer.Items("env").Single(e => e.Text("name") == "MANTLE_BROKER_MASTER_KEY");
        Assert.NotNull(masterKey.Text("valueFrom", "secretKeyRef", "name"));
        Assert.Null(masterKey.Text("value"));

        // Servers reach the brokers through their Service, on the port the brokers listen on.
        var brokerPort = new Uri(MantleCli.Value(brokerArgs, "--urls")!).Port;
        var brokerService = Single(objects, "Service", "mantle-broker");
        var brokerUrl = new Uri(MantleCli.Value(serverArgs, "--broker")!);
        Assert.Equal("mantle-broker", brokerUrl.Host);
        Assert.Contains(brokerService.Items("spec", "ports"), p => p.Text("port") == brokerUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)
            && Workloads.ContainerPort(brokerContainer, p.Text("targetPort")!) == brokerPort);

        // Ready means attested, keyed and loaded: the probe asks /v2/health/ready over TLS on the REST port.
        var readiness = serverContainer.At("readinessProbe", "httpGet");
        Assert.Equal("/v2/health/ready", readiness.Text("path"));
        Assert.Equal("HTTPS", readiness.Text("scheme"));
        Assert.Equal(int.Parse(MantleCli.Value(serverArgs, "--rest_api_port")!, System.Globalization.CultureInfo.InvariantCulture), Workloads.ContainerPort(serverContainer, readiness.Text("port")!));

        if (folder.Contains("coco", StringComparison.Ordinal))
        {
            Assert.Equal($"kata-qemu-{tee}", server.Text("spec", "template", "spec", "runtimeClassName"));
        }

        if (tee == "sgx")
        {
            Assert.True(gramine, "the sgx overlay runs mantle under gramine-sgx");
            Assert.Equal("1", serverContainer.Text("resources", "limits", "sgx.intel.com/enclave"));
            Assert.NotNull(serverContainer.Text("resources", "limits", "sgx.intel.com/epc"));
            Assert.Null(serverContainer.At("args"));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Kustomize_Overlay_PassesTlsThroughAndKeepsSecretsOut(string folder, string tee)
    {
        var objects = await RenderAsync(folder);
        var kinds = objects.Select(o => o.Text("kind")).ToList();
        Assert.DoesNotContain("Ingress", kinds);
        Assert.DoesNotContain("Secret", kinds);

        var serverContainer = Single(objects, "Deployment", "mantle-server").Items("spec", "template", "spec", "containers").Single();
        var service = Single(objects, "Service", "mantle-server");
        Assert.Equal("LoadBalancer", service.Text("spec", "type"));
        foreach (var port in service.Items("spec", "ports"))
        {
            Assert.Equal("TCP", port.Text("protocol"));
            Assert.NotNull(Workloads.ContainerPort(serverContainer, port.Text("targetPort")!));
        }

        foreach (var configMap in objects.Where(o => o.Text("kind") == "ConfigMap"))
        {
            foreach (var (key, value) in configMap.At("data").Entries())
            {
                var text = (value as YamlScalarNode)?.Value ?? string.Empty;
                Assert.False(text.Contains("PRIVATE KEY", StringComparison.Ordinal) || key.EndsWith(".key", StringComparison.Ordinal) || key.Contains("master", StringComparison.Ordinal),
                    $"{folder} ({tee}): ConfigMap/{configMap.Text("metadata", "name")} holds secret material in '{key}'");
            }
        }

        // The default deny and one allowance each: clients to the servers' ports, servers to the brokers.
        var policies = objects.Where(o => o.Text("kind") == "NetworkPolicy").ToList();
        Assert.Contains(policies, p => p.At("spec", "podSelector").Entries().All(e => e.Value is YamlMappingNode m && m.Children.Count == 0) && p.At("spec", "ingress") is null);
        var serverPolicy = policies.Single(p => p.Text("spec", "podSelector", "matchLabels", "app.kubernetes.io/name") == "mantle-server");
        Assert.Equal(["8500", "8501"], serverPolicy.Items("spec", "ingress").SelectMany(r => r.Items("ports")).Select(p => p.Text("port")!).Order());
        var brokerPolicy = policies.Single(p => p.Text("spec", "podSelector", "matchLabels", "app.kubernetes.io/name") == "mantle-broker");
        Assert.Contains(brokerPolicy.Items("spec", "ingress"), r => r.Items("from").Any(f => f.Text("podSelector", "matchLabels", "app.kubernetes.io/name") == "mantle-server")
            && r.Items("ports").Any(p => p.Text("port") == "8443"));
    }

    private static YamlMappingNode Single(IReadOnlyList<YamlMappingNode> objects, string kind, string name) =>
        Assert.Single(objects, o => o.Text("kind") == kind && o.Text("metadata", "name") == name);

    private static async Task<IReadOnlyList<YamlMappingNode>> RenderAsync(string folder)
    {
        var kubectl = Processes.Find("kubectl");
        Assert.True(kubectl is not null, "kubectl is not on PATH; run scripts/install-deps.sh (Debian package kubernetes-client).");
        var (exit, stdout, stderr) = await Processes.RunAsync(kubectl, ["kustomize", Path.Combine(Processes.DeployFolder, "kubernetes", folder)], TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, $"kubectl kustomize {folder} failed:\n{stderr}");
        return Yaml.Documents(stdout);
    }
}
