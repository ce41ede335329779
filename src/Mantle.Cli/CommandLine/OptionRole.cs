namespace Mantle.Cli.CommandLine;

/// <summary>What the value of an option or argument names; <see cref="OptionRoles"/> records it for each symbol.</summary>
internal enum OptionRole
{
    /// <summary>An existing file that the command reads.</summary>
    InputFile,

    /// <summary>An existing folder that the command reads.</summary>
    InputFolder,

    /// <summary>An existing file or folder that the command reads.</summary>
    InputPath,

    /// <summary>A file that the command reads, or creates when it is missing (the simulated platform key).</summary>
    InputOrNewFile,

    /// <summary><c>NAME=FILE</c> or <c>FILE</c>: an existing file that the command reads.</summary>
    InputFileSpec,

    /// <summary>A file that the command writes; its folder must exist.</summary>
    OutputFile,

    /// <summary>A folder that the command creates (with its parents) or fills.</summary>
    OutputFolder,

    /// <summary>The address of an inference server.</summary>
    ServerAddress,

    /// <summary>The URL of the key broker.</summary>
    BrokerAddress,
}
