using System.CommandLine;
using Mantle.Cli.Commands;

var root = new RootCommand("Mantle: confidential model serving. Seal models, release keys only to attested servers, serve them over TF Serving and KServe APIs.");
ServingCommands.Register(root);
ClientCommands.Register(root);
SealingCommands.Register(root);
AttestationCommands.Register(root);
BrokerCommands.Register(root);

// SIGTERM/Ctrl+C cancel the running command, which then drains: mantle serve and mantle broker serve finish
// in-flight requests. System.CommandLine's default grace of 2 s killed a busy server mid-drain (exit 143);
// 30 s is the ASP.NET Core host's own drain limit and Kubernetes' default termination grace period.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
return await root.Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
