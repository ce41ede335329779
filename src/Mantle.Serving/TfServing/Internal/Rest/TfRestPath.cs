using System.Globalization;

namespace Mantle.Serving.TfServing.Internal.Rest;

/// <summary>
/// A parsed TF Serving REST path after <c>/v1/models/</c>:
/// <c>{model}[/versions/{v}|/labels/{l}][/metadata|:predict|:classify|:regress]</c>.
/// </summary>
internal sealed record TfRestPath(string Model, long? Version, string? Label, string? Verb, bool Metadata)
{
    public static TfRestPath? Parse(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        string? verb = null;
        var colon = path.LastIndexOf(':');
        if (colon >= 0 && path.IndexOf('/', colon) < 0)
        {
            verb = path[(colon + 1)..];
            path = path[..colon];
        }

        var segments = path.Split('/');
        var metadata = false;
        var count = segments.Length;
        if (count is 2 or 4 && segments[count - 1] == "metadata" && verb is null)
        {
            metadata = true;
            count--;
        }

        var model = segments[0];
        if (model.Length == 0)
        {
            return null;
        }

        switch (count)
        {
            case 1:
                return new TfRestPath(model, null, null, verb, metadata);
            case 3 when segments[1] == "versions"
                && long.TryParse(segments[2], NumberStyles.None, CultureInfo.InvariantCulture, out var version):
                return new TfRestPath(model, version, null, verb, metadata);
            case 3 when segments[1] == "labels" && segments[2].Length > 0:
                return new TfRestPath(model, null, segments[2], verb, metadata);
            default:
                return null;
        }
    }
}
