using System.CommandLine;
using Mantle.Cli.Commands;

var root = new RootCommand("Mantle: confidential model serving. Seal models, release keys only to attested servers, serve them over TF Serving and KServe APIs.");
ServingCommands.Register(root);
ClientCommands.Register(root);
SealingCommands.Register(root);
AttestationCommands.Register(root);
BrokerCommands.Register(root);

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
