using System.Reflection;
using Mantle.Client.Inference;

namespace Mantle.Client.Tests;

/// <summary>A requester's program that uses Mantle.Client brings no server: no ASP.NET Core, no serving or broker host.</summary>
public class AssemblyBoundaryTests
{
    [Fact]
    public void MantleClient_DependencyClosure_HasNoAspNetCoreAndNoServerAssembly()
    {
        var closure = Closure(typeof(InferenceClients).Assembly);

        Assert.Contains("Grpc.Net.Client", closure);
        Assert.Contains("Mantle.Protos", closure);
        Assert.DoesNotContain(closure, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(closure, name => name.StartsWith("Grpc.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain("Mantle.Serving", closure);
        Assert.DoesNotContain("Mantle.KeyBroker", closure);
        Assert.DoesNotContain("Microsoft.ML.OnnxRuntime", closure);
    }

    [Fact]
    public void MantleClient_ResolvedAssets_HaveNoAspNetCorePackageOrFramework()
    {
        // NuGet's resolution of the Mantle.Client project itself (artifacts/obj/Mantle.Client), with every package and
        // project it pulls in and the shared frameworks each of them needs.
        var assets = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "obj", "Mantle.Client", "project.assets.json"));
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(assets));
        var libraries = document.RootElement.GetProperty("targets").EnumerateObject().Single().Value.EnumerateObject().ToList();
        var frameworks = libraries
            .SelectMany(l => l.Value.TryGetProperty("frameworkReferences", out var f) ? f.EnumerateArray().Select(e => e.GetString()!) : [])
            .Concat(document.RootElement.GetProperty("project").GetProperty("frameworks").EnumerateObject()
                .SelectMany(f => f.Value.TryGetProperty("frameworkReferences", out var refs) ? refs.EnumerateObject().Select(r => r.Name) : []))
            .ToList();

        Assert.Contains(libraries, l => l.Name.StartsWith("Mantle.Protos/", StringComparison.Ordinal));
        Assert.DoesNotContain(libraries, l => l.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || l.Name.StartsWith("Grpc.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(libraries, l => l.Name.StartsWith("Mantle.Serving/", StringComparison.Ordinal) || l.Name.StartsWith("Mantle.KeyBroker/", StringComparison.Ordinal));
        Assert.DoesNotContain("Microsoft.AspNetCore.App", frameworks);
    }

    /// <summary>Every assembly reachable by references from <paramref name="root"/>, except the runtime's own.</summary>
    private static HashSet<string> Closure(Assembly root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<AssemblyName>(root.GetReferencedAssemblies());
        while (pending.TryPop(out var name))
        {
            if (name.Name is null || name.Name.StartsWith("System", StringComparison.Ordinal) || name.Name is "netstandard" or "mscorlib" || !seen.Add(name.Name))
            {
                continue;
            }

            Assembly loaded;
            try
            {
                loaded = Assembly.Load(name);
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            foreach (var reference in loaded.GetReferencedAssemblies())
            {
                pending.Push(reference);
            }
        }

        return seen;
    }
}
