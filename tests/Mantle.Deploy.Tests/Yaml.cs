using YamlDotNet.RepresentationModel;

namespace Mantle.Deploy.Tests;

/// <summary>Reading YAML documents (a compose file, kubectl kustomize's output) by key paths, with merge keys (<c>&lt;&lt;</c>).</summary>
internal static class Yaml
{
    public static IReadOnlyList<YamlMappingNode> Documents(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    /// <summary>The node at a path of mapping keys, or null.</summary>
    public static YamlNode? At(this YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            node = node is YamlMappingNode mapping ? Entries(mapping).Where(e => e.Key == key).Select(e => e.Value).FirstOrDefault() : null;
        }

        return node;
    }

    /// <summary>The scalar at a path, or null.</summary>
    public static string? Text(this YamlNode? node, params string[] path) => (node.At(path) as YamlScalarNode)?.Value;

    /// <summary>The items of the sequence at a path (none when absent).</summary>
    public static IReadOnlyList<YamlNode> Items(this YamlNode? node, params string[] path) =>
        node.At(path) is YamlSequenceNode sequence ? sequence.Children.ToList() : [];

    /// <summary>The scalars of the sequence at a path.</summary>
    public static IReadOnlyList<string> Strings(this YamlNode? node, params string[] path) =>
        node.Items(path).OfType<YamlScalarNode>().Select(s => s.Value ?? string.Empty).ToList();

    /// <summary>A mapping's entries, its own first, then those it merges in with <c>&lt;&lt;</c>.</summary>
    public static IEnumerable<(string Key, YamlNode Value)> Entries(this YamlNode? node)
    {
        if (node is not YamlMappingNode mapping)
        {
            yield break;
        }

        foreach (var (key, value) in mapping.Children)
        {
            if (key is YamlScalarNode { Value: not "<<" } scalar)
            {
                yield return (scalar.Value!, value);
            }
        }

        if (mapping.Children.TryGetValue(new YamlScalarNode("<<"), out var merged))
        {
            foreach (var source in merged is YamlSequenceNode many ? many.Children : [merged])
            {
                foreach (var entry in Entries(source))
                {
                    yield return entry;
                }
            }
        }
    }
}
