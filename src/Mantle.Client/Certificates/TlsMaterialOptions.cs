namespace Mantle.Client.Certificates;

/// <summary>What <see cref="TlsMaterial.Create"/> makes.</summary>
public sealed class TlsMaterialOptions
{
    /// <summary>The DNS name (or IP address) clients use to reach the server. Required.</summary>
    public required string ServerName { get; init; }

    /// <summary>More server names or IP addresses for the server certificate. Defaults to none; "localhost" as server name adds 127.0.0.1 and ::1.</summary>
    public IReadOnlyList<string> ExtraServerNames { get; init; } = [];

    /// <summary>The common name of the client certificate for mutual TLS. Defaults to "mantle-client".</summary>
    public string ClientName { get; init; } = "mantle-client";

    /// <summary>Validity of the server and client certificates, in days. Defaults to 365.</summary>
    public int ValidityDays { get; init; } = 365;

    /// <summary>Validity of the CA certificate, in days. Defaults to 3650.</summary>
    public int CaValidityDays { get; init; } = 3650;

    /// <summary>The clock for validity periods. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
