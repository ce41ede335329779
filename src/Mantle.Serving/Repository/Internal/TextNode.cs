namespace Mantle.Serving.Repository.Internal;

/// <summary>One field of a protobuf text-format message: a scalar or a nested message, with its position.</summary>
internal sealed class TextNode(string name, int line, int column)
{
    public string Name { get; } = name;

    public int Line { get; } = line;

    public int Column { get; } = column;

    /// <summary>The scalar's text (string contents unescaped), or null for a message.</summary>
    public string? Scalar { get; set; }

    /// <summary>True when the scalar was a quoted string.</summary>
    public bool IsString { get; set; }

    /// <summary>The fields of a nested message, or null for a scalar.</summary>
    public List<TextNode>? Children { get; set; }
}
