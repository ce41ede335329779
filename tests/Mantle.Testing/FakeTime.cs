using System.Globalization;
using Microsoft.Extensions.Time.Testing;

namespace Mantle.Testing;

/// <summary>Fake clocks (<see cref="FakeTimeProvider"/>) set to a chosen instant; they move only when a test moves them.</summary>
public static class FakeTime
{
    /// <summary>A clock at <paramref name="instant"/>.</summary>
    public static FakeTimeProvider At(DateTimeOffset instant) => new(instant);

    /// <summary>A clock at an ISO 8601 instant such as <c>2025-06-20T00:00:00Z</c> (UTC when no offset is given).</summary>
    public static FakeTimeProvider At(string iso) =>
        new(DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
}
