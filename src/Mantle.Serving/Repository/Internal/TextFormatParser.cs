using System.Globalization;
using System.Text;

namespace Mantle.Serving.Repository.Internal;

/// <summary>
/// Reads the protobuf text format into a tree of <see cref="TextNode"/>s: <c>name: scalar</c>,
/// <c>name { … }</c>, <c>name: { … }</c>, <c>name &lt; … &gt;</c>, lists <c>name: [a, b]</c>, optional
/// <c>,</c>/<c>;</c> separators and <c>#</c> comments. Field meaning is checked by the caller.
/// </summary>
internal sealed class TextFormatParser
{
    private readonly string _text;
    private readonly string _source;
    private int _position;
    private int _line = 1;
    private int _column = 1;

    private TextFormatParser(string text, string source)
    {
        _text = text;
        _source = source;
    }

    public static List<TextNode> Parse(string text, string source)
    {
        var parser = new TextFormatParser(text, source);
        var fields = parser.ParseFields(closing: null);
        return fields;
    }

    public static ConfigFileException Error(string source, int line, int column, string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{source}:{line}:{column}: {message}"));

    private ConfigFileException Error(string message) => Error(_source, _line, _column, message);

    private List<TextNode> ParseFields(char? closing)
    {
        var fields = new List<TextNode>();
        while (true)
        {
            SkipSpaceAndComments();
            if (_position >= _text.Length)
            {
                if (closing is not null)
                {
                    throw Error($"unexpected end of file: missing '{closing}'.");
                }

                return fields;
            }

            var c = _text[_position];
            if (closing is not null && c == closing)
            {
                Advance();
                return fields;
            }

            if (c is ',' or ';')
            {
                Advance();
                continue;
            }

            var line = _line;
            var column = _column;
            var name = ReadIdentifier();
            SkipSpaceAndComments();
            var hasColon = Peek() == ':';
            if (hasColon)
            {
                Advance();
                SkipSpaceAndComments();
            }

            var next = Peek();
            if (next is '{' or '<')
            {
                Advance();
                fields.Add(new TextNode(name, line, column) { Children = ParseFields(next == '{' ? '}' : '>') });
            }
            else if (!hasColon)
            {
                throw Error($"expected ':' or '{{' after field '{name}'.");
            }
            else if (next == '[')
            {
                Advance();
                ParseList(name, fields);
            }
            else
            {
                fields.Add(ReadScalar(name, line, column));
            }
        }
    }

    private void ParseList(string name, List<TextNode> fields)
    {
        while (true)
        {
            SkipSpaceAndComments();
            var c = Peek();
            if (c == ']')
            {
                Advance();
                return;
            }

            if (c == ',')
            {
                Advance();
                continue;
            }

            var line = _line;
            var column = _column;
            if (c is '{' or '<')
            {
                Advance();
                fields.Add(new TextNode(name, line, column) { Children = ParseFields(c == '{' ? '}' : '>') });
            }
            else
            {
                fields.Add(ReadScalar(name, line, column));
            }
        }
    }

    private TextNode ReadScalar(string name, int line, int column)
    {
        var c = Peek();
        if (c is '"' or '\'')
        {
            var builder = new StringBuilder();
            while (Peek() is '"' or '\'')
            {
                builder.Append(ReadString());
                SkipSpaceAndComments();
            }

            return new TextNode(name, line, column) { Scalar = builder.ToString(), IsString = true };
        }

        var start = _position;
        while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] is '-' or '+' or '.' or '_'))
        {
            Advance();
        }

        if (start == _position)
        {
            throw Error(c is null ? $"unexpected end of file: field '{name}' has no value." : $"unexpected '{c}': expected a value for field '{name}'.");
        }

        return new TextNode(name, line, column) { Scalar = _text[start.._position] };
    }

    private string ReadString()
    {
        var quote = _text[_position];
        Advance();
        var builder = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length || _text[_position] == '\n')
            {
                throw Error("unterminated string.");
            }

            var c = _text[_position];
            Advance();
            if (c == quote)
            {
                return builder.ToString();
            }

            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            if (_position >= _text.Length)
            {
                throw Error("unterminated string.");
            }

            var escaped = _text[_position];
            Advance();
            builder.Append(escaped switch
            {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '\\' => '\\',
                '\'' => '\'',
                '"' => '"',
                _ => throw Error($"unsupported escape '\\{escaped}' in string."),
            });
        }
    }

    private string ReadIdentifier()
    {
        var start = _position;
        while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] == '_'))
        {
            Advance();
        }

        if (start == _position)
        {
            throw Error($"unexpected '{_text[_position]}': expected a field name.");
        }

        return _text[start.._position];
    }

    private char? Peek() => _position < _text.Length ? _text[_position] : null;

    private void Advance()
    {
        if (_text[_position] == '\n')
        {
            _line++;
            _column = 1;
        }
        else
        {
            _column++;
        }

        _position++;
    }

    private void SkipSpaceAndComments()
    {
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (char.IsWhiteSpace(c))
            {
                Advance();
            }
            else if (c == '#')
            {
                while (_position < _text.Length && _text[_position] != '\n')
                {
                    Advance();
                }
            }
            else
            {
                return;
            }
        }
    }
}
