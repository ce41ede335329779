namespace Mantle.Serving.Repository;

/// <summary>Which versions of a model to serve, as TF Serving's <c>model_version_policy</c>.</summary>
public sealed record ModelVersionPolicy
{
    private ModelVersionPolicy(ModelVersionPolicyKind kind, int latestCount, IReadOnlyList<long> versions)
    {
        Kind = kind;
        LatestCount = latestCount;
        Versions = versions;
    }

    /// <summary>The kind of policy.</summary>
    public ModelVersionPolicyKind Kind { get; }

    /// <summary>For <see cref="ModelVersionPolicyKind.Latest"/>: how many of the highest versions to serve.</summary>
    public int LatestCount { get; }

    /// <summary>For <see cref="ModelVersionPolicyKind.Specific"/>: the versions to serve.</summary>
    public IReadOnlyList<long> Versions { get; }

    /// <summary>TF Serving's default: the latest version only.</summary>
    public static ModelVersionPolicy Default { get; } = Latest(1);

    /// <summary>Serve the <paramref name="count"/> highest versions.</summary>
    public static ModelVersionPolicy Latest(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new(ModelVersionPolicyKind.Latest, count, []);
    }

    /// <summary>Serve every version found.</summary>
    public static ModelVersionPolicy All() => new(ModelVersionPolicyKind.All, 0, []);

    /// <summary>Serve exactly the listed versions.</summary>
    public static ModelVersionPolicy Specific(IEnumerable<long> versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        var list = versions.Distinct().Order().ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("A specific version policy lists at least one version.", nameof(versions));
        }

        return new(ModelVersionPolicyKind.Specific, 0, list);
    }

    /// <summary>A short description (<c>latest 2</c>, <c>all</c>, <c>specific 1,3</c>).</summary>
    public override string ToString() => Kind switch
    {
        ModelVersionPolicyKind.Latest => $"latest {LatestCount}",
        ModelVersionPolicyKind.All => "all",
        _ => "specific " + string.Join(",", Versions),
    };
}
