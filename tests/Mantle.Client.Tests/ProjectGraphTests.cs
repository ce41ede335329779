using System.Xml.Linq;

namespace Mantle.Client.Tests;

/// <summary>The project references are the ones docs/architecture.md draws: nothing points upwards.</summary>
public sealed class ProjectGraphTests
{
    private static readonly Dictionary<string, string[]> Expected = new()
    {
        ["Mantle.Attestation"] = [],
        ["Mantle.Sealing"] = [],
        ["Mantle.Protos"] = [],
        ["Mantle.KeyBroker.Client"] = ["Mantle.Attestation"],
        ["Mantle.KeyBroker"] = ["Mantle.Attestation", "Mantle.KeyBroker.Client"],
        ["Mantle.Client"] = ["Mantle.Attestation", "Mantle.KeyBroker.Client", "Mantle.Protos"],
        ["Mantle.Serving"] = ["Mantle.Attestation", "Mantle.KeyBroker.Client", "Mantle.Protos", "Mantle.Sealing"],
        ["Mantle.Cli"] = ["Mantle.Attestation", "Mantle.Client", "Mantle.KeyBroker", "Mantle.KeyBroker.Client", "Mantle.Sealing", "Mantle.Serving"],
    };

    private static readonly string[] AspNetCoreHosts = ["Mantle.Cli", "Mantle.KeyBroker", "Mantle.Serving"];

    [Fact]
    public void SourceProjects_ReferenceExactlyTheMappedProjects()
    {
        var actual = SourceProjects().ToDictionary(
            p => Path.GetFileNameWithoutExtension(p),
            p => XDocument.Load(p).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                .Order(StringComparer.Ordinal)
                .ToArray());

        Assert.Equal(Expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (project, references) in Expected)
        {
            Assert.True(references.SequenceEqual(actual[project]), $"{project} references {string.Join(", ", actual[project])}; the map says {string.Join(", ", references)}.");
        }
    }

    [Fact]
    public void OnlyTheHostsUseAspNetCore()
    {
        var withAspNet = SourceProjects()
            .Where(p => XDocument.Load(p).Descendants("FrameworkReference").Any(r => r.Attribute("Include")?.Value == "Microsoft.AspNetCore.App")
                || XDocument.Load(p).Descendants("PackageReference").Any(r => r.Attribute("Include")!.Value.StartsWith("Grpc.AspNetCore", StringComparison.Ordinal)))
            .Select(p => Path.GetFileNameWithoutExtension(p))
            .Order(StringComparer.Ordinal);

        Assert.Equal(AspNetCoreHosts, withAspNet);
    }

    private static IEnumerable<string> SourceProjects()
    {
        // The tests run from artifacts/bin/<project>/<configuration>/ inside the repository.
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));
        var src = Path.Combine(root, "src");
        Assert.True(File.Exists(Path.Combine(root, "Mantle.slnx")), $"{root} is not the repository root");
        return Directory.GetDirectories(src).Select(d => Path.Combine(d, Path.GetFileName(d) + ".csproj")).Where(File.Exists);
    }
}
