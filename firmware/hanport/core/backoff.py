# Exponential reconnect backoff with jitter and a cap: 1 s, 2 s, 4 s ... 60 s, each drawn
# uniformly from [delay/2, delay] so many dongles do not hammer a restarted broker together.
# Pure core: must not import machine, network, socket, time or asyncio (randomness injected).


class Backoff:
    def __init__(self, rand_below, first_ms=1000, cap_ms=60000):
        self._rand_below = rand_below  # rand_below(n) -> int in [0, n)
        self.first_ms = first_ms
        self.cap_ms = cap_ms
        self.failures = 0

    def reset(self):
        self.failures = 0

    def next_delay_ms(self):
        """Record one failure; return how long to wait before the next attempt."""
        delay = self.first_ms
        for _ in range(self.failures):
            delay *= 2
            if delay >= self.cap_ms:
                delay = self.cap_ms
                break
        self.failures += 1
        half = delay // 2
        return half + self._rand_below(delay - half + 1)
