using System.Globalization;

namespace Mantle.Attestation.Tests;

/// <summary>A clock stopped at one instant.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public static FixedTime At(string iso) => new(DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));

    public override DateTimeOffset GetUtcNow() => now;
}
