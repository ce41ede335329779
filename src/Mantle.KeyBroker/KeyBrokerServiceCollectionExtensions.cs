using Mantle.KeyBroker.Internal;
using Mantle.KeyBroker.Internal.Admin;
using Mantle.KeyBroker.Internal.Crypto;
using Mantle.KeyBroker.Internal.Policy;
using Mantle.KeyBroker.Internal.Protocol;
using Mantle.KeyBroker.Internal.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mantle.KeyBroker;

/// <summary>Registers the key broker's services.</summary>
public static class KeyBrokerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the key broker: options (bound from the <c>KeyBroker</c> section when a configuration is
    /// given, validated at start), storage, key material, the master key (<see cref="FileMasterKeyProvider"/>
    /// unless an <see cref="IMasterKeyProvider"/> is registered first), the attestation policy engine and
    /// the endpoint handlers, and an exception handler that answers faults with problem documents (active where
    /// the host calls <c>UseExceptionHandler()</c>, as <see cref="KeyBrokerServer.Build"/> does). Evidence verifiers are
    /// registered by the caller as <see cref="Mantle.Attestation.IEvidenceVerifier"/>. At start the options and every
    /// file of the configuration folder are checked, and the key material is loaded.
    /// </summary>
    public static IServiceCollection AddMantleKeyBroker(this IServiceCollection services, IConfiguration? configuration = null, Action<KeyBrokerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<KeyBrokerOptions>();
        if (configuration is not null)
        {
            builder.Bind(configuration.GetSection(KeyBrokerOptions.SectionName));
        }

        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyBrokerOptions>, KeyBrokerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IBrokerStore>(sp =>
            StoreFactory.Create(sp.GetRequiredService<IOptions<KeyBrokerOptions>>().Value.EffectiveDatabase, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => BrokerKeys.Load(sp.GetRequiredService<IOptions<KeyBrokerOptions>>().Value.ConfigDirectory));
        services.TryAddSingleton<IMasterKeyProvider>(sp =>
            FileMasterKeyProvider.Load(Path.Combine(sp.GetRequiredService<IOptions<KeyBrokerOptions>>().Value.ConfigDirectory, BrokerFiles.MasterKey)));
        services.TryAddSingleton<IPolicyEngine, AttestationPolicyEngine>();
        services.TryAddSingleton<PolicyResolver>();
        services.TryAddSingleton<TokenService>();
        services.TryAddSingleton<CertificateIssuer>();
        services.TryAddSingleton<KbsHandlers>();
        services.TryAddSingleton<ReleaseHandlers>();
        services.TryAddSingleton<AdminHandlers>();
        services.TryAddSingleton<AdminAuthFilter>();
        services.TryAddSingleton<RateLimitFilter>();
        services.AddHostedService<StoreInitializer>();
        services.AddProblemDetails();
        services.AddExceptionHandler<BrokerExceptionHandler>();
        return services;
    }
}
