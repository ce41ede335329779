using Mantle.KeyBroker.Internal.Storage;
using Microsoft.Extensions.Options;

namespace Mantle.KeyBroker.Internal;

internal sealed class KeyBrokerOptionsValidator(TimeProvider time) : IValidateOptions<KeyBrokerOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyBrokerOptions options)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConfigDirectory))
        {
            problems.Add("KeyBroker:ConfigDirectory is required: the folder made by 'mantle broker init'.");
        }
        else if (!Directory.Exists(options.ConfigDirectory))
        {
            problems.Add($"KeyBroker:ConfigDirectory '{options.ConfigDirectory}' does not exist; create it with 'mantle broker init --out {options.ConfigDirectory}'.");
        }
        else
        {
            foreach (var file in BrokerFiles.RequiredForServe)
            {
                if (!File.Exists(Path.Combine(options.ConfigDirectory, file)))
                {
                    problems.Add($"KeyBroker:ConfigDirectory lacks {file}; run 'mantle broker init' for this folder.");
                }
            }

            BrokerFileChecks.Check(options.ConfigDirectory, time, problems);
        }

        if (StoreFactory.Validate(options.Database) is { } dbProblem)
        {
            problems.Add(dbProblem);
        }

        Positive(problems, options.NonceLifetime, "KeyBroker:NonceLifetime");
        Positive(problems, options.TokenLifetime, "KeyBroker:TokenLifetime");
        Positive(problems, options.CertificateLifetime, "KeyBroker:CertificateLifetime");
        Positive(problems, options.AdminTokenMaxLifetime, "KeyBroker:AdminTokenMaxLifetime");
        Positive(problems, options.RateLimitWindow, "KeyBroker:RateLimitWindow");
        if (options.RateLimitPermits <= 0)
        {
            problems.Add($"KeyBroker:RateLimitPermits must be positive; got {options.RateLimitPermits}.");
        }

        if (options.MaxResourceSize <= 0)
        {
            problems.Add($"KeyBroker:MaxResourceSize must be positive; got {options.MaxResourceSize}.");
        }

        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            problems.Add("KeyBroker:Issuer must not be empty.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void Positive(List<string> problems, TimeSpan value, string key)
    {
        if (value <= TimeSpan.Zero)
        {
            problems.Add($"{key} must be a positive duration; got {value}.");
        }
    }
}
