namespace Mantle.Serving.Repository;

/// <summary>The kinds of version policy.</summary>
public enum ModelVersionPolicyKind
{
    /// <summary>The highest N versions.</summary>
    Latest,

    /// <summary>Every version.</summary>
    All,

    /// <summary>A fixed list of versions.</summary>
    Specific,
}
