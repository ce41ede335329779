using System.Text.Json.Serialization;

namespace Mantle.KeyBroker.Client;

/// <summary>The version that a put or rotate stored.</summary>
/// <param name="Path">The resource path.</param>
/// <param name="Version">The new version number.</param>
public sealed record ResourceVersion([property: JsonPropertyName("path")] string Path, [property: JsonPropertyName("version")] long Version);
