using System.Text.RegularExpressions;

namespace Mantle.KeyBroker.Internal.Protocol;

/// <summary>The rule for resource paths, <c>REPO/TYPE/TAG</c>, and the problem that states it.</summary>
internal static partial class ResourcePath
{
    public const string Rule =
        "a resource path is REPO/TYPE/TAG: three segments separated by '/', each 1 to 128 letters, digits, '.', '_' or '-' (for example models/key/resnet)";

    /// <summary>How much of a refused path a problem quotes.</summary>
    private const int MaxQuoted = 200;

    public static bool IsValid(string repo, string type, string tag) =>
        SegmentPattern().IsMatch(repo) && SegmentPattern().IsMatch(type) && SegmentPattern().IsMatch(tag);

    /// <summary>True when <paramref name="path"/> is three valid segments.</summary>
    public static bool IsValid(string path) => path.Split('/') is [var repo, var type, var tag] && IsValid(repo, type, tag);

    public static string Problem(string path) =>
        $"Resource path '{(path.Length <= MaxQuoted ? path : path[..MaxQuoted] + "…")}' is not valid: {Rule}.";

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex SegmentPattern();
}
