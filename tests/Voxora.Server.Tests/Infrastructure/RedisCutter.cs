using System.Net;
using System.Net.Sockets;

namespace Voxora.Server.Tests.Infrastructure;

/// <summary>
/// A TCP relay in front of the test Redis that can be cut and restored, so a node loses Redis as in an outage and gets
/// it back: <see cref="Cut"/> drops every relayed connection and refuses new ones; <see cref="Restore"/> relays again on
/// the same port.
/// </summary>
public sealed class RedisCutter : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly string host;
    private readonly int port;
    private readonly List<TcpClient> sockets = [];
    private readonly CancellationTokenSource stop = new();
    private volatile bool cut;

    private RedisCutter(string target)
    {
        host = target[..target.LastIndexOf(':')];
        port = int.Parse(target[(target.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A StackExchange.Redis configuration string pointing at the relay.</summary>
    public string Configuration => $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port},connectTimeout=500";

    public static RedisCutter Start(string redisConfiguration)
    {
        var cutter = new RedisCutter(redisConfiguration.Split(',')[0]);
        cutter.listener.Start();
        _ = cutter.AcceptAsync();
        return cutter;
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (cut)
            {
                client.Close();
                continue;
            }

            var server = new TcpClient();
            await server.ConnectAsync(host, port);
            lock (sockets)
            {
                sockets.Add(client);
                sockets.Add(server);
            }

            _ = Pump(client, server);
            _ = Pump(server, client);
        }
    }

    private async Task Pump(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), stop.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // Cut.
        }

        to.Close();
    }

    /// <summary>Drops every relayed connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        cut = true;
        lock (sockets)
        {
            foreach (var socket in sockets)
            {
                socket.Close();
            }

            sockets.Clear();
        }
    }

    /// <summary>Relays new connections again (Redis "comes back").</summary>
    public void Restore() => cut = false;

    public ValueTask DisposeAsync()
    {
        Cut();
        stop.Cancel();
        listener.Stop();
        stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
