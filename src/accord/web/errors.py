"""Domain errors to HTTP, in one place."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from accord.errors import (
    AccordError,
    AlreadyExists,
    Forbidden,
    InputError,
    NotAuthenticated,
    NotFound,
    StoreError,
)

_STATUS: list[tuple[type[AccordError], int]] = [
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (AlreadyExists, 409),
    (InputError, 422),
    (StoreError, 422),
]


def status_for(error: AccordError) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 500


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AccordError)
    async def _accord_error(_request: Request, error: AccordError) -> JSONResponse:
        status = status_for(error)
        headers = {"WWW-Authenticate": 'Basic realm="accord", Bearer'} if status == 401 else None
        return JSONResponse(
            {"error": error.code, "message": str(error)}, status_code=status, headers=headers
        )
