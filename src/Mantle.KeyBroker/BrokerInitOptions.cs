namespace Mantle.KeyBroker;

/// <summary>What <see cref="BrokerInitializer.Initialize"/> creates.</summary>
public sealed class BrokerInitOptions
{
    /// <summary>The broker URL written into the admin credential. Defaults to <c>https://127.0.0.1:8443</c>.</summary>
    public string BrokerUrl { get; set; } = "https://127.0.0.1:8443";

    /// <summary>DNS names of the broker's TLS certificate, besides <c>localhost</c>, <c>127.0.0.1</c> and <c>::1</c>. Defaults to none.</summary>
    public IList<string> DnsNames { get; } = [];

    /// <summary>Write a default policy that accepts the simulated TEE (development only). Defaults to false: hardware TEEs only.</summary>
    public bool AllowSim { get; set; }

    /// <summary>Replace files in a folder that already holds a broker configuration. Defaults to false.</summary>
    public bool Overwrite { get; set; }

    /// <summary>Lifetime of the CA certificate. Defaults to 10 years.</summary>
    public TimeSpan CaLifetime { get; set; } = TimeSpan.FromDays(3650);
}
