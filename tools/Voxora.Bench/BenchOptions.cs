using System.Globalization;

namespace Voxora.Bench;

/// <summary>Command-line settings. Every scenario reads the ones it needs; the defaults are small.</summary>
public sealed class BenchOptions
{
    public string Scenario { get; set; } = "send";

    // ---- target ----
    public Uri? Url { get; set; }
    public int? ServerPid { get; set; }
    public string? ServerDll { get; set; }
    public string Provider { get; set; } = "sqlite";

    /// <summary>Admin connection string of a PostgreSQL server: a fresh database is created on it.</summary>
    public string? Pg { get; set; }

    /// <summary>Server processes to start on one PostgreSQL database and one Redis (1 = a single node).</summary>
    public int Nodes { get; set; } = 1;

    /// <summary>
    /// The Redis the started nodes share (a StackExchange.Redis configuration string), or <see cref="RedisThrowaway"/> to
    /// start one. Null: no Redis with one node (in-process bus), a throwaway one with several.
    /// </summary>
    public string? Redis { get; set; }

    public const string RedisThrowaway = "throwaway";

    /// <summary>With --url: where that server's database is, for seeding history directly.</summary>
    public string? SeedSqliteFile { get; set; }

    public string? SeedPg { get; set; }
    /// <summary>Empty: the server's own logging defaults, as scripts/run.sh starts it (the configuration people run).</summary>
    public string ServerLogLevel { get; set; } = "";
    public List<KeyValuePair<string, string>> ServerEnv { get; } = [];
    public bool KeepData { get; set; }

    // ---- output ----
    public string? Out { get; set; }
    public int Repeat { get; set; } = 1;

    // ---- common ----
    public double DurationSeconds { get; set; } = 10;
    public double WarmupSeconds { get; set; } = 2;
    public int Concurrency { get; set; } = 16;

    /// <summary>Distinct users to spread senders/receivers/connections over (0 = scenario default).</summary>
    public int Users { get; set; }

    /// <summary>Offered rate in messages/s (0 = closed loop for send).</summary>
    public double Rate { get; set; }

    // ---- fanout ----
    public int Receivers { get; set; } = 100;
    public int Senders { get; set; } = 4;
    public bool FindKnee { get; set; }
    public double KneeStart { get; set; } = 50;
    public double KneeFactor { get; set; } = 1.5;
    public double KneeP99Ms { get; set; } = 100;
    public double KneeMax { get; set; } = 20000;

    // ---- connections ----
    public int Connections { get; set; } = 1000;
    public int LocalAddresses { get; set; }
    public int ConnectParallelism { get; set; } = 64;
    public double SettleSeconds { get; set; } = 5;

    // ---- history ----
    public int Messages { get; set; } = 10_000;
    public int PageSize { get; set; } = 50;

    /// <summary>search: channels of the bench community the seeded messages are spread over.</summary>
    public int Channels { get; set; } = 50;

    /// <summary>uploads: size of each uploaded file in MiB.</summary>
    public int UploadMiB { get; set; } = 25;

    // ---- resume ----
    public int DropEveryMs { get; set; } = 200;

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        var i = 0;
        if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
        {
            o.Scenario = args[0];
            i = 1;
        }

        for (; i < args.Length; i++)
        {
            var name = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            double Dbl() => double.Parse(Next(), CultureInfo.InvariantCulture);
            if (!name.StartsWith('-'))
            {
                o.Scenario = name;
                continue;
            }

            switch (name)
            {
                case "--url": o.Url = new Uri(Next().TrimEnd('/') + "/"); break;
                case "--server-pid": o.ServerPid = Int(); break;
                case "--server-dll": o.ServerDll = Next(); break;
                case "--provider": o.Provider = Next(); break;
                case "--pg": o.Pg = Next(); break;
                case "--nodes": o.Nodes = Int(); break;
                case "--redis": o.Redis = Next(); break;
                case "--seed-sqlite": o.SeedSqliteFile = Next(); break;
                case "--seed-pg": o.SeedPg = Next(); break;
                case "--server-log-level": o.ServerLogLevel = Next(); break;
                case "--server-env":
                    var kv = Next();
                    var eq = kv.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                    {
                        throw new ArgumentException("--server-env wants KEY=VALUE");
                    }

                    o.ServerEnv.Add(new(kv[..eq], kv[(eq + 1)..]));
                    break;
                case "--keep-data": o.KeepData = true; break;
                case "--out": o.Out = Next(); break;
                case "--repeat": o.Repeat = Int(); break;
                case "--duration": o.DurationSeconds = Dbl(); break;
                case "--warmup": o.WarmupSeconds = Dbl(); break;
                case "--concurrency" or "-c": o.Concurrency = Int(); break;
                case "--users": o.Users = Int(); break;
                case "--rate": o.Rate = Dbl(); break;
                case "--receivers": o.Receivers = Int(); break;
                case "--senders": o.Senders = Int(); break;
                case "--find-knee": o.FindKnee = true; break;
                case "--knee-start": o.KneeStart = Dbl(); break;
                case "--knee-factor": o.KneeFactor = Dbl(); break;
                case "--knee-p99-ms": o.KneeP99Ms = Dbl(); break;
                case "--knee-max": o.KneeMax = Dbl(); break;
                case "--connections" or "-n": o.Connections = Int(); break;
                case "--local-addresses": o.LocalAddresses = Int(); break;
                case "--connect-parallelism": o.ConnectParallelism = Int(); break;
                case "--settle": o.SettleSeconds = Dbl(); break;
                case "--messages" or "-m": o.Messages = Int(); break;
                case "--page-size": o.PageSize = Int(); break;
                case "--channels": o.Channels = Int(); break;
                case "--upload-mib": o.UploadMiB = Int(); break;
                case "--drop-every-ms": o.DropEveryMs = Int(); break;
                case "--help" or "-h": throw new HelpRequestedException();
                default: throw new ArgumentException($"unknown option {name}");
            }
        }

        if (o.Scenario is not ("send" or "fanout" or "connections" or "history" or "resume" or "uploads" or "search"))
        {
            throw new ArgumentException($"unknown scenario '{o.Scenario}' (send, fanout, connections, history, resume, uploads, search)");
        }

        if (o.Scenario == "search" && (o.Channels < 1 || o.Messages < 100))
        {
            throw new ArgumentException("search needs --channels of at least 1 and --messages of at least 100");
        }

        if (o.Provider is not ("sqlite" or "postgres"))
        {
            throw new ArgumentException("--provider is sqlite or postgres");
        }

        if (o.Nodes < 1)
        {
            throw new ArgumentException("--nodes is at least 1");
        }

        if (o.Url is not null && (o.Nodes > 1 || o.Redis is not null))
        {
            throw new ArgumentException("--nodes and --redis start servers; with --url the tool starts none");
        }

        if ((o.Nodes > 1 || o.Redis is not null) && o.Provider != "postgres")
        {
            // The server refuses Redis with SQLite (exit 2): several nodes cannot share one SQLite file.
            throw new ArgumentException("--nodes above 1 and --redis need --provider postgres");
        }

        return o;
    }

    /// <summary>True when the started nodes join a cluster through Redis (several nodes, or --redis).</summary>
    public bool Clustered => Nodes > 1 || Redis is not null;

    public const string Usage = """
        Voxora.Bench <scenario> [options]      scenarios: send | fanout | connections | history | resume | uploads | search

        Target (default: start a server from the Release build with a fresh data folder):
          --provider sqlite|postgres    database of the server the tool starts (default sqlite)
          --pg "Host=127.0.0.1;Port=5432;Username=postgres"
                                        admin connection string; a fresh database is created and dropped.
                                        Without it, --provider postgres starts a throwaway PostgreSQL (as scripts/lib.sh does).
          --nodes N                     start N server processes on one PostgreSQL database and one Redis (default 1;
                                        above 1 needs --provider postgres). fanout spreads receivers and senders, send its
                                        senders, round-robin over the nodes; connections, history and resume use the first node.
          --redis HOST:PORT|throwaway   the Redis the nodes share (a StackExchange.Redis configuration string), or start a
                                        throwaway redis-server. Default: none with 1 node (in-process bus), throwaway with more.
                                        With --nodes 1 it measures one node whose bus goes through Redis.
          --server-dll PATH             server to start (default: <repo>/src/Voxora.Server/bin/Release/net10.0/Voxora.Server.dll)
          --server-env KEY=VALUE        extra environment for the started server (repeatable)
          --server-log-level LEVEL      Logging default level of the started server (default: not set, the server's own defaults as scripts/run.sh runs it)
          --url http://host:port        use a running server instead (start it with VOXORA_RATELIMITING__ENABLED=false and the VOXORA_GATEWAY__ caps raised, see docs/benchmarks.md)
          --server-pid PID              with --url: the server's pid, for RSS/CPU figures
          --seed-sqlite FILE | --seed-pg CONNSTR   with --url: its database, for seeding history directly
          --keep-data                   keep the started server's data folder (and its database on --pg)

        Output:   --out results.json   --repeat N (runs against the same server; medians reported)
        Common:   --duration S (10)  --warmup S (2)  --concurrency C (16)  --users U  --rate R (msg/s)
        fanout:   --receivers R (100)  --senders S (4)  --rate R  --find-knee [--knee-start 50 --knee-factor 1.5 --knee-p99-ms 100 --knee-max 20000]
        connections: --connections N (1000)  --local-addresses K (127.0.0.1..K)  --connect-parallelism P (64)  --settle S (5)
        history:  --messages M (10000)  --page-size 50  --concurrency C
        resume:   --receivers R  --rate R  --drop-every-ms MS (200)
        search:   --messages M (10000; 1000000 for the recorded run)  --channels C (50)  --concurrency C: M messages seeded in C channels,
                  the index rebuilt (timed) and measured, then the typical queries (common, rare, phrase, author, channel, newest)
        uploads:  --concurrency C (use 10)  --upload-mib MiB (25)  --repeat N: C files of MiB each PUT at once, server peak RSS
        """;
}

public sealed class HelpRequestedException : Exception
{
    public HelpRequestedException()
        : base("help")
    {
    }

    public HelpRequestedException(string message)
        : base(message)
    {
    }

    public HelpRequestedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
