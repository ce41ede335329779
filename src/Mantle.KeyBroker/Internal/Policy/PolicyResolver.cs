using Mantle.KeyBroker.Internal.Storage;
using Microsoft.Extensions.Options;

namespace Mantle.KeyBroker.Internal.Policy;

/// <summary>Finds the policy that applies: the stored one, else the file default from the configuration folder.</summary>
internal sealed class PolicyResolver(IBrokerStore store, IOptions<KeyBrokerOptions> options)
{
    public const string DefaultName = "default";
    public const string CertificateName = "certificate";

    public static readonly IReadOnlyList<string> DefaultDnsNames = ["localhost", "*.localhost"];

    public static string ResourceName(string path) => "resource:" + path;

    public async Task<string?> DefaultAsync(CancellationToken cancellationToken)
    {
        var stored = await store.GetPolicyAsync(DefaultName, cancellationToken);
        if (stored is not null)
        {
            return stored;
        }

        var file = Path.Combine(options.Value.ConfigDirectory, BrokerFiles.DefaultPolicy);
        return File.Exists(file) ? await File.ReadAllTextAsync(file, cancellationToken) : null;
    }

    public async Task<string?> ForResourceAsync(string path, CancellationToken cancellationToken) =>
        await store.GetPolicyAsync(ResourceName(path), cancellationToken) ?? await DefaultAsync(cancellationToken);
}
