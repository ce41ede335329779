using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Mantle.Deploy.Tests;

/// <summary>Checks of Kubernetes workloads and helpers over container specs and mantle arguments.</summary>
internal static class Workloads
{
    /// <summary>What every Deployment must have: a selector matching its pods, non-root read-only containers with requests and limits, mounts of declared volumes.</summary>
    public static void CheckDeployment(YamlNode deployment, List<string> problems)
    {
        var id = "Deployment/" + deployment.Text("metadata", "name");
        var pod = deployment.At("spec", "template", "spec");
        if (!Selects(deployment.At("spec", "selector"), deployment.At("spec", "template", "metadata", "labels")))
        {
            problems.Add($"{id}: spec.selector does not match the pod template's labels");
        }

        if (pod.Text("securityContext", "runAsNonRoot") != "true")
        {
            problems.Add($"{id}: pods must run as non-root");
        }

        var volumes = pod.Items("volumes").Select(v => v.Text("name")).ToHashSet();
        var mounted = new HashSet<string?>();
        foreach (var container in pod.Items("containers"))
        {
            var name = $"{id} container {container.Text("name")}";
            if (container.Text("image") is null)
            {
                problems.Add($"{name}: no image");
            }

            foreach (var kind in new[] { "requests", "limits" })
            {
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    if (container.Text("resources", kind, resource) is null)
                    {
                        problems.Add($"{name}: no {resource} {kind}");
                    }
                }
            }

            if (container.Text("securityContext", "readOnlyRootFilesystem") != "true" || container.Text("securityContext", "allowPrivilegeEscalation") != "false")
            {
                problems.Add($"{name}: the root filesystem must be read-only and privilege escalation off");
            }

            if (container.At("readinessProbe") is null || container.At("livenessProbe") is null)
            {
                problems.Add($"{name}: readiness and liveness probes are required");
            }

            foreach (var mount in container.Items("volumeMounts"))
            {
                mounted.Add(mount.Text("name"));
                if (!volumes.Contains(mount.Text("name")))
                {
                    problems.Add($"{name}: mounts {mount.Text("name")}, which is not a volume of the pod");
                }
            }

            foreach (var variable in container.Items("env"))
            {
                var variableName = variable.Text("name") ?? string.Empty;
                if (variable.Text("value") is not null && (variableName.Contains("KEY", StringComparison.Ordinal) || variableName.Contains("PASSWORD", StringComparison.Ordinal)))
                {
                    problems.Add($"{name}: {variableName} is a literal value; take it from a Secret");
                }
            }
        }

        problems.AddRange(volumes.Where(v => !mounted.Contains(v)).Select(v => $"{id}: volume {v} is mounted by no container"));
    }

    /// <summary>Whether a label selector (matchLabels) selects a set of labels.</summary>
    public static bool Selects(YamlNode? selector, YamlNode? labels)
    {
        var match = selector.At("matchLabels").Entries().ToList();
        return match.Count > 0 && match.All(e => labels.Text(e.Key) == (e.Value as YamlScalarNode)?.Value);
    }

    /// <summary>The mount paths of a container.</summary>
    public static IReadOnlyList<string> MountPaths(YamlNode container) =>
        container.Items("volumeMounts").Select(m => m.Text("mountPath")!).ToList();

    /// <summary>The container port a probe or Service names (by port name or number), or null when the container has no such port.</summary>
    public static int? ContainerPort(YamlNode container, string nameOrNumber)
    {
        foreach (var port in container.Items("ports"))
        {
            if (port.Text("name") == nameOrNumber || port.Text("containerPort") == nameOrNumber)
            {
                return int.Parse(port.Text("containerPort")!, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
