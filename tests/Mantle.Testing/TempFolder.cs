namespace Mantle.Testing;

/// <summary>A fresh folder under the system temp folder, deleted with everything in it on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    /// <summary>Creates the folder; its name starts with <paramref name="prefix"/>, to tell whose it is when one is left behind.</summary>
    public TempFolder(string prefix = "mantle-tests-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    /// <summary>The folder's absolute path.</summary>
    public string Path { get; }

    /// <summary>A path inside the folder (nothing is created).</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Writes a file at a <c>/</c>-separated path inside the folder, creating the folders on the way, and returns its path.</summary>
    public string WriteFile(string relative, byte[] content)
    {
        var full = Combine(relative.Split('/'));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
            // A process that the test started may still hold a file; the system cleans its temp folder.
        }
    }
}
