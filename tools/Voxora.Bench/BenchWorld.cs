using System.Diagnostics;
using System.Net;
using Voxora.Client;
using Voxora.Protocol;

namespace Voxora.Bench;

/// <summary>One signed-in bench user.</summary>
public sealed record BenchUser(VoxoraClient Client, User User);

/// <summary>
/// What the scenarios share on one server: an owner, one community with its text channel, an invite,
/// and a growing pool of members (register + login + accept). Registration is Argon2id-bound (~50–100 ms
/// of CPU per hash), so users are created once per target and reused by later runs.
/// </summary>
public sealed class BenchWorld : IDisposable
{
    public const string Password = "bench password 123";

    private readonly SocketsHttpHandler handler;
    private readonly string runTag = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next()))[..6];
    private readonly Dictionary<(string UserId, int Node), VoxoraClient> nodeClients = [];
    private int userCounter;
    private long loggedInAt;

    private BenchWorld(BenchTarget target, SocketsHttpHandler handler)
    {
        Target = target;
        this.handler = handler;
    }

    public BenchTarget Target { get; }
    public Uri BaseAddress => Target.BaseAddress;
    public BenchUser Owner { get; private set; } = null!;
    public Community Community { get; private set; } = null!;
    public Channel Channel { get; private set; } = null!;
    public string InviteCode { get; private set; } = null!;

    /// <summary>Members, the owner first.</summary>
    public List<BenchUser> Users { get; } = [];

    public static async Task<BenchWorld> CreateAsync(BenchTarget target, CancellationToken ct)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1024,
            PooledConnectionLifetime = TimeSpan.FromMinutes(30),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        };
        var world = new BenchWorld(target, handler);
        var owner = await world.NewUserAsync(ct);
        world.Owner = owner;
        world.Community = await owner.Client.CreateCommunityAsync("Bench " + world.runTag, ct: ct);
        world.Channel = world.Community.Channels!.First(c => c.Type == ChannelTypes.Text);
        world.InviteCode = (await owner.Client.CreateInviteAsync(world.Community.Id, ct: ct)).Code;
        world.Users.Add(owner);
        world.loggedInAt = Stopwatch.GetTimestamp();
        return world;
    }

    public VoxoraClient NewClient() => new(BaseAddress, handler);

    /// <summary>
    /// <paramref name="user"/> signed in on node <paramref name="node"/> (0 = the first, where every user was created):
    /// the same access token, which every node of a cluster accepts (shared signing keys and issuer).
    /// </summary>
    public VoxoraClient ClientOn(BenchUser user, int node)
    {
        if (node == 0)
        {
            return user.Client;
        }

        lock (nodeClients)
        {
            if (!nodeClients.TryGetValue((user.User.Id, node), out var client))
            {
                client = new VoxoraClient(Target.NodeAddresses[node], handler);
                nodeClients[(user.User.Id, node)] = client;
            }

            // RefreshIfOldAsync renews the first node's client: take its current token each time.
            client.AccessToken = user.Client.AccessToken;
            return client;
        }
    }

    /// <summary>
    /// Clients for <paramref name="users"/> spread round-robin over the nodes: entry k is user k mod U on node k mod N, and
    /// there are U × N entries when there are several nodes, so whoever takes entry n mod count sends to node n mod N.
    /// </summary>
    public List<VoxoraClient> SpreadOverNodes(IReadOnlyList<BenchUser> users)
    {
        var nodes = Target.NodeAddresses.Count;
        var count = nodes == 1 ? users.Count : users.Count * nodes;
        return [.. Enumerable.Range(0, count).Select(k => ClientOn(users[k % users.Count], k % nodes))];
    }

    private async Task<BenchUser> NewUserAsync(CancellationToken ct)
    {
        var n = Interlocked.Increment(ref userCounter);
        var name = $"b{runTag}_{n}";
        var client = NewClient();
        var user = await client.RegisterAsync(name, Password, ct: ct);
        await client.LoginAsync(name, Password, ct);
        return new BenchUser(client, user);
    }

    /// <summary>Grows the member pool to at least <paramref name="count"/> users (the owner counts).</summary>
    public async Task EnsureUsersAsync(int count, CancellationToken ct)
    {
        var missing = count - Users.Count;
        if (missing <= 0)
        {
            return;
        }

        var watch = Stopwatch.StartNew();
        var created = new BenchUser[missing];
        var next = -1;
        var workers = Enumerable.Range(0, Math.Min(missing, Environment.ProcessorCount * 2)).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < missing)
            {
                var u = await NewUserAsync(ct);
                await u.Client.AcceptInviteAsync(InviteCode, ct);
                created[i] = u;
            }
        });
        await Task.WhenAll(workers);
        Users.AddRange(created);
        if (missing >= 20)
        {
            Console.Error.WriteLine($"[bench] created {missing} users in {watch.Elapsed.TotalSeconds:0.0} s (register + login + accept; Argon2id-bound)");
        }
    }

    /// <summary>Access tokens last 15 minutes: refresh everyone's when they are over 10 minutes old.</summary>
    public async Task RefreshIfOldAsync(CancellationToken ct)
    {
        if (Stopwatch.GetElapsedTime(loggedInAt) < TimeSpan.FromMinutes(10))
        {
            return;
        }

        var gate = new SemaphoreSlim(16);
        await Task.WhenAll(Users.Select(async u =>
        {
            await gate.WaitAsync(ct);
            try
            {
                await u.Client.RefreshAsync(ct: ct);
            }
            finally
            {
                gate.Release();
            }
        }));
        loggedInAt = Stopwatch.GetTimestamp();
    }

    public void Dispose()
    {
        foreach (var u in Users)
        {
            u.Client.Dispose();
        }

        foreach (var c in nodeClients.Values)
        {
            c.Dispose();
        }

        handler.Dispose();
    }
}
