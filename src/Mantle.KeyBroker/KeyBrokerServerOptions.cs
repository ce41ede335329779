using Microsoft.Extensions.DependencyInjection;

namespace Mantle.KeyBroker;

/// <summary>How <see cref="KeyBrokerServer.Build"/> hosts the broker.</summary>
public sealed class KeyBrokerServerOptions
{
    /// <summary>The folder made by <c>mantle broker init</c>. Required.</summary>
    public string ConfigDirectory { get; set; } = "";

    /// <summary><c>sqlite:PATH</c> or <c>postgres:CONNECTION STRING</c>; null for <c>sqlite:&lt;ConfigDirectory&gt;/broker.db</c>.</summary>
    public string? Database { get; set; }

    /// <summary>Addresses to listen on. Defaults to <c>https://127.0.0.1:8443</c>; port 0 picks a free port.</summary>
    public IList<string> Urls { get; } = [];

    /// <summary>Serve plain HTTP instead of HTTPS; only accepted for loopback addresses. Defaults to false.</summary>
    public bool Plaintext { get; set; }

    /// <summary>Registers evidence verifiers, or replaces services (for example an <see cref="IMasterKeyProvider"/>).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>Adjusts broker options after the defaults (lifetimes, rate limits).</summary>
    public Action<KeyBrokerOptions>? ConfigureBroker { get; set; }
}
