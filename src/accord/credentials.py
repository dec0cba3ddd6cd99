"""Who is calling: HTTP Bearer API tokens, HTTP Basic (username and password), or the web
UI's session cookie (a token made at sign-in, stored hashed, revoked at sign-out)."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from accord.errors import Forbidden, NotAuthenticated
from accord.store import AccessGate, Store, Viewer
from accord.store.identity import Principal, authenticate_password, authenticate_token
from accord.throttle import SignInThrottle


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def home_of(request: Request) -> Path:
    """The node's home directory, where the organisations' keys are kept."""
    home: Path = request.app.state.settings.home
    return home


def optional_principal(request: Request) -> Principal | None:
    """The authenticated caller, None when no credentials were sent; bad ones raise."""
    header = request.headers.get("authorization")
    if not header:
        session = request.cookies.get(SESSION_COOKIE)
        if not session:
            return None
        same_origin(request)
        with store_of(request).read() as connection:
            return authenticate_token(connection, session)
    scheme, _, credentials = header.partition(" ")
    # "Token" is how taxii2-client (the OASIS client) sends an API token.
    if scheme.lower() in ("bearer", "token") and credentials:
        with store_of(request).read() as connection:
            return authenticate_token(connection, credentials.strip())
    if scheme.lower() == "basic" and credentials:
        return check_password(request, *_basic_credentials(credentials))
    raise NotAuthenticated(f"unsupported authorization scheme {scheme!r}")


def check_password(request: Request, username: str, password: str) -> Principal:
    """A username and password, checked under the node's sign-in throttle (HTTP Basic and
    the sign-in page alike)."""
    throttle: SignInThrottle = request.app.state.throttle
    address = request.client.host if request.client else "unknown"
    throttle.attempt(address, username)
    with store_of(request).read() as connection:  # argon2: not under the writer lock
        caller = authenticate_password(connection, username, password)
    throttle.succeeded(address, username)
    return caller


SESSION_COOKIE = "accord_session"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def same_origin(request: Request) -> None:
    """A browser sends the session cookie with any request to this node, so a change
    made with it must come from the node's own pages (no cross-site request forgery);
    the cookie is SameSite=Strict as well."""
    if request.method in _SAFE_METHODS:
        return
    origin = request.headers.get("origin") or request.headers.get("referer") or ""
    own = f"{request.url.scheme}://{request.url.netloc}"
    if origin != own and not origin.startswith(own + "/"):
        raise Forbidden("a change with the session cookie must come from this node's pages")


def principal(
    caller: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    """The authenticated caller; the request fails with 401 without credentials."""
    if caller is None:
        raise NotAuthenticated("send an API token (Authorization: Bearer …) or HTTP Basic")
    return caller


def gate_for(request: Request, caller: Principal | None) -> AccessGate:
    viewer = Viewer(caller.org.id) if caller else Viewer.public()
    return AccessGate(viewer)


def _basic_credentials(encoded: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise NotAuthenticated("malformed HTTP Basic credentials") from None
    username, sep, password = decoded.partition(":")
    if not sep:
        raise NotAuthenticated("malformed HTTP Basic credentials")
    return username, password
