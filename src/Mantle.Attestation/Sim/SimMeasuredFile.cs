namespace Mantle.Attestation.Sim;

/// <summary>One file covered by the simulated measurement.</summary>
/// <param name="Name">The file name inside the program folder.</param>
/// <param name="Length">Its length in bytes.</param>
/// <param name="Sha384">Its SHA-384, lower-case hex.</param>
public sealed record SimMeasuredFile(string Name, long Length, string Sha384);
