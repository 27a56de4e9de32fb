namespace Ipmp.Host.Runtime;

/// <summary>A dedicated background thread whose end is a task: it completes when the body returns and faults
/// with the exception that ended it, so that whoever owns the thread can watch its end like any other task.</summary>
public static class ThreadTask
{
    public static Task Start(string name, Action body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                body();
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        }) { IsBackground = true, Name = name }.Start();
        return done.Task;
    }
}
