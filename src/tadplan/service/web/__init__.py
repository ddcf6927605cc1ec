"""The clinic web app: server-rendered pages (Jinja2 + htmx) on the clinic service, the 3D
view (three.js) and the case editor's form mapping (:mod:`tadplan.service.web.forms`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Add the pages and ``/static`` to the service's app."""
    from tadplan.service.web.pages import install as install_pages

    install_pages(app)
