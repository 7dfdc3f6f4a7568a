namespace Voxora.Server.Gateway;

/// <summary>
/// One identified gateway session: a user, a sequence counter and the replay buffer that makes RESUME
/// possible. It outlives its WebSocket: while detached it keeps buffering events for the resume window.
/// All state changes happen under one lock, so sequence numbers, the buffer and the live queue agree.
/// </summary>
public sealed class GatewaySession(string id, string userId, string loginSessionId, int replayCapacity)
{
    private readonly Lock gate = new();
    // The replay ring starts small and doubles up to replayCapacity as events arrive, so an idle session
    // does not hold a full ring (16 B per slot: 16 KB at the default 1,000). Entries live at seq % Length;
    // until the ring reaches replayCapacity it grows before any entry would be overwritten, so it always
    // holds the last min(seq, replayCapacity) events, exactly as a full-size ring would.
    private const int InitialReplaySlots = 8;
    private (long Seq, OutboundEvent Event)[] replay = new (long, OutboundEvent)[Math.Min(InitialReplaySlots, replayCapacity)];
    private long seq;
    // Entries numbered up to baseSeq were never held here: 0 for a session identified on this node, the client's
    // last seq for one handed over from another node (its earlier events stayed there).
    private long baseSeq;
    private bool ready;
    private List<OutboundEvent>? pendingBeforeReady = [];
    private GatewayConnection? connection;

    public string Id { get; } = id;
    public string UserId { get; } = userId;
    public string LoginSessionId { get; private set; } = loginSessionId;

    /// <summary>When the last connection went away; null while one is attached.</summary>
    public DateTimeOffset? DetachedAt { get; private set; }

    public bool Invalidated { get; private set; }

    /// <summary>True while a connection is attached (a RESUME then takes it over).</summary>
    public bool IsAttached
    {
        get
        {
            lock (gate)
            {
                return connection is not null;
            }
        }
    }

    /// <summary>False until READY was sent (or, for a session coming from another node, until it was handed over).</summary>
    public bool IsReady
    {
        get
        {
            lock (gate)
            {
                return ready;
            }
        }
    }

    public long LastSeq
    {
        get
        {
            lock (gate)
            {
                return seq;
            }
        }
    }

    /// <summary>Queues an event: numbered, kept for replay, and sent if a connection is attached.</summary>
    public void Enqueue(OutboundEvent dispatch)
    {
        GatewayConnection? slow = null;
        lock (gate)
        {
            if (Invalidated)
            {
                return;
            }

            if (!ready)
            {
                // Between registration and READY: hold events so they follow READY, not precede it.
                pendingBeforeReady!.Add(dispatch);
                return;
            }

            var number = Append(dispatch);
            if (connection is not null && !connection.TryQueue(number, dispatch))
            {
                slow = connection;
            }
        }

        slow?.Abort(Protocol.GatewayCloseCodes.SlowConsumer, "outbound queue full");
    }

    /// <summary>Sends READY first (sequence 1), then whatever arrived while it was being built.</summary>
    public void MarkReady(OutboundEvent readyEvent, GatewayConnection first)
    {
        lock (gate)
        {
            connection = first;
            ready = true;
            var queued = new List<OutboundEvent>(1 + pendingBeforeReady!.Count) { readyEvent };
            queued.AddRange(pendingBeforeReady);
            pendingBeforeReady = null;
            foreach (var dispatch in queued)
            {
                var number = Append(dispatch);
                first.QueueReplay(number, dispatch);
            }
        }
    }

    /// <summary>
    /// Attaches a resuming connection and queues, in order, every event after <paramref name="afterSeq"/>
    /// then <paramref name="resumedFrame"/>; live events follow. Returns false (and attaches nothing) when
    /// those events are no longer all in the buffer, or the sequence is from the future.
    /// </summary>
    public bool TryResume(GatewayConnection next, long afterSeq, byte[] resumedFrame, out GatewayConnection? previous)
    {
        lock (gate)
        {
            previous = null;
            if (Invalidated || !ready || !Holds(afterSeq))
            {
                return false;
            }

            for (var n = afterSeq + 1; n <= seq; n++)
            {
                var (number, dispatch) = replay[n % replay.Length];
                next.QueueReplay(number, dispatch);
            }

            next.TryQueueRaw(resumedFrame);
            previous = connection;
            connection = next;
            DetachedAt = null;
            return true;
        }
    }

    /// <summary>The connection went away; the session stays resumable until the window passes.</summary>
    public void Detach(GatewayConnection gone, DateTimeOffset now)
    {
        lock (gate)
        {
            if (ReferenceEquals(connection, gone))
            {
                connection = null;
                DetachedAt = now;
            }
        }
    }

    /// <summary>Ends the session for good (its login was revoked): closes the socket, refuses resume.</summary>
    public void Invalidate(int closeCode, string reason)
    {
        GatewayConnection? current;
        lock (gate)
        {
            Invalidated = true;
            current = connection;
            connection = null;
            DetachedAt ??= DateTimeOffset.MinValue;
        }

        current?.Abort(closeCode, reason);
    }

    /// <summary>
    /// For a RESUME served by another node: takes, atomically with respect to new events, every event after
    /// <paramref name="afterSeq"/> and ends the session here for good (its socket, if still open, closes with 4009).
    /// False (and nothing changes) when the session is not resumable or those events are no longer all held;
    /// <paramref name="outOfRange"/> then says which.
    /// </summary>
    public bool TryHandOver(long afterSeq, out IReadOnlyList<OutboundEvent> missed, out bool outOfRange)
    {
        GatewayConnection? current;
        lock (gate)
        {
            missed = [];
            outOfRange = false;
            if (Invalidated || !ready)
            {
                return false;
            }

            if (!Holds(afterSeq))
            {
                outOfRange = true;
                return false;
            }

            var events = new OutboundEvent[seq - afterSeq];
            for (var n = afterSeq + 1; n <= seq; n++)
            {
                events[n - afterSeq - 1] = replay[n % replay.Length].Event;
            }

            missed = events;
            Invalidated = true;
            current = connection;
            connection = null;
            DetachedAt ??= DateTimeOffset.MinValue;
        }

        current?.Abort(Protocol.GatewayCloseCodes.SessionTimedOut, "resumed elsewhere");
        return true;
    }

    /// <summary>
    /// The handover point of a session coming from another node: what was queued before it, the old node already
    /// holds (and hands over); only events after it are this node's to add.
    /// </summary>
    public void DiscardBeforeHandover()
    {
        lock (gate)
        {
            pendingBeforeReady?.Clear();
        }
    }

    /// <summary>
    /// Completes a handover: the session continues here after the client's <paramref name="afterSeq"/>, with the
    /// events the old node held (numbered afterSeq+1 …) followed by those that arrived here since the handover point;
    /// all of them, then <paramref name="resumedFrame"/>, are queued on <paramref name="next"/>. False when the session
    /// was ended meanwhile (its login was revoked).
    /// </summary>
    public bool TryAdopt(string originalLoginSessionId, long afterSeq, IReadOnlyList<OutboundEvent> handedOver, GatewayConnection next, byte[] resumedFrame)
    {
        lock (gate)
        {
            if (Invalidated || ready)
            {
                return false;
            }

            LoginSessionId = originalLoginSessionId;
            seq = baseSeq = afterSeq;
            foreach (var dispatch in handedOver.Concat(pendingBeforeReady!))
            {
                next.QueueReplay(Append(dispatch), dispatch);
            }

            pendingBeforeReady = null;
            ready = true;
            next.TryQueueRaw(resumedFrame);
            connection = next;
            DetachedAt = null;
            return true;
        }
    }

    // Whether every event after afterSeq is still in the ring. While the ring is growing it holds every event after
    // baseSeq; once full, the last replayCapacity.
    private bool Holds(long afterSeq)
    {
        var oldest = Math.Max(baseSeq + 1, seq - replay.Length + 1);
        return afterSeq >= oldest - 1 && afterSeq <= seq;
    }

    private long Append(OutboundEvent dispatch)
    {
        var number = ++seq;
        if (number - baseSeq > replay.Length && replay.Length < replayCapacity)
        {
            Grow(number);
        }

        replay[number % replay.Length] = (number, dispatch);
        return number;
    }

    // Called when entry `number` would overwrite entry `number - Length`: every held entry (baseSeq+1 … number-1,
    // all of them, since the ring never wrapped) moves to its slot in a ring twice as large.
    private void Grow(long number)
    {
        var bigger = new (long Seq, OutboundEvent Event)[Math.Min(replay.Length * 2, replayCapacity)];
        for (var n = Math.Max(baseSeq + 1, number - replay.Length); n < number; n++)
        {
            bigger[n % bigger.Length] = replay[n % replay.Length];
        }

        replay = bigger;
    }
}
