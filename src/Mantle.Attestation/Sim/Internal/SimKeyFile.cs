using System.Security.Cryptography;

namespace Mantle.Attestation.Sim.Internal;

/// <summary>Creates the simulated platform key file with owner-only permissions, safely against concurrent creators.</summary>
internal static class SimKeyFile
{
    public static void Create(string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var pem = key.ExportPkcs8PrivateKeyPem();

        // Write a private temporary file, then link it into place without overwriting: two processes
        // racing on first use end up sharing whichever key landed first.
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(pem);
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created the key first; use theirs.
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
