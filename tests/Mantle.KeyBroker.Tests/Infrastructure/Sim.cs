namespace Mantle.KeyBroker.Tests.Infrastructure;

public static class Sim
{
    public static readonly byte[] GoodMeasurement = Enumerable.Repeat((byte)0xA1, 48).ToArray();

    public static readonly byte[] OtherMeasurement = Enumerable.Repeat((byte)0xB2, 48).ToArray();

    public static string GoodMeasurementHex => Convert.ToHexStringLower(GoodMeasurement);

    public static string MeasurementPolicy =>
        "{\"version\": 1, \"tees\": [\"sim\"], \"claims\": {\"measurement\": {\"one_of\": [\"" + GoodMeasurementHex + "\"]}}}";
}
