using Voxora.Protocol;

namespace Voxora.Server.Features.Pod;

/// <summary>Pod settings from configuration (<c>VOXORA_POD__*</c>; <c>VOXORA_POD__OWNER</c> is read by <see cref="PodPermissions"/>).</summary>
public sealed class PodOptions
{
    /// <summary>
    /// The registration mode of a pod whose settings were never saved (<c>open</c>, <c>invite</c> or <c>closed</c>).
    /// Once the setup wizard or an administrator saves the pod's settings, the saved mode wins. <c>VOXORA_POD__REGISTRATION</c>.
    /// </summary>
    public string Registration { get; set; } = RegistrationModes.Open;

    public string RegistrationMode => RegistrationModes.Parse(Registration) ?? RegistrationModes.Open;

    public IEnumerable<string> Validate()
    {
        if (RegistrationModes.Parse(Registration) is null)
        {
            yield return $"VOXORA_POD__REGISTRATION must be open, invite or closed, not '{Registration}'.";
        }
    }
}
