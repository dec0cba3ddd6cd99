"""Domain errors to HTTP, in one place."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from accord.credentials import optional_principal
from accord.errors import (
    AccordError,
    AlreadyExists,
    Forbidden,
    InputError,
    InvalidParameter,
    NotAcceptable,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    StoreError,
    TooManyAttempts,
    UnsupportedMediaType,
)
from accord.taxii.media import TaxiiResponse, error_resource
from accord.web.ui.base import page

_STATUS: list[tuple[type[AccordError], int]] = [
    (TooManyAttempts, 429),
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (AlreadyExists, 409),
    (NotAcceptable, 406),
    (PayloadTooLarge, 413),
    (UnsupportedMediaType, 415),
    (InputError, 422),
    (StoreError, 422),
]


def status_for(error: AccordError) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 500


def _challenge(status: int, error: AccordError | None = None) -> dict[str, str] | None:
    """A 401 says which credentials the node takes; a 429 when to try again."""
    if isinstance(error, TooManyAttempts):
        return {"Retry-After": str(error.retry_after)}
    return {"WWW-Authenticate": 'Basic realm="accord", Bearer'} if status == 401 else None


def _is_taxii(request: Request) -> bool:
    return request.url.path.startswith("/taxii2")


def _is_page(request: Request) -> bool:
    """A page of the web UI (not the API, TAXII or a static file)."""
    return not request.url.path.startswith(("/api", "/taxii2", "/static"))


def _page_error(request: Request, status: int, message: str) -> Response:
    """An error on a page: a visitor is sent to sign in; anything else is said in the
    page's own layout, in words."""
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/signin?{urlencode({'next': target})}", status_code=303)
    try:
        caller = optional_principal(request)
    except AccordError:
        caller = None
    heading = {404: "Not found", 403: "Not allowed"}.get(status, HTTPStatus(status).phrase)
    return page(request, "error.html", caller, status, title=heading, heading=heading,
                message=message)  # fmt: skip


def _taxii_error(
    status: int, title: str, description: str, code: str, error: AccordError | None = None
) -> Response:
    headers = _challenge(status, error)
    return TaxiiResponse(
        error_resource(status, title, description, code), status_code=status, headers=headers
    )


def install_error_handlers(app: FastAPI) -> None:
    """Domain errors become HTTP answers: TAXII error messages under /taxii2, JSON elsewhere."""

    @app.exception_handler(AccordError)
    async def _accord_error(request: Request, error: AccordError) -> Response:
        status = status_for(error)
        if _is_taxii(request):
            # TAXII 2.1 section 3.6: filters it cannot understand are a 400; 422 is for
            # content it understands but cannot process.
            if isinstance(error, InvalidParameter):
                status = 400
            return _taxii_error(status, HTTPStatus(status).phrase, str(error), error.code, error)
        if _is_page(request):
            answer = _page_error(request, status, str(error))
            if status == 429:  # when to try again; a 401 page is a redirect to sign in
                answer.headers.update(_challenge(status, error) or {})
            return answer
        headers = _challenge(status, error)
        return JSONResponse(
            {"error": error.code, "message": str(error)}, status_code=status, headers=headers
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        if _is_taxii(request):
            phrase = HTTPStatus(error.status_code).phrase
            return _taxii_error(error.status_code, phrase, str(error.detail), "http-error")
        if _is_page(request) and error.status_code in (404, 405):
            return _page_error(request, error.status_code, "There is no such page.")
        return await http_exception_handler(request, error)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, error: RequestValidationError) -> Response:
        if _is_taxii(request):
            where = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
            )
            return _taxii_error(400, "Bad Request", where, InvalidParameter.code)
        if _is_page(request):
            where = "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in error.errors())
            return _page_error(request, 422, f"The form is not complete: {where}")
        return await request_validation_exception_handler(request, error)
