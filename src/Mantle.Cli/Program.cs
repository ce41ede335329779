using Mantle.Cli.CommandLine;

return await CommandRunner.RunAsync(MantleCommandLine.Create(), args).ConfigureAwait(false);
