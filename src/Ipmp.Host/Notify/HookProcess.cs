using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using static Ipmp.Host.Notify.SpawnInterop;

namespace Ipmp.Host.Notify;

/// <summary>How one run of a hook ended.</summary>
public enum HookOutcome { Exited, Signalled, TimedOut, NotStarted }

public readonly record struct HookResult(HookOutcome Outcome, int Code, TimeSpan Elapsed, int ProcessGroup, string? Error = null)
{
    public override string ToString() => Outcome switch
    {
        HookOutcome.Exited => $"exit {Code}",
        HookOutcome.Signalled => $"killed by signal {Code}",
        HookOutcome.TimedOut => "timed out",
        _ => $"not started: {Error}",
    };
}

/// <summary>
/// Runs one hook to its end on the calling thread: posix_spawn with a process group of its own, standard input
/// from /dev/null, standard output and error into pipes, every other descriptor closed, signal dispositions and
/// mask reset (the .NET runtime ignores SIGPIPE; a shell script must not inherit that). One poll(2) waits on
/// both pipes and the process (a pidfd): no extra thread. Past the timeout the whole process group is killed
/// (SIGKILL), so a hook's children go with it. Once the hook itself has exited, output still arriving (a
/// child it left running holds the pipes) is read for at most <see cref="ExitGrace"/>.
/// </summary>
public static unsafe class HookProcess
{
    public static readonly TimeSpan ExitGrace = TimeSpan.FromMilliseconds(200);

    /// <param name="onLine">Each line of output (stderr: true), without its newline, cut at <paramref name="maxLine"/> characters.</param>
    public static HookResult Run(string path, IReadOnlyList<string> environment, TimeSpan timeout, Action<bool, string> onLine, int maxLine = 400)
    {
        var started = Stopwatch.GetTimestamp();
        int* outPipe = stackalloc int[2];
        int* errPipe = stackalloc int[2];
        outPipe[0] = outPipe[1] = errPipe[0] = errPipe[1] = -1;
        if (Pipe2(outPipe, O_CLOEXEC | O_NONBLOCK) != 0 || Pipe2(errPipe, O_CLOEXEC | O_NONBLOCK) != 0)
        {
            var error = $"pipe2: {Marshal.GetLastPInvokeErrorMessage()}";
            CloseAll(outPipe[0], outPipe[1], errPipe[0], errPipe[1]);
            return new HookResult(HookOutcome.NotStarted, 0, Stopwatch.GetElapsedTime(started), 0, error);
        }

        var pid = Spawn(path, environment, outPipe[1], errPipe[1], out var spawnError);
        // The child has its own copies of the write ends (or never will): ours must go, or EOF never comes.
        CloseAll(outPipe[1], errPipe[1]);
        if (pid <= 0)
        {
            CloseAll(outPipe[0], errPipe[0]);
            return new HookResult(HookOutcome.NotStarted, 0, Stopwatch.GetElapsedTime(started), 0, spawnError);
        }

        var pidFd = PidFdOpen(pid);
        var readers = new[] { new LineReader(outPipe[0], false, onLine, maxLine), new LineReader(errPipe[0], true, onLine, maxLine) };
        var deadline = started + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        long? exitedAt = null;
        int status = 0;
        var timedOut = false;
        PollFd* fds = stackalloc PollFd[3];
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if (exitedAt is null && now >= deadline)
            {
                timedOut = true;
                Kill(-pid, SIGKILL);   // the process group: the hook and whatever it started
                break;
            }
            if (exitedAt is { } at && (readers.All(r => r.Closed) || Stopwatch.GetElapsedTime(at) >= ExitGrace)) break;

            var n = 0;
            foreach (var r in readers)
                if (!r.Closed) fds[n++] = new PollFd { Fd = r.Fd, Events = POLLIN };
            var pidSlot = -1;
            if (exitedAt is null && pidFd >= 0)
            {
                pidSlot = n;
                fds[n++] = new PollFd { Fd = pidFd, Events = POLLIN };
            }
            var waitMs = exitedAt is { } e
                ? Math.Max(1, (int)(ExitGrace - Stopwatch.GetElapsedTime(e)).TotalMilliseconds)
                : (int)Math.Clamp((deadline - now) * 1000 / Stopwatch.Frequency + 1, 1, int.MaxValue);
            if (pidFd < 0 && exitedAt is null) waitMs = Math.Min(waitMs, 20);   // no pidfd: look at the child now and then
            var ready = n == 0 ? 0 : Poll(fds, (nuint)n, waitMs);
            if (n == 0) Thread.Sleep(waitMs);
            if (ready < 0 && Marshal.GetLastPInvokeError() != EINTR)
                throw new IOException($"poll: {Marshal.GetLastPInvokeErrorMessage()}");
            foreach (var r in readers) r.Drain();
            if (exitedAt is null && (pidFd < 0 || (pidSlot >= 0 && ready > 0 && fds[pidSlot].Revents != 0)))
            {
                var w = WaitPid(pid, out status, WNOHANG);
                if (w == pid || (w < 0 && Marshal.GetLastPInvokeError() == ECHILD)) exitedAt = Stopwatch.GetTimestamp();
            }
        }

        if (timedOut)
        {
            // SIGKILL cannot be caught: the hook is gone in a moment (a process in uninterruptible sleep takes longer).
            for (var i = 0; i < 200; i++)
            {
                var w = WaitPid(pid, out status, WNOHANG);
                if (w == pid || (w < 0 && Marshal.GetLastPInvokeError() == ECHILD)) break;
                Thread.Sleep(5);
            }
            foreach (var r in readers) r.Drain();
        }
        foreach (var r in readers) r.Finish();
        CloseAll(outPipe[0], errPipe[0], pidFd);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (timedOut) return new HookResult(HookOutcome.TimedOut, 0, elapsed, pid);
        var signal = status & 0x7f;
        return signal == 0
            ? new HookResult(HookOutcome.Exited, (status >> 8) & 0xff, elapsed, pid)
            : new HookResult(HookOutcome.Signalled, signal, elapsed, pid);
    }

    private static int Spawn(string path, IReadOnlyList<string> environment, int stdout, int stderr, out string? error)
    {
        error = null;
        var strings = new List<IntPtr>();
        var actions = Marshal.AllocHGlobal(FileActionsSize);
        var attr = Marshal.AllocHGlobal(AttrSize);
        var sigs = Marshal.AllocHGlobal(SigSetSize);
        try
        {
            IntPtr Utf8(string s)
            {
                var p = Marshal.StringToCoTaskMemUTF8(s);
                strings.Add(p);
                return p;
            }
            var argv = stackalloc IntPtr[2];
            argv[0] = Utf8(path);
            argv[1] = IntPtr.Zero;
            var envp = new IntPtr[environment.Count + 1];
            for (var i = 0; i < environment.Count; i++) envp[i] = Utf8(environment[i]);

            FileActionsInit(actions);
            AttrInit(attr);
            try
            {
                FileActionsAddOpen(actions, 0, "/dev/null", O_RDONLY, 0);
                FileActionsAddDup2(actions, stdout, 1);
                FileActionsAddDup2(actions, stderr, 2);
                try
                {
                    FileActionsAddCloseFrom(actions, 3);
                }
                catch (EntryPointNotFoundException)
                {
                    // glibc before 2.34: every descriptor of the daemon is close-on-exec anyway.
                }
                // A process group of its own (killed as one), default signal dispositions, nothing blocked.
                AttrSetFlags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
                AttrSetPgroup(attr, 0);
                SigEmptySet(sigs);
                AttrSetSigMask(attr, sigs);
                for (var s = 1; s < 32; s++)
                    if (s is not (9 or 19)) SigAddSet(sigs, s);   // SIGKILL and SIGSTOP cannot be changed
                AttrSetSigDefault(attr, sigs);

                fixed (IntPtr* env = envp)
                {
                    var rc = PosixSpawn(out var pid, path, actions, attr, argv, env);
                    if (rc == 0) return pid;
                    error = Marshal.GetPInvokeErrorMessage(rc);
                    return -1;
                }
            }
            finally
            {
                FileActionsDestroy(actions);
                AttrDestroy(attr);
            }
        }
        finally
        {
            foreach (var p in strings) Marshal.FreeCoTaskMem(p);
            Marshal.FreeHGlobal(actions);
            Marshal.FreeHGlobal(attr);
            Marshal.FreeHGlobal(sigs);
        }
    }

    private static void CloseAll(params int[] fds)
    {
        foreach (var fd in fds)
            if (fd >= 0) SpawnInterop.Close(fd);
    }

    /// <summary>One pipe, read without blocking, cut into lines.</summary>
    private sealed class LineReader(int fd, bool stderr, Action<bool, string> onLine, int maxLine)
    {
        private readonly byte[] _buffer = new byte[4096];
        private readonly List<byte> _line = [];
        private bool _overlong;

        public int Fd => fd;
        public bool Closed { get; private set; }

        public void Drain()
        {
            if (Closed) return;
            fixed (byte* p = _buffer)
            {
                // Bounded per call, so one chatty hook cannot hold the thread here forever.
                for (var i = 0; i < 64; i++)
                {
                    var n = Read(fd, p, _buffer.Length);
                    if (n == 0)
                    {
                        Closed = true;
                        return;
                    }
                    if (n < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == EINTR) continue;
                        if (errno != EAGAIN) Closed = true;
                        return;
                    }
                    for (var j = 0; j < n; j++) Add(_buffer[j]);
                }
            }
        }

        private void Add(byte b)
        {
            if (b == (byte)'\n')
            {
                if (!_overlong) Emit();
                _overlong = false;
                _line.Clear();
                return;
            }
            if (_overlong) return;
            _line.Add(b);
            if (_line.Count >= maxLine)
            {
                Emit(cut: true);
                _overlong = true;
                _line.Clear();
            }
        }

        private void Emit(bool cut = false)
        {
            var text = Encoding.UTF8.GetString(_line.ToArray()).TrimEnd('\r');
            var clean = new StringBuilder(text.Length);
            foreach (var ch in text) clean.Append(char.IsControl(ch) && ch != '\t' ? '?' : ch);
            onLine(stderr, cut ? clean + " [cut]" : clean.ToString());
        }

        public void Finish()
        {
            if (_line.Count > 0 && !_overlong) Emit();
            _line.Clear();
        }
    }
}
