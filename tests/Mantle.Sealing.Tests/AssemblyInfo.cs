using System.Runtime.Versioning;

// The tests check Unix file modes of key files.
[assembly: UnsupportedOSPlatform("windows")]
