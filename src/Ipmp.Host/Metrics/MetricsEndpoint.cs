using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Ipmp.Host.Metrics;

/// <summary>
/// <c>/metrics</c> in the Prometheus text format, served by OpenTelemetry's Prometheus exporter
/// (<c>OpenTelemetry.Exporter.Prometheus.HttpListener</c>) from the <see cref="IpmpMetrics"/> meter, off the
/// event loop: the exporter's listener runs on its own task and thread-pool threads, and a scrape reaches the
/// loop only through <see cref="IpmpMetrics"/>' snapshot (one <c>InvokeAsync</c> at most).
/// <para>Supervised: the exporter owns its accept loop, so <see cref="Run"/> (a supervised thread of the daemon)
/// owns the exporter instead. It scrapes the endpoint itself every <see cref="CheckInterval"/>; an endpoint
/// that does not answer 200 within <see cref="CheckTimeout"/> is logged and rebuilt (a new listener on the same
/// address). A metrics failure never stops the daemon's real work; an unexpected exception in the owner thread
/// is a crash like any other (crash-only).</para>
/// <para>The exporter's listener (System.Net.HttpListener) binds one IPv4 address and answers only requests
/// whose Host header names that address: hence <see cref="TryParse"/> accepts an IPv4 literal and port only.</para>
/// </summary>
public sealed class MetricsEndpoint : IDisposable
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    private readonly IPEndPoint _endPoint;
    private readonly IpmpMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly ManualResetEventSlim _stop = new();
    private MeterProvider? _provider;

    private MetricsEndpoint(IPEndPoint endPoint, IpmpMetrics metrics, ILogger logger)
    {
        _endPoint = endPoint;
        _metrics = metrics;
        _logger = logger;
    }

    public IPEndPoint EndPoint => _endPoint;
    public Uri Url => new($"http://{_endPoint}/metrics");

    /// <summary>Endpoint checks that failed (the listener was rebuilt after each).</summary>
    public long Rebuilds { get; private set; }

    /// <summary>Parses <c>ADDR:PORT</c>: an IPv4 literal other than 0.0.0.0, and a port 1-65535.</summary>
    public static bool TryParse(string text, out IPEndPoint? endPoint, out string? error)
    {
        endPoint = null;
        error = null;
        var colon = text.LastIndexOf(':');
        if (text.StartsWith('[') || text.Count(ch => ch == ':') > 1)
        {
            error = $"'{text}': IPv6 is not supported by the exporter's listener; give an IPv4 address and port, e.g. 127.0.0.1:9464";
            return false;
        }
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, null, out var port) || port is < 1 or > 65535)
        {
            error = $"'{text}': expected ADDR:PORT, e.g. 127.0.0.1:9464";
            return false;
        }
        var host = text[..colon];
        if (!IPAddress.TryParse(host, out var address) || address.AddressFamily != AddressFamily.InterNetwork || host.Count(ch => ch == '.') != 3)
        {
            error = $"'{text}': the address must be an IPv4 literal (the exporter answers only requests addressed to it), e.g. 127.0.0.1:9464";
            return false;
        }
        if (address.Equals(IPAddress.Any))
        {
            error = $"'{text}': the exporter's listener cannot listen on every address; name the one Prometheus scrapes, e.g. 127.0.0.1:{port} or a management address";
            return false;
        }
        endPoint = new IPEndPoint(address, port);
        return true;
    }

    /// <summary>Starts listening; throws <see cref="MetricsEndpointException"/> when the address cannot be had.</summary>
    public static MetricsEndpoint Start(IPEndPoint endPoint, IpmpMetrics metrics, ILogger logger)
    {
        var endpoint = new MetricsEndpoint(endPoint, metrics, logger);
        endpoint._provider = endpoint.Build();
        return endpoint;
    }

    private MeterProvider Build()
    {
        try
        {
            return Sdk.CreateMeterProviderBuilder()
                .AddMeter(_metrics.Meter.Name)
                .AddPrometheusHttpListener(o =>
                {
                    o.Host = _endPoint.Address.ToString();
                    o.Port = _endPoint.Port;
                    o.ScrapeEndpointPath = "/metrics";
                    // IpmpMetrics already bounds what a scrape costs the loop (one snapshot per 100 ms).
                    o.ScrapeResponseCacheDurationMilliseconds = 0;
                    // The series are exactly the daemon's: no otel_scope_* labels, no target_info.
                    o.ScopeInfoEnabled = false;
                    o.TargetInfoEnabled = false;
                })
                .Build();
        }
        catch (Exception e) when (e is InvalidOperationException or HttpListenerException or SocketException)
        {
            var why = e.InnerException?.Message ?? e.Message;
            throw new MetricsEndpointException($"cannot serve metrics on {_endPoint}: {why}", e);
        }
    }

    /// <summary>The owner's body (a supervised thread): checks the endpoint, rebuilds it when it does not
    /// answer; returns when <see cref="Stop"/> is called.</summary>
    public void Run()
    {
        while (!_stop.Wait(CheckInterval))
        {
            if (Check(out var problem)) continue;
            if (_stop.IsSet) return;
            Rebuilds++;
            _logger.LogError("metrics endpoint {EndPoint} did not answer ({Problem}); starting it again", _endPoint, problem);
            lock (_lock)
            {
                if (_stop.IsSet) return;
                _provider?.Dispose();
                _provider = null;
                try
                {
                    _provider = Build();
                }
                catch (MetricsEndpointException e)
                {
                    _logger.LogError("{Error}; trying again in {Seconds} s", e.Message, CheckInterval.TotalSeconds);
                }
            }
        }
    }

    /// <summary>One scrape of our own endpoint: 200 and a Prometheus body within <see cref="CheckTimeout"/>.</summary>
    internal bool Check(out string problem)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            {
                ReceiveTimeout = (int)CheckTimeout.TotalMilliseconds,
                SendTimeout = (int)CheckTimeout.TotalMilliseconds,
            };
            var connect = socket.BeginConnect(_endPoint, null, null);
            if (!connect.AsyncWaitHandle.WaitOne(CheckTimeout))
            {
                problem = "connect timed out";
                return false;
            }
            socket.EndConnect(connect);
            socket.Send(Encoding.ASCII.GetBytes($"GET /metrics HTTP/1.0\r\nHost: {_endPoint}\r\nUser-Agent: ipmp-self-check\r\n\r\n"));
            var buffer = new byte[64];
            var n = socket.Receive(buffer);
            var status = Encoding.ASCII.GetString(buffer, 0, n);
            if (status.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) || status.StartsWith("HTTP/1.0 200", StringComparison.Ordinal))
            {
                problem = "";
                return true;
            }
            problem = $"answered '{status.Split('\r')[0]}'";
            return false;
        }
        catch (SocketException e)
        {
            problem = e.Message;
            return false;
        }
    }

    public void Stop() => _stop.Set();

    public void Dispose()
    {
        Stop();
        lock (_lock)
        {
            _provider?.Dispose();
            _provider = null;
        }
    }
}

public sealed class MetricsEndpointException(string message, Exception inner) : Exception(message, inner);
