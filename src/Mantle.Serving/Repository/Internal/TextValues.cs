using System.Globalization;

namespace Mantle.Serving.Repository.Internal;

/// <summary>Typed reads of text-format fields, with errors that point at the field.</summary>
internal static class TextValues
{
    public static ConfigFileException Error(string source, TextNode node, string message) =>
        TextFormatParser.Error(source, node.Line, node.Column, message);

    public static List<TextNode> Message(string source, TextNode node) =>
        node.Children ?? throw Error(source, node, $"field '{node.Name}' is a message: write {node.Name} {{ … }}.");

    public static string String(string source, TextNode node) =>
        node is { Scalar: { } value, IsString: true } ? value : throw Error(source, node, $"field '{node.Name}' takes a quoted string.");

    public static long Int64(string source, TextNode node)
    {
        if (node is { Scalar: { } text, IsString: false }
            && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        // The wrapper form used by TF Serving's batching file: max_batch_size { value: 8 }.
        if (node.Children is [{ Name: "value" } inner])
        {
            return Int64(source, inner);
        }

        throw Error(source, node, $"field '{node.Name}' takes an integer.");
    }

    public static bool Bool(string source, TextNode node)
    {
        if (node.Children is [{ Name: "value" } inner])
        {
            return Bool(source, inner);
        }

        return node.Scalar switch
        {
            "true" or "1" when !node.IsString => true,
            "false" or "0" when !node.IsString => false,
            _ => throw Error(source, node, $"field '{node.Name}' takes true or false."),
        };
    }

    public static TextNode? Single(string source, List<TextNode> fields, string name)
    {
        TextNode? found = null;
        foreach (var field in fields)
        {
            if (field.Name == name)
            {
                if (found is not null)
                {
                    throw Error(source, field, $"field '{name}' is given more than once.");
                }

                found = field;
            }
        }

        return found;
    }
}
