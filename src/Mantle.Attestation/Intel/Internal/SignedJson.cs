using System.Text.Json;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>
/// Splits an Intel PCS response <c>{"tcbInfo": {…}, "signature": "…"}</c> into the exact bytes of the
/// signed value and the signature: the signature covers the value's text as served, so it is never re-serialized.
/// </summary>
internal static class SignedJson
{
    public static (ReadOnlyMemory<byte> Value, byte[] Signature) Extract(ReadOnlyMemory<byte> response, string property, string what)
    {
        ReadOnlyMemory<byte> value = default;
        string? signature = null;
        try
        {
            var reader = new Utf8JsonReader(response.Span);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw IntelErrors.Collateral($"The {what} is not a JSON object.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (name == property && reader.TokenType == JsonTokenType.StartObject)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    value = response[start..(int)reader.BytesConsumed];
                }
                else if (name == "signature" && reader.TokenType == JsonTokenType.String)
                {
                    signature = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            throw IntelErrors.Collateral($"The {what} is not valid JSON ({e.Message}).");
        }

        if (value.IsEmpty || signature is null)
        {
            throw IntelErrors.Collateral($"The {what} needs both '{property}' and 'signature'. Supply the response exactly as Intel PCS served it.");
        }

        try
        {
            return (value, Convert.FromHexString(signature));
        }
        catch (FormatException)
        {
            throw IntelErrors.Collateral($"The {what} signature is not hex.");
        }
    }
}
