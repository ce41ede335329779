namespace Mantle.Cli.Commands.Demo;

/// <summary>A demo step failed in a way the demo can explain in its own words.</summary>
internal sealed class DemoException(string message) : Exception(message);
