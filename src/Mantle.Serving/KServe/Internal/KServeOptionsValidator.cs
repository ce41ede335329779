using Microsoft.Extensions.Options;

namespace Mantle.Serving.KServe.Internal;

internal sealed class KServeOptionsValidator : IValidateOptions<KServeOptions>
{
    public ValidateOptionsResult Validate(string? name, KServeOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ServerName))
        {
            failures.Add($"{KServeOptions.SectionName}:{nameof(KServeOptions.ServerName)} must not be empty");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
