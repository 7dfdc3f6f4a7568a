using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;
using Voxora.Server.Features.Users;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Auth;

/// <summary>
/// Argon2id in the PHC string format (<c>$argon2id$v=19$m=…,t=…,p=…$salt$hash</c>), so the parameters
/// travel with each hash and can be raised later without breaking old passwords.
/// </summary>
public sealed class PasswordHasher : IDisposable
{
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly AuthOptions options;

    // Each hash holds Argon2MemoryKib of memory for ~100 ms: bound the concurrency so a burst of
    // logins cannot exhaust memory or starve the thread pool.
    private readonly SemaphoreSlim gate = new(Math.Max(2, Environment.ProcessorCount * 2));

    private readonly Lazy<string> dummyHash;

    public PasswordHasher(AuthOptions options)
    {
        this.options = options;
        dummyHash = new Lazy<string>(() => Hash("voxora-timing-equaliser"));
    }

    /// <summary>A valid hash of nothing anyone knows, verified for unknown users so both paths cost the same.</summary>
    public string DummyHash => dummyHash.Value;

    /// <summary>Hashes a password that passed <see cref="PasswordRules.Error"/>.</summary>
    public string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Compute(password, salt, options.Argon2MemoryKib, options.Argon2Iterations, options.Argon2Parallelism, HashBytes);
        return string.Create(CultureInfo.InvariantCulture,
            $"$argon2id$v=19$m={options.Argon2MemoryKib},t={options.Argon2Iterations},p={options.Argon2Parallelism}${ToB64(salt)}${ToB64(hash)}");
    }

    public bool Verify(string password, string encoded) => Verify(password, encoded, out _);

    /// <summary>
    /// Checks a password as a user presented it (login, current password at change) against a stored
    /// hash, or against the dummy hash when <paramref name="encoded"/> is null (unknown user), so both
    /// cost the same. Input that cannot be any password (<see cref="PasswordRules.MayMatch"/>) costs the
    /// same too and is simply wrong: it is never cut down to something that might match.
    /// </summary>
    /// <param name="needsRehash">True when the hash was made with weaker parameters than configured now.</param>
    public bool Check(string? presented, string? encoded, out bool needsRehash)
    {
        if (!PasswordRules.MayMatch(presented))
        {
            Verify("voxora-timing-equaliser-wrong", DummyHash, out _);
            needsRehash = false;
            return false;
        }

        return Verify(presented!, encoded ?? DummyHash, out needsRehash) && encoded is not null;
    }

    /// <param name="needsRehash">True when the hash was made with weaker parameters than configured now.</param>
    public bool Verify(string password, string encoded, out bool needsRehash)
    {
        needsRehash = false;
        if (string.IsNullOrEmpty(password))
        {
            // No account can have an empty password (the rules require 8+ characters), and Argon2 refuses one.
            return false;
        }

        var parts = encoded.Split('$');
        if (parts.Length != 6 || parts[1] != "argon2id" || parts[2] != "v=19")
        {
            return false;
        }

        int memory = 0, iterations = 0, parallelism = 0;
        foreach (var pair in parts[3].Split(','))
        {
            var kv = pair.Split('=');
            if (kv.Length != 2 || !int.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            switch (kv[0])
            {
                case "m": memory = value; break;
                case "t": iterations = value; break;
                case "p": parallelism = value; break;
                default: return false;
            }
        }

        byte[] salt, expected;
        try
        {
            salt = FromB64(parts[4]);
            expected = FromB64(parts[5]);
        }
        catch (FormatException)
        {
            return false;
        }

        if (memory <= 0 || iterations <= 0 || parallelism <= 0 || expected.Length == 0)
        {
            return false;
        }

        var actual = Compute(password, salt, memory, iterations, parallelism, expected.Length);
        var ok = CryptographicOperations.FixedTimeEquals(actual, expected);
        needsRehash = ok && (memory < options.Argon2MemoryKib || iterations < options.Argon2Iterations || parallelism != options.Argon2Parallelism);
        return ok;
    }

    private byte[] Compute(string password, byte[] salt, int memoryKib, int iterations, int parallelism, int length)
    {
        gate.Wait();
        try
        {
            using var argon = new Argon2id(Encoding.UTF8.GetBytes(password))
            {
                Salt = salt,
                MemorySize = memoryKib,
                Iterations = iterations,
                DegreeOfParallelism = parallelism,
            };
            return argon.GetBytes(length);
        }
        finally
        {
            gate.Release();
        }
    }

    private static string ToB64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static byte[] FromB64(string text) =>
        Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));

    public void Dispose() => gate.Dispose();
}
