"""Password sign-ins, counted so that guessing a password is slow.

A node faces other states' networks; a password is the one credential a person can
guess (API tokens are 256-bit random). Every password check counts as an attempt from
the moment it starts (so guesses sent in parallel count too) and is taken back when the
password was right. After ``per_user`` attempts for one username from one client address
within ``window``, that pair is refused until its oldest attempt leaves the window,
without the password even being checked; ``per_address`` attempts from one address
refuse it for every username (password spraying). An IPv6 client counts by its /64, the
block one subscriber usually holds.

The counts live in the serving process: a restart forgets them. Behind a reverse proxy
every client has the proxy's address unless uvicorn trusts the proxy's
``X-Forwarded-For`` (``FORWARDED_ALLOW_IPS``, loopback by default); otherwise 50 wrong
passwords from anyone hold up every password sign-in for 15 minutes (API tokens still
work).
"""

from __future__ import annotations

import ipaddress
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
#: Longer names exist in no account (the column holds 150) and count as one name.
NAME_LENGTH = 150

#: (client address, username or None for the address as a whole)
_Key = tuple[str, str | None]


@dataclass
class SignInThrottle:
    per_user: int = 10
    per_address: int = 50
    window: float = 15 * 60.0  # seconds
    clock: Callable[[], float] = time.monotonic
    _attempts: dict[_Key, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attempt(self, address: str, username: str) -> None:
        """Count one password check, or raise TooManyAttempts if this address, or this
        username from it, has used up its attempts."""
        keys = self._keys(address, username)
        with self._lock:
            now = self.clock()
            for key, limit in zip(keys, (self.per_user, self.per_address), strict=True):
                recent = self._recent(key, now)
                if len(recent) >= limit:
                    wait = math.ceil(recent[0] + self.window - now)
                    raise TooManyAttempts(max(wait, 1))
            for key in keys:
                self._attempts.setdefault(key, deque()).append(now)
                self._attempts[key] = self._attempts.pop(key)  # newest last, for eviction
            self._forget(now)

    def _forget(self, now: float) -> None:
        """Drop counters whose every attempt has left the window (the least recently
        counted come first), and the stalest beyond MAX_KEYS."""
        attempts = self._attempts
        while attempts:
            oldest = next(iter(attempts))
            times = attempts[oldest]
            if len(attempts) <= MAX_KEYS and times and times[-1] > now - self.window:
                return
            del attempts[oldest]

    def succeeded(self, address: str, username: str) -> None:
        """A right password clears that name's attempts and takes back the address's."""
        name_key, address_key = self._keys(address, username)
        with self._lock:
            self._attempts.pop(name_key, None)
            counted = self._attempts.get(address_key)
            if counted:
                counted.pop()
                if not counted:
                    del self._attempts[address_key]

    def _keys(self, address: str, username: str) -> tuple[_Key, _Key]:
        client = _client(address)
        return (client, username.strip()[:NAME_LENGTH].casefold()), (client, None)

    def _recent(self, key: _Key, now: float) -> deque[float]:
        """The attempts of ``key`` still in the window; a counter left empty goes."""
        times = self._attempts.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._attempts[key]
        return times


def _client(address: str) -> str:
    """The address a client is counted by: itself, or its /64 for IPv6."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6 and parsed.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    if parsed.version == 6:
        return str(parsed.ipv4_mapped)
    return str(parsed)
