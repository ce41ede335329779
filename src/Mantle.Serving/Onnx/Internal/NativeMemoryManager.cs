using System.Buffers;

namespace Mantle.Serving.Onnx.Internal;

/// <summary>Exposes native memory (an ONNX Runtime output buffer) as <see cref="Memory{T}"/> without copying.</summary>
internal sealed unsafe class NativeMemoryManager(IntPtr pointer, int length) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => new((void*)pointer, length);

    public override MemoryHandle Pin(int elementIndex = 0) => new((byte*)pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
