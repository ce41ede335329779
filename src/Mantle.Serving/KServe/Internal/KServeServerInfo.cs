using System.Reflection;

namespace Mantle.Serving.KServe.Internal;

internal static class KServeServerInfo
{
    public static readonly string[] Extensions = ["binary_tensor_data"];

    public static string Version { get; } =
        typeof(KServeServerInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
