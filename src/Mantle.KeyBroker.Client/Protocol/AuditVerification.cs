namespace Mantle.KeyBroker;

/// <summary>The result of <see cref="AuditChain.Verify"/>.</summary>
public sealed class AuditVerification
{
    private AuditVerification(bool isValid, long verifiedEntries, long? brokenAt, string headHash, string? problem)
    {
        IsValid = isValid;
        VerifiedEntries = verifiedEntries;
        BrokenAt = brokenAt;
        HeadHash = headHash;
        Problem = problem;
    }

    /// <summary>True when every entry links to the previous one and matches its hash.</summary>
    public bool IsValid { get; }

    /// <summary>How many entries verified before the first problem (all of them when valid).</summary>
    public long VerifiedEntries { get; }

    /// <summary>The sequence number where the chain breaks, when it does.</summary>
    public long? BrokenAt { get; }

    /// <summary>The hash of the last verified entry; record it elsewhere to detect truncation of the tail later.</summary>
    public string HeadHash { get; }

    /// <summary>What is wrong, in words; null when valid.</summary>
    public string? Problem { get; }

    internal static AuditVerification Valid(long count, string head) => new(true, count, null, head, null);

    internal static AuditVerification Broken(long count, long at, string problem) => new(false, count, at, "", problem);
}
