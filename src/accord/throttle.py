"""Failed password sign-ins, counted so that guessing a password is slow.

A node faces other states' networks; a password is the one credential a person can
guess (API tokens are 256-bit random). After ``per_user`` failures for one username from
one client address within ``window``, that pair is refused until its oldest failure leaves
the window, without the password even being checked; ``per_address`` failures from one
address refuse it for every username (password spraying). The counts live in the serving
process: a restart forgets them, and a node behind a reverse proxy sees the proxy's
address for everyone (the per-user limit then holds for the name, node-wide).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from accord.errors import TooManyAttempts

#: Counters kept at most; the stalest are dropped first, so a flood of invented names
#: cannot fill memory.
MAX_KEYS = 50_000

#: (client address, username or None for the address as a whole)
_Key = tuple[str, str | None]


@dataclass
class SignInThrottle:
    per_user: int = 10
    per_address: int = 50
    window: float = 15 * 60.0  # seconds
    clock: Callable[[], float] = time.monotonic
    _failures: dict[_Key, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, address: str, username: str) -> None:
        """Raise TooManyAttempts if this address, or this username from it, failed too often."""
        with self._lock:
            now = self.clock()
            for key, limit in self._limits(address, username):
                recent = self._recent(key, now, keep=False)
                if len(recent) >= limit:
                    wait = math.ceil(recent[0] + self.window - now)
                    raise TooManyAttempts(max(wait, 1))

    def failed(self, address: str, username: str) -> None:
        with self._lock:
            now = self.clock()
            for key, _ in self._limits(address, username):
                self._recent(key, now).append(now)
                self._failures[key] = self._failures.pop(key)  # newest last, for eviction
            while len(self._failures) > MAX_KEYS:
                del self._failures[next(iter(self._failures))]

    def succeeded(self, address: str, username: str) -> None:
        """A right password clears that name's failures (not the address's)."""
        with self._lock:
            self._failures.pop((address, _name(username)), None)

    def _limits(self, address: str, username: str) -> tuple[tuple[_Key, int], ...]:
        return ((address, _name(username)), self.per_user), ((address, None), self.per_address)

    def _recent(self, key: _Key, now: float, keep: bool = True) -> deque[float]:
        """The failures of ``key`` still in the window (a new counter only if ``keep``)."""
        failures = self._failures
        times = failures.setdefault(key, deque()) if keep else failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times


def _name(username: str) -> str:
    return username.strip().casefold()
