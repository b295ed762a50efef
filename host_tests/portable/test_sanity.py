# Energy registers as a second line of defence (issue 13, core/sanity.py and the hub): a register
# that goes backwards or jumps by more than a 150 kW connection could deliver is not published,
# the effekttariff and hourly ring never see it, and a meter whose registers really restarted is
# followed after 3 telegrams that agree.
from hanport.core.p1.decoder import Decoder
from hanport.core.sanity import EnergyGuard
from telegen import SwedishMeter


def _readings(count, seed=4):
    """Genuine consecutive readings of one generated meter (10 s apart), each its own Reading."""
    meter = SwedishMeter(seed)
    out = []
    for _ in range(count):
        decoder = Decoder(lambda reading, framer: out.append(reading))
        decoder.feed(meter.telegram())
    return out


def _reading_with(energy_wh):
    from hanport.core.reading import Reading

    r = Reading()
    r.value[0] = energy_wh
    r.present[0] = 1
    return r


def test_genuine_telegrams_pass():
    guard = EnergyGuard()
    for _ in range(20):
        assert guard.check(_reading_with(1000000), 10000)
    assert guard.check(_reading_with(1000420 + 1000), 10000)  # 42 Wh per s for 10 s, plus the slack
    assert guard.rejected == 0


def test_backwards_and_impossible_jumps_are_rejected():
    guard = EnergyGuard()
    assert guard.check(_reading_with(5000000), 0)
    assert not guard.check(_reading_with(4999999), 10000)  # backwards by 1 Wh
    assert not guard.check(_reading_with(5000000 + 100000), 10000)  # 100 kWh in 20 s
    assert guard.check(_reading_with(5000010), 10000)
    assert guard.rejected == 2
    assert guard.status()["last"] == {"field": "energy_import_wh", "before": 5000000, "after": 5100000}
    assert guard.check(_reading_with(5000010 + 42 * 3601 + 1000), 3600000)  # an hour offline: 150 kW allowed


def test_a_restarted_meter_is_followed_after_three_agreeing_telegrams():
    guard = EnergyGuard()
    assert guard.check(_reading_with(9000000), 0)
    assert not guard.check(_reading_with(100), 10000)
    assert not guard.check(_reading_with(105), 10000)
    assert guard.check(_reading_with(110), 10000) and guard.restarts == 1 and guard.rejected == 2
    assert guard.check(_reading_with(120), 10000)
    # Scattered damage never agrees with itself: never followed.
    assert not guard.check(_reading_with(50), 10000)
    assert not guard.check(_reading_with(900000000), 10000)
    assert not guard.check(_reading_with(60), 10000)
    assert guard.restarts == 1


def test_the_hub_publishes_nothing_from_an_implausible_telegram():
    from hanport.svc.hub import Hub

    logged = []
    hub = Hub("t", "0")
    hub.log = logged.append
    seen = []
    hub.listeners.append(lambda h: seen.append(h.reading_dict["energy_import_wh"]))
    readings = _readings(3)
    hub.telegram(readings[0])
    damaged = readings[1]
    good_value = damaged.value[0]
    damaged.value[0] = good_value + 10000000  # +10 MWh: a damage a CRC collision let through
    hub.telegram(damaged)
    hub.telegram(readings[2])
    assert seen == [readings[0].value[0], readings[2].value[0]] and hub.seq == 2
    assert hub.guard.rejected == 1 and len(logged) == 1 and "energy_import_wh" in logged[0]


def test_the_meters_clock_counts_when_it_runs_faster_than_the_wall():
    # A replayed capture, or the tests' virtual meter: 10 minutes of meter time per telegram,
    # half a second apart on the wall. 150 kW would allow 1 kWh + 21 Wh; the meter's clock allows 25 kWh.
    meter = SwedishMeter(8, "aidon", 600)
    guard = EnergyGuard()
    values, energy = [], []

    def take(reading, framer):
        energy.append(reading.value[0])
        values.append(guard.check(reading, 500))

    for _ in range(12):
        Decoder(take).feed(meter.telegram())
    assert values == [True] * 12 and guard.rejected == 0
    assert max(b - a for a, b in zip(energy, energy[1:])) > 1000 + 42  # beyond what the wall allows
