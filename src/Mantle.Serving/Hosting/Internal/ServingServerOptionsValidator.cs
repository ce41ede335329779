using Microsoft.Extensions.Options;

namespace Mantle.Serving.Hosting.Internal;

/// <summary>Checks <see cref="ServingServerOptions"/> when the host starts: one failure per invalid option, naming it.</summary>
internal sealed class ServingServerOptionsValidator : IValidateOptions<ServingServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServingServerOptions options)
    {
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
