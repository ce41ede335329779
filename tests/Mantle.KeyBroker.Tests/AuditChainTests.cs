namespace Mantle.KeyBroker.Tests;

public sealed class AuditChainTests
{
    private static List<AuditEntry> Chain(int count)
    {
        var list = new List<AuditEntry>();
        var prev = AuditChain.GenesisHash;
        for (var seq = 1; seq <= count; seq++)
        {
            var hash = AuditChain.ComputeHash(prev, seq, "2026-01-01T00:00:00.000Z", "admin:x", "resource.put", "r/t/" + seq, "ok", "version=1");
            list.Add(new AuditEntry(seq, "2026-01-01T00:00:00.000Z", "admin:x", "resource.put", "r/t/" + seq, "ok", "version=1", prev, hash));
            prev = hash;
        }

        return list;
    }

    [Fact]
    public void Verify_IntactChain_IsValid()
    {
        var result = AuditChain.Verify(Chain(5));
        Assert.True(result.IsValid);
        Assert.Equal(5, result.VerifiedEntries);
    }

    [Fact]
    public void Verify_EditedEntry_ReportsIt()
    {
        var chain = Chain(5);
        chain[2] = chain[2] with { Outcome = "refused" };
        var result = AuditChain.Verify(chain);
        Assert.False(result.IsValid);
        Assert.Equal(3, result.BrokenAt);
        Assert.Contains("edited", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_DeletedEntry_ReportsIt()
    {
        var chain = Chain(5);
        chain.RemoveAt(1);
        var result = AuditChain.Verify(chain);
        Assert.False(result.IsValid);
        Assert.Contains("deleted", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_DeletedAndRenumbered_ReportsBrokenLink()
    {
        var chain = Chain(5);
        chain.RemoveAt(1);
        chain = chain.Select((e, i) => e with { Seq = i + 1 }).ToList();
        Assert.False(AuditChain.Verify(chain).IsValid);
    }

    [Fact]
    public void ComputeHash_NewlineInField_DoesNotCollideWithFieldBoundary()
    {
        var a = AuditChain.ComputeHash(AuditChain.GenesisHash, 1, "t", "a\nb", "c", "s", "ok", "");
        var b = AuditChain.ComputeHash(AuditChain.GenesisHash, 1, "t", "a", "b\nc", "s", "ok", "");
        Assert.NotEqual(a, b);
    }
}
