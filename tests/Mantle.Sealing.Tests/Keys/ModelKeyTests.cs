using System.Text.Json.Nodes;
using Mantle.Sealing.Keys;

namespace Mantle.Sealing.Tests.Keys;

public sealed class ModelKeyTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void SaveThenLoad_SameKeyAndId()
    {
        using var key = ModelKey.Generate();
        var path = _folder.Combine("model.key");

        key.Save(path);
        using var loaded = ModelKey.Load(path);

        Assert.Equal(key.Id, loaded.Id);
        Assert.Equal(key.Bytes.ToArray(), loaded.Bytes.ToArray());
        Assert.Matches("^[0-9a-f]{16}$", key.Id);
    }

    [Fact]
    public void Load_BareKeyBytesAsReleasedByBroker_ComputesTheSameId()
    {
        using var key = ModelKey.Generate();
        var path = _folder.WriteFile("released.key", key.Bytes.ToArray());

        using var loaded = ModelKey.Load(path);

        Assert.Equal(key.Id, loaded.Id);
        Assert.Equal(key.Bytes.ToArray(), loaded.Bytes.ToArray());
    }

    [Fact]
    public void Load_BareBytesOfWrongLength_IsRefused()
    {
        var path = _folder.WriteFile("short.key", new byte[31]);

        var error = Assert.Throws<SealingException>(() => ModelKey.Load(path));

        Assert.Equal(SealingErrorCode.InvalidKey, error.Code);
    }

    [Fact]
    public void Save_File_IsReadableOnlyByOwner()
    {
        using var key = ModelKey.Generate();
        var path = _folder.Combine("model.key");

        key.Save(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Save_ExistingFile_IsNotOverwritten()
    {
        using var key = ModelKey.Generate();
        var path = _folder.WriteFile("model.key", [1, 2, 3]);

        var error = Assert.Throws<SealingException>(() => key.Save(path));

        Assert.Equal(SealingErrorCode.OutputExists, error.Code);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
    }

    [Fact]
    public void Generate_TwoKeys_DifferInKeyAndId()
    {
        using var first = ModelKey.Generate();
        using var second = ModelKey.Generate();

        Assert.NotEqual(first.Id, second.Id);
        Assert.NotEqual(first.Bytes.ToArray(), second.Bytes.ToArray());
    }

    [Fact]
    public void Load_IdEdited_IsRefused()
    {
        using var key = ModelKey.Generate();
        var path = _folder.Combine("model.key");
        key.Save(path);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json["keyId"] = "0000000000000000";

        var error = Assert.Throws<SealingException>(() => ModelKey.Parse(json.ToJsonString(), path));

        Assert.Equal(SealingErrorCode.InvalidKey, error.Code);
        Assert.Contains("keyId does not match its key", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"type\":\"mantle-model-key\",\"keyId\":\"x\",\"key\":\"AAAA\"}", "must be 32 bytes")]
    [InlineData("{\"type\":\"other\",\"keyId\":\"x\",\"key\":\"AAAA\"}", "not a model key file")]
    [InlineData("not json", "not valid JSON")]
    public void Parse_Malformed_IsRefused(string json, string message)
    {
        var error = Assert.Throws<SealingException>(() => ModelKey.Parse(json, "k"));

        Assert.Equal(SealingErrorCode.InvalidKey, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refusal_NeverEchoesKeyMaterial()
    {
        using var key = ModelKey.Generate();
        var path = _folder.Combine("model.key");
        key.Save(path);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        var encoded = json["key"]!.GetValue<string>();
        json["keyId"] = "0000000000000000";

        var error = Assert.Throws<SealingException>(() => ModelKey.Parse(json.ToJsonString(), path));

        Assert.DoesNotContain(encoded, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(key.Bytes), error.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Dispose_ClearsKey()
    {
        var key = ModelKey.Generate();

        key.Dispose();

        Assert.Throws<ObjectDisposedException>(() => key.Bytes.ToArray());
    }

    public void Dispose() => _folder.Dispose();
}
