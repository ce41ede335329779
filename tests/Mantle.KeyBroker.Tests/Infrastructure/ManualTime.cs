namespace Mantle.KeyBroker.Tests.Infrastructure;

/// <summary>A clock that tests move forward by hand; starts at the real current time.</summary>
public sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
