using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Meridian.Server.Tests.Steering;

/// <summary>A loopback TCP server that fails the way a regional endpoint does: it resets the connection once it has read
/// a request, never answers, or sends a stream's first event and then resets. Counts the requests it read.</summary>
public sealed class FaultyBackend : IAsyncDisposable
{
    public enum Fault { Reset, Stall, ResetAfterFirstEvent }

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _held = [];
    private readonly Task _accepting;
    private int _requests;

    private FaultyBackend(Fault fault)
    {
        _listener.Start();
        _accepting = AcceptAsync(fault);
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Released by the test to reset a stream after its first event.</summary>
    public TaskCompletionSource ResetNow { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static FaultyBackend Start(Fault fault) => new(fault);

    /// <summary>A loopback address where nothing listens: connecting is refused.</summary>
    public static string Refusing()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return $"http://127.0.0.1:{port}";
    }

    private async Task AcceptAsync(Fault fault)
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                _ = ServeAsync(socket, fault);
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    private async Task ServeAsync(Socket socket, Fault fault)
    {
        try
        {
            // Read up to the end of the request's headers; a body, if any, is read as it comes and left unanswered.
            var seen = new StringBuilder();
            var buffer = new byte[4096];
            while (!seen.ToString().Contains("\r\n\r\n"))
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0) return;
                seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
            Interlocked.Increment(ref _requests);
            switch (fault)
            {
                case Fault.Reset:
                    Reset(socket);
                    break;
                case Fault.Stall:
                    lock (_held) _held.Add(socket);
                    break;
                case Fault.ResetAfterFirstEvent:
                    var head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
                    var chunk = "data: first\n\n";
                    await socket.SendAsync(Encoding.ASCII.GetBytes($"{head}{chunk.Length:x}\r\n{chunk}\r\n"), SocketFlags.None, _stop.Token);
                    // Reset once the test has read the first event through the gateway.
                    await ResetNow.Task.WaitAsync(_stop.Token);
                    Reset(socket);
                    break;
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
    }

    private static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0); // close with RST, not FIN
        socket.Close();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        lock (_held)
        {
            foreach (var s in _held) s.Dispose();
        }
        _stop.Dispose();
    }
}
