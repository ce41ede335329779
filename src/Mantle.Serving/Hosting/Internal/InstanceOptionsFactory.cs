using Microsoft.Extensions.Options;

namespace Mantle.Serving.Hosting.Internal;

/// <summary>
/// An options factory that hands out an instance the host built itself (rather than a new one bound from
/// configuration), still running the registered configure, post-configure and validation steps over it.
/// </summary>
internal sealed class InstanceOptionsFactory<TOptions>(
    TOptions instance,
    IEnumerable<IConfigureOptions<TOptions>> setups,
    IEnumerable<IPostConfigureOptions<TOptions>> postConfigures,
    IEnumerable<IValidateOptions<TOptions>> validations)
    : OptionsFactory<TOptions>(setups, postConfigures, validations)
    where TOptions : class
{
    protected override TOptions CreateInstance(string name) => instance;
}
