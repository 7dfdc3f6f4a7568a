using Fido2NetLib;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Passkeys;

/// <summary>
/// This server as a WebAuthn relying party: its id, name and allowed origins (<see cref="WebAuthnOptions"/>, defaults
/// from <see cref="PublicOrigin"/>), and the Fido2 verifier configured with them. Fido2 checks every response against
/// these: the origin in clientDataJSON must be one of <see cref="Origins"/> and the authenticator data's rpIdHash the
/// SHA-256 of <see cref="RpId"/>.
/// </summary>
public sealed class WebAuthnRelyingParty(WebAuthnOptions options, PublicOrigin origin)
{
    /// <summary>How long the browser may take (sent as the ceremony timeout) and how long a challenge lives on the server.</summary>
    public static readonly TimeSpan CeremonyLifetime = TimeSpan.FromMinutes(2);

    private Fido2Configuration? configuration;

    public string RpId => Configuration.RPID;

    public IReadOnlySet<string> Origins => Configuration.Origins;

    public Fido2Configuration Configuration => configuration ??= Build();

    public Fido2 Verifier() => new(Configuration);

    private Fido2Configuration Build()
    {
        var publicUrl = new Uri(origin.Url);
        var origins = options.OriginList.Count > 0 ? options.OriginList : [publicUrl.GetLeftPart(UriPartial.Authority)];
        return new Fido2Configuration
        {
            RPID = options.RpId is { Length: > 0 } rpId ? rpId : publicUrl.Host,
            RPName = options.RpName,
            Origins = new HashSet<string>(origins, StringComparer.Ordinal),
            Timeout = (uint)CeremonyLifetime.TotalMilliseconds,
        };
    }
}
