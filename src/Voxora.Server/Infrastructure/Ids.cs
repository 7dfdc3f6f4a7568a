namespace Voxora.Server.Infrastructure;

/// <summary>Entity ids: a short type prefix and a ULID, e.g. <c>usr_01HZX…</c>. Sortable by creation time.</summary>
public static class Ids
{
    public const string User = "usr";
    public const string Session = "ses";
    public const string Community = "com";
    public const string Channel = "ch";
    public const string Role = "rol";
    public const string GatewaySession = "gw";
    public const string Report = "rep";
    public const string Audit = "aud";
    public const string PodRole = "prl";

    public static string New(string prefix) => string.Concat(prefix, "_", Ulid.NewUlid().ToString());

    public static bool IsWellFormed(string? id, string prefix) =>
        id is not null
        && id.Length == prefix.Length + 1 + 26
        && id.StartsWith(prefix, StringComparison.Ordinal)
        && id[prefix.Length] == '_'
        && Ulid.TryParse(id.AsSpan(prefix.Length + 1), out _);
}
