"""Signing in and out of the web UI.

Signing in makes an API token for the user, stored hashed like every token, and hands it
to the browser as an HttpOnly, SameSite=Strict cookie; signing out revokes it. So a page
and the API it calls take the same credentials, and the access gate sees the same user.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord.credentials import (
    SESSION_COOKIE,
    check_password,
    optional_principal,
    same_origin,
    store_of,
)
from accord.errors import NotAuthenticated, TooManyAttempts
from accord.store.identity import SESSION_LABEL, create_token, revoke_token
from accord.web.ui.base import page

router = APIRouter(include_in_schema=False)


def _local(target: str) -> str:
    """Only a path on this node: a sign-in link must not send anyone elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, "signin.html", None, title="Sign in", next=_local(next), problem=None)


@router.post("/signin", response_model=None)
def signin(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    same_origin(request)  # no signing a visitor in from another site (login CSRF)
    store = store_of(request)
    try:
        caller = check_password(request, username, password)
        with store.write() as connection:
            token = create_token(connection, caller.org, label=SESSION_LABEL, username=username)
    except NotAuthenticated as error:
        return _refused(request, 401, next, str(error))
    except TooManyAttempts as error:
        refused = _refused(request, 429, next, str(error))
        refused.headers["Retry-After"] = str(error.retry_after)
        return refused
    answer = RedirectResponse(_local(next), status_code=303)
    answer.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return answer


def _refused(request: Request, status: int, next: str, problem: str) -> HTMLResponse:
    return page(request, "signin.html", None, status, title="Sign in", next=_local(next),
                problem=problem)  # fmt: skip


@router.post("/signout")
def signout(request: Request) -> RedirectResponse:
    token = request.cookies.get(SESSION_COOKIE)
    if token and optional_principal(request) is not None:  # same origin, still valid
        with store_of(request).write() as connection:
            revoke_token(connection, token)
    answer = RedirectResponse("/signin", status_code=303)
    answer.delete_cookie(SESSION_COOKIE)
    return answer
