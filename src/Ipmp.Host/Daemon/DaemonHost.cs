using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Ipmp.Host.Daemon;

/// <summary>
/// Runs the daemon in the foreground under Microsoft.Extensions.Hosting: logs to stderr (with syslog
/// priority prefixes that journald reads when run by systemd), tells systemd when it is ready
/// (Type=notify), and stops cleanly on SIGTERM.
/// </summary>
public static class DaemonHost
{
    public static async Task<int> RunAsync(DaemonOptions options, Action<IpmpDaemon>? started = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.IncludeScopes = false;
        });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSystemd();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<IpmpDaemon>();
        builder.Services.AddSingleton<DaemonService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DaemonService>());
        builder.Services.AddSingleton(new DaemonStarted(started));
        using var host = builder.Build();
        var service = host.Services.GetRequiredService<DaemonService>();
        await host.RunAsync();   // disposes the host
        return service.ExitCode;
    }

    internal sealed record DaemonStarted(Action<IpmpDaemon>? Callback);

    internal sealed class DaemonService(IpmpDaemon daemon, DaemonStarted started, IHostApplicationLifetime lifetime) : BackgroundService
    {
        public int ExitCode { get; private set; }

        /// <summary>The host reports itself started (and systemd hears READY=1) only once the daemon has
        /// loaded its configuration, dumped the kernel and carried out its first placement.</summary>
        public override async Task StartAsync(CancellationToken cancellationToken)
        {
            await base.StartAsync(cancellationToken);
            if (ExecuteTask is { } running)
                await Task.WhenAny(daemon.Ready.ContinueWith(_ => { }, TaskScheduler.Default), running).WaitAsync(cancellationToken);
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            started.Callback?.Invoke(daemon);
            try
            {
                ExitCode = await daemon.RunAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ExitCode = 1;
                throw;
            }
            finally
            {
                lifetime.StopApplication();
            }
        }
    }
}
