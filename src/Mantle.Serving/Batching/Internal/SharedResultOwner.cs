namespace Mantle.Serving.Batching.Internal;

/// <summary>Keeps a batch's outputs alive until every request's result has been disposed.</summary>
internal sealed class SharedResultOwner(IDisposable inner, int holders)
{
    private int _holders = holders;

    public IDisposable Lease() => new Holder(this);

    private void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            inner.Dispose();
        }
    }

    private sealed class Holder(SharedResultOwner owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release();
            }
        }
    }
}
