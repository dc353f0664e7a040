"""Rate limits as Zendesk applies them (sim/README.md §10).

Buckets: the account's plan-wide limit (700/min by default; a 429 is plain
text), the incremental exports (10/min; JSON APIRateLimitExceeded), the users
cursor export's own limit (20/min; Zendesk-RateLimit-incremental-exports-
cursor header), the sample endpoints (10 per 20 min), the tickets index
(100/min; Zendesk-RateLimit-tickets-index header) and the search export
(100/min).  Every bucket runs on real time, never on the simulated clock, so
moving the clock does not refill a quota.  The window length is configurable
(--rate-window) so pacing tests can run in seconds; Retry-After and resets are
whole seconds, rounded up.  How a bucket counts is the switch rate_window:
fixed window, sliding window or token bucket.
"""

import collections
import math
import threading
import time

EXPORT_LIMIT_BODY = {
    "error": "APIRateLimitExceeded",
    "description": "Number of allowed incremental export API requests per minute exceeded",
}
ACCOUNT_LIMIT_TEXT = "Number of allowed API requests per minute exceeded"


class Bucket:
    """N requests per window seconds, counted as the rate_window switch says."""

    def __init__(self, name, limit, window=60.0, mode_source=None, clock=time.time):
        self.name = name
        self.limit = int(limit)
        self.window = float(window)
        self._mode_source = mode_source or (lambda: "fixed")
        self._clock = clock
        self._lock = threading.Lock()
        self.reset_state()

    def reset_state(self):
        self._mode = None
        self._fixed_window = None
        self._used = 0
        self._stamps = collections.deque()
        self._tokens = float(self.limit)
        self._last = self._clock()

    def configure(self, limit=None, window=None):
        with self._lock:
            if limit is not None:
                self.limit = int(limit)
            if window is not None:
                self.window = float(window)
            self.reset_state()

    @staticmethod
    def _ceil(seconds):
        return max(1, int(math.ceil(seconds - 1e-9)))

    def take(self, consume=True):
        """(allowed, remaining, seconds until reset, seconds until allowed)."""
        now = self._clock()
        with self._lock:
            mode = self._mode_source()
            if mode != self._mode:
                self.reset_state()
                self._mode = mode
            if mode == "sliding":
                return self._take_sliding(now, consume)
            if mode == "token_bucket":
                return self._take_bucket(now, consume)
            return self._take_fixed(now, consume)

    def _take_fixed(self, now, consume):
        index = int(now // self.window)
        if index != self._fixed_window:
            self._fixed_window = index
            self._used = 0
        reset = self._ceil((index + 1) * self.window - now)
        if self._used >= self.limit:
            return False, 0, reset, reset
        if consume:
            self._used += 1
        return True, self.limit - self._used, reset, 0

    def _take_sliding(self, now, consume):
        stamps = self._stamps
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        if len(stamps) >= self.limit:
            wait = self._ceil(stamps[0] + self.window - now)
            return False, 0, wait, wait
        if consume:
            stamps.append(now)
        reset = self._ceil(stamps[0] + self.window - now) if stamps else self._ceil(self.window)
        return True, self.limit - len(stamps), reset, 0

    def _take_bucket(self, now, consume):
        rate = self.limit / self.window
        self._tokens = min(float(self.limit), self._tokens + (now - self._last) * rate)
        self._last = now
        if self._tokens < 1.0:
            wait = self._ceil((1.0 - self._tokens) / rate)
            return False, 0, self._ceil((self.limit - self._tokens) / rate), wait
        if consume:
            self._tokens -= 1.0
        reset = self._ceil((self.limit - self._tokens) / rate) if self._tokens < self.limit else 0
        return True, int(self._tokens), max(reset, 0), 0

    def state(self):
        with self._lock:
            return {"limit": self.limit, "window": self.window, "mode": self._mode,
                    "used_in_fixed_window": self._used, "recent": len(self._stamps),
                    "tokens": round(self._tokens, 3)}


class Limits:
    """Every bucket of one simulated account."""

    def __init__(self, switches, account=700, export=10, users_cursor=20, sample=10,
                 tickets_index=100, search_export=100, window=60.0, sample_window=1200.0):
        mode = lambda: switches.rate_window  # noqa: E731
        self.buckets = {
            "account": Bucket("account", account, window, mode),
            "export": Bucket("export", export, window, mode),
            "users_cursor": Bucket("users_cursor", users_cursor, window, mode),
            "sample": Bucket("sample", sample, sample_window, mode),
            "tickets_index": Bucket("tickets_index", tickets_index, window, mode),
            "search_export": Bucket("search_export", search_export, window, mode),
        }

    def __getitem__(self, name):
        return self.buckets[name]

    def configure(self, spec):
        """{"export": 5, "window": 6, "account": {"limit": 3, "window": 2}, ...}"""
        window = spec.get("window")
        for name, bucket in self.buckets.items():
            value = spec.get(name)
            if isinstance(value, dict):
                bucket.configure(value.get("limit"), value.get("window", window))
            elif value is not None:
                bucket.configure(value, window if name != "sample" else None)
            elif window is not None and name != "sample":
                bucket.configure(None, window)

    def reset(self):
        for bucket in self.buckets.values():
            bucket.configure()

    def state(self):
        return {name: bucket.state() for name, bucket in self.buckets.items()}
