namespace Ipmp.Simulation;

/// <summary>
/// A switch port with its cable. <see cref="Carrier"/> is what the NIC's driver reports;
/// <see cref="Forwarding"/> is whether frames pass: a port can stop forwarding while carrier stays up
/// (the failure only probes can see).
/// </summary>
public sealed class SimPort(string name)
{
    public string Name { get; } = name;
    public bool Carrier { get; set; } = true;
    public bool Forwarding { get; set; } = true;
    public bool Passes => Carrier && Forwarding;
}
