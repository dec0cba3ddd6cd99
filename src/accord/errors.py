"""Accord's domain errors.

    AccordError                         every error Accord raises on purpose
    ├── ConfigError (ValueError)        a setting has a bad value
    ├── InputError (ValueError)         input that is not STIX we can read
    │   ├── MalformedInput              not JSON, or not a bundle / array / JSON lines
    │   └── InvalidObject               one STIX object breaks a rule (id, property, reason)
    ├── StoreError                      the store refuses a write
    │   ├── VersionConflict (ValueError) same (id, modified), different content
    │   └── BatchRejected (ValueError)  an all-or-nothing import met invalid objects
    ├── NotFound (KeyError)             a named thing (organisation, user, object) does not exist
    ├── AlreadyExists (ValueError)      a named thing exists already
    └── AccessDenied                    authentication failed or the caller may not do this
        ├── NotAuthenticated
        ├── TooManyAttempts             too many wrong passwords: wait before the next
        └── Forbidden

Errors carry their data as attributes and a stable ``code``; the web layer and the
CLI turn them into HTTP answers and one-line messages in one place each.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


class AccordError(Exception):
    """Base of every error Accord raises on purpose."""

    code = "accord-error"


class ConfigError(AccordError, ValueError):
    """A setting has a value that cannot be used."""

    code = "config-invalid"

    def __init__(self, key: str, reason: str, source: str = "") -> None:
        self.key = key
        self.reason = reason
        self.source = source
        where = f" (from {source})" if source else ""
        super().__init__(f"Config '{key}'{where}: {reason}")


class InputError(AccordError, ValueError):
    """Input that cannot be read as STIX."""

    code = "input-invalid"


class MalformedInput(InputError):
    """The input is not JSON, or not a bundle, array or JSON lines of objects."""

    code = "input-malformed"

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class InvalidParameter(MalformedInput):
    """A request parameter (a filter, a cursor) that cannot be understood."""

    code = "parameter-invalid"


class InvalidObject(InputError):
    """One STIX object breaks a rule of STIX 2.1 (or of this node)."""

    code = "object-invalid"

    def __init__(self, object_id: str | None, prop: str, reason: str) -> None:
        self.object_id = object_id
        self.prop = prop
        self.reason = reason
        super().__init__(f"{object_id or '<object without id>'}: property '{prop}': {reason}")


class StoreError(AccordError):
    """The store refuses a write."""

    code = "store-error"


class VersionConflict(StoreError, ValueError):
    """A version (id, modified) is already stored with different content."""

    code = "version-conflict"

    def __init__(self, object_id: str, modified: str) -> None:
        self.object_id = object_id
        self.modified = modified
        self.prop = "modified"
        self.reason = (
            f"version {modified} is already stored with different content; "
            "a changed object needs a new 'modified' timestamp"
        )
        super().__init__(f"{object_id}: property 'modified': {self.reason}")


class BatchRejected(StoreError, ValueError):
    """An all-or-nothing import met invalid objects, so nothing was stored."""

    code = "batch-rejected"

    def __init__(self, source: str, errors: Sequence[InvalidObject | VersionConflict]) -> None:
        self.source = source
        self.errors = list(errors)
        first = self.errors[0] if self.errors else "no detail"
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(f"{source}: nothing stored; {first}{more}")


class NotFound(AccordError, KeyError):
    """A named thing does not exist."""

    code = "not-found"

    def __init__(self, kind: str, name: str) -> None:
        self.kind = kind
        self.name = name
        super().__init__(f"no {kind} named {name!r}")

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class AlreadyExists(AccordError, ValueError):
    """A named thing exists already."""

    code = "already-exists"

    def __init__(self, kind: str, name: str) -> None:
        self.kind = kind
        self.name = name
        super().__init__(f"{kind} {name!r} exists already")


class AccessDenied(AccordError):
    """Authentication failed, or the caller may not do this."""

    code = "access-denied"


class NotAuthenticated(AccessDenied):
    """No valid credentials were given."""

    code = "not-authenticated"


class TooManyAttempts(AccessDenied):
    """Too many wrong passwords from this address (for this name): wait and try again."""

    code = "too-many-attempts"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        minutes = math.ceil(retry_after / 60)
        super().__init__(
            f"too many failed sign-ins: try again in {minutes} minute{'s' * (minutes != 1)}"
        )


class Forbidden(AccessDenied):
    """The credentials are valid, but the caller may not do this."""

    code = "forbidden"


class ProtocolError(AccordError):
    """A request the protocol's rules refuse before its content is looked at."""

    code = "protocol-error"


class NotAcceptable(ProtocolError):
    """None of the media types the client accepts is one the server can answer with."""

    code = "not-acceptable"


class UnsupportedMediaType(ProtocolError):
    """The request's body is not in a media type the endpoint takes."""

    code = "unsupported-media-type"


class PayloadTooLarge(ProtocolError):
    """The request's body is larger than the server takes."""

    code = "payload-too-large"
