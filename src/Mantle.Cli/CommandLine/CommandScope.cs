namespace Mantle.Cli.CommandLine;

/// <summary>
/// What a running command has told the error handling about itself: the server or broker it talks to, so that a
/// connection that fails is reported with the address that was tried.
/// </summary>
internal sealed class CommandScope
{
    private static readonly AsyncLocal<CommandScope?> CurrentScope = new();

    private CommandScope()
    {
    }

    /// <summary>The scope of the command running on this flow, or null outside one.</summary>
    public static CommandScope? Current => CurrentScope.Value;

    /// <summary>The server or broker the command talks to, once it has said so.</summary>
    public Uri? Remote { get; private set; }

    /// <summary>How messages name <see cref="Remote"/>: "the server" or "the broker".</summary>
    public string RemoteName { get; private set; } = "the server";

    /// <summary>Records that the command now talks to <paramref name="address"/>, which messages call <paramref name="name"/>.</summary>
    public static void TalkingTo(Uri address, string name)
    {
        if (Current is { } scope)
        {
            scope.Remote = address;
            scope.RemoteName = name;
        }
    }

    /// <summary>Starts the scope of one command invocation on this flow.</summary>
    public static CommandScope Begin() => CurrentScope.Value = new CommandScope();
}
