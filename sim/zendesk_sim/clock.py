"""The simulated account's clock: real time plus an offset tests can move.

What follows it: the `Date` header, the one-minute rule of the incremental
exports, the timestamps of mutations, incremental cursor lifetimes (switch
cursor_ttl), the search-export cursor's hour and the count endpoints'
refreshes.  What does not: rate-limit windows and OAuth token expiry, which
stay on real time (a test that advances the clock by an hour must not find
its quota refilled or its token dead).
"""

import threading
import time


class Clock:
    """Real time plus an offset that tests can advance (or set)."""

    def __init__(self, start=None):
        self._lock = threading.Lock()
        self._offset = 0.0 if start is None else float(start) - time.time()

    def now(self):
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds):
        with self._lock:
            self._offset += float(seconds)
            return time.time() + self._offset

    def set(self, epoch):
        """Jump to an absolute instant (backwards too: tests only)."""
        with self._lock:
            self._offset = float(epoch) - time.time()
            return time.time() + self._offset
