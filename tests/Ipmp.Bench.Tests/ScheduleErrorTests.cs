using Ipmp.Bench.Sim;

namespace Ipmp.Bench.Tests;

public sealed class ScheduleErrorTests
{
    [Fact]
    public void Sends_inside_their_slot_windows_have_no_error()
    {
        // I = 100: probe k in [B + k·100 + 50, B + (k+1)·100] with B = 1000.
        double[] sends = [1060, 1190, 1255, 1400, 1460];
        Assert.All(ScheduleError.Of(sends, 100), e => Assert.Equal(0, e));
        Assert.Equal(1.0, ScheduleError.RateRatio(sends, 100), 2);
    }

    [Fact]
    public void A_skipped_slot_shows_as_errors()
    {
        double[] sends = [1060, 1190, 1380, 1480];   // the slot [1250, 1300] got no probe
        var errors = ScheduleError.Of(sends, 100);
        Assert.Contains(errors, e => e > 0);
        Assert.True(ScheduleError.RateRatio(sends, 100) < 1.0);
    }

    [Fact]
    public void Late_send_error_is_its_distance_past_the_window()
    {
        // Base fitted from the latest constraint: send 2 at 1330 forces B = 1030, so send 0 at 1060 is
        // 20 early (window [1080, 1130]) and send 1 at 1190 is inside [1180, 1230].
        var errors = ScheduleError.Of([1060, 1190, 1330], 100);
        Assert.Equal([20.0, 0, 0], errors);
    }
}
