"""A TAXII 2.1 client for federation: page through a peer's collection, post to it."""

from __future__ import annotations

import base64
import ssl
from dataclasses import dataclass
from functools import cache
from typing import Any

import certifi
import httpx
import orjson

from accord.errors import AccordError
from accord.taxii.media import TAXII


class PeerError(AccordError):
    """A peer answered with an error, or could not be reached."""

    code = "peer-error"

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.status = url, reason, status


@dataclass(frozen=True)
class ObjectsPage:
    objects: list[dict[str, Any]]
    more: bool
    next: str | None
    last_added: str | None  # X-TAXII-Date-Added-Last


def authorization(scheme: str, secret: str) -> str:
    """The Authorization header for a bearer token or ``user:password`` (basic)."""
    if scheme == "basic":
        return "Basic " + base64.b64encode(secret.encode()).decode()
    return f"Bearer {secret}"


@cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every client: loading the CA bundle costs more than
    a whole sync over loopback, and a node makes a client per peer per sync."""
    return ssl.create_default_context(cafile=certifi.where())  # what httpx trusts by default


class TaxiiClient:
    """One peer's API root, with our credentials there."""

    def __init__(self, api_root: str, auth_header: str, timeout: float = 120) -> None:
        self.api_root = api_root if api_root.endswith("/") else api_root + "/"
        self._http = httpx.Client(
            headers={"Accept": TAXII, "Authorization": auth_header},
            timeout=timeout,
            verify=_tls_context(),
        )

    def __enter__(self) -> TaxiiClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._http.close()

    def objects(
        self,
        collection: str,
        added_after: str | None = None,
        next_: str | None = None,
        limit: int = 1000,
    ) -> ObjectsPage:
        """One page of every version (match[version]=all) in date_added order."""
        params: dict[str, str | int] = {"match[version]": "all", "limit": limit}
        if added_after:
            params["added_after"] = added_after
        if next_:
            params["next"] = next_
        response = self._request("GET", f"collections/{collection}/objects/", params=params)
        body = response.json() if response.content else {}
        return ObjectsPage(
            objects=body.get("objects", []),
            more=bool(body.get("more", False)),
            next=body.get("next"),
            last_added=response.headers.get("X-TAXII-Date-Added-Last"),
        )

    def add_objects(self, collection: str, objects: list[dict[str, Any]]) -> dict[str, Any]:
        """POST an envelope; returns the status resource."""
        response = self._request(
            "POST",
            f"collections/{collection}/objects/",
            content=orjson.dumps({"objects": objects}),
            headers={"Content-Type": TAXII},
        )
        status: dict[str, Any] = response.json()
        return status

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = self.api_root + path
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise PeerError(url, f"unreachable: {exc}") from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("description") or response.text
            except ValueError:
                detail = response.text
            raise PeerError(url, f"HTTP {response.status_code}: {detail}", response.status_code)
        return response
