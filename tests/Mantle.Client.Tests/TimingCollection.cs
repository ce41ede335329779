namespace Mantle.Client.Tests;

/// <summary>Tests that measure wall-clock time run in this collection, alone.</summary>
[CollectionDefinition(nameof(TimingCollection), DisableParallelization = true)]
public sealed class TimingCollection;
