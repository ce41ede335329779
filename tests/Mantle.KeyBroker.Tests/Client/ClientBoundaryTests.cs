using System.Reflection;
using Mantle.KeyBroker.Client;

namespace Mantle.KeyBroker.Tests.Client;

public class ClientBoundaryTests
{
    [Fact]
    public void KeyBrokerClient_AssemblyClosure_HasNoAspNetCoreAndNoBrokerService()
    {
        var closure = Closure(typeof(KeyBrokerClient).Assembly);

        Assert.Contains("Mantle.Attestation", closure);
        Assert.DoesNotContain(closure, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain("Mantle.KeyBroker", closure);
        Assert.DoesNotContain(closure, name => name.StartsWith("Microsoft.Data.Sqlite", StringComparison.Ordinal) || name.StartsWith("Npgsql", StringComparison.Ordinal));
    }

    [Fact]
    public void KeyBrokerService_ReferencesTheClientLibrary_ForTheSharedProtocol()
    {
        var closure = Closure(typeof(KeyBrokerServer).Assembly);

        Assert.Contains("Mantle.KeyBroker.Client", closure);
    }

    /// <summary>The names of every assembly reachable by references from <paramref name="root"/>, following Mantle's own assemblies.</summary>
    private static HashSet<string> Closure(Assembly root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<AssemblyName>(root.GetReferencedAssemblies());
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name.Name!) || !name.Name!.StartsWith("Mantle.", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var reference in Assembly.Load(name).GetReferencedAssemblies())
            {
                pending.Push(reference);
            }
        }

        return seen;
    }
}
