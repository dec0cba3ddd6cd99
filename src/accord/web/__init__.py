"""The node's web app: JSON API, OpenAPI docs and server-rendered pages."""

from accord.web.app import create_app

__all__ = ["create_app"]
