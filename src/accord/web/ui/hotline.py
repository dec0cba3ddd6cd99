"""The hotline, the Points-of-Contact directory and ping tests, as pages.

The same functions as `accord hotline`, `accord poc` and `accord ping`: messages are
signed with the organisation's key in the node's home, checked on reading, and every
action lands in the audit chain.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from accord.credentials import home_of, store_of
from accord.diplomacy.charts import hbar_chart_svg
from accord.errors import InputError, NotFound
from accord.hotline.directory import ROLES, Contact, add_contact, contacts
from accord.hotline.messages import (
    COMPOSED,
    TEMPLATES,
    acknowledge,
    compose,
    outbox,
    read_inbox,
    thread,
)
from accord.hotline.pings import OUTCOMES, round_report, rounds, start_round
from accord.store import Store
from accord.store.identity import Organisation, Principal, list_organisations
from accord.web.ui.base import page, signed_in

router = APIRouter(include_in_schema=False)

#: form fields that are yes/no rather than text
CHECKBOXES = ("critical_infrastructure",)


@router.get("/hotline", response_class=HTMLResponse)
def hotline(request: Request) -> HTMLResponse:
    caller = signed_in(request)
    store = store_of(request)
    received = read_inbox(store, home_of(request), caller.org)  # as `accord hotline inbox`
    return page(
        request,
        "hotline.html",
        caller,
        title="Hotline",
        received=list(reversed(received)),
        sent=list(reversed(outbox(store, caller.org))),
    )


@router.get("/hotline/compose", response_class=HTMLResponse)
def compose_form(
    request: Request,
    template: str = "incident-notification",
    to: str = "",
    in_reply_to: str = "",
) -> HTMLResponse:
    return _compose_page(request, template, {"to": to, "in_reply_to": in_reply_to}, None)


def _compose_page(
    request: Request, template: str, values: dict[str, Any], problem: str | None
) -> HTMLResponse:
    caller = signed_in(request)
    if template not in COMPOSED:
        template = COMPOSED[0]
    store = store_of(request)
    states = _partner_states(store, caller.org)
    with store.read() as connection:
        others = [o for o in list_organisations(connection) if o.id != caller.org.id]
    return page(
        request,
        "hotline_compose.html",
        caller,
        422 if problem else 200,
        title="Compose a hotline message",
        templates=COMPOSED,
        chosen=template,
        fields=TEMPLATES[template][0],
        checkboxes=CHECKBOXES,
        hours=TEMPLATES[template][1],
        states=states,
        others=others,
        values=values,
        problem=problem,
    )


@router.post("/hotline/compose", response_model=None)
async def compose_send(request: Request) -> HTMLResponse | RedirectResponse:
    data = await request.form()  # then signing and storing, off the event loop
    return await run_in_threadpool(_compose_send, request, data)


def _compose_send(request: Request, data: FormData) -> HTMLResponse | RedirectResponse:
    caller = signed_in(request)
    values = {key: str(value) for key, value in data.items()}
    template = values.get("template", "")
    try:
        sent = compose(
            store_of(request), home_of(request), caller.org, values.get("to", ""), template,
            _form_of(template, data), _split(values.get("references", "")),
            values.get("in_reply_to") or None, values.get("encrypt") == "on",
        )  # fmt: skip
    except (InputError, NotFound) as error:
        return _compose_page(request, template, values, str(error))
    return RedirectResponse(f"/hotline/{sent['id']}", status_code=303)


def _form_of(template: str, data: FormData) -> dict[str, Any]:
    """The template's fields from the posted form; yes/no fields as booleans."""
    fields = TEMPLATES[template][0] if template in TEMPLATES else ()
    form: dict[str, Any] = {}
    for name in fields:
        if name in CHECKBOXES:
            form[name] = data.get(f"form.{name}") == "on"
        else:
            form[name] = str(data.get(f"form.{name}", "")).strip()
    return form


@router.get("/hotline/{message_id}", response_class=HTMLResponse)
def message_thread(request: Request, message_id: str) -> HTMLResponse:
    caller = signed_in(request)
    messages = thread(store_of(request), caller.org, message_id, home=home_of(request))
    root = messages[0]
    incoming = root.message.get("to_ref") == caller.org.id
    acknowledged = any(
        r.message["template"] == "acknowledgement" and r.message["created_by_ref"] == caller.org.id
        for r in messages[1:]
    )
    return page(
        request,
        "hotline_thread.html",
        caller,
        title=f"Hotline: {root.message['template']}",
        root=root,
        messages=messages,
        can_answer=incoming and root.genuine and root.message["template"] != "acknowledgement",
        acknowledged=acknowledged,
    )


@router.post("/hotline/{message_id}/ack")
def acknowledge_page(request: Request, message_id: str) -> RedirectResponse:
    caller = signed_in(request)
    acknowledge(store_of(request), home_of(request), caller.org, message_id)
    return RedirectResponse(f"/hotline/{message_id}", status_code=303)


@router.get("/directory", response_class=HTMLResponse)
def directory(request: Request, state: str = "") -> HTMLResponse:
    return _directory_page(request, signed_in(request), state)


def _directory_page(
    request: Request,
    caller: Principal,
    state: str = "",
    problem: str | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    found = contacts(store_of(request), caller.org, state or None)
    found.sort(key=lambda c: (c.state, c.role, c.name))
    return page(request, "directory.html", caller, 422 if problem else 200,
                title="Points of contact", contacts=found, state=state, roles=ROLES,
                problem=problem, values=values or {})  # fmt: skip


@router.post("/directory", response_model=None)
def publish_contact(
    request: Request,
    name: Annotated[str, Form()],
    state: Annotated[str, Form()],
    role: Annotated[str, Form()],
    time_zone: Annotated[str, Form()] = "UTC",
    hours: Annotated[str, Form()] = "08:00-18:00",
    languages: Annotated[str, Form()] = "",
    channels: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    caller = signed_in(request)
    store = store_of(request)
    entry = Contact(
        name, state, role, caller.org.id, "", _split(languages), hours, time_zone,
        _split(channels),
    )  # fmt: skip
    try:
        add_contact(store, home_of(request), caller.org, entry)
    except InputError as error:
        values = {"name": name, "state": state, "role": role, "time_zone": time_zone,
                  "hours": hours, "languages": languages, "channels": channels}  # fmt: skip
        return _directory_page(request, caller, problem=str(error), values=values)
    return RedirectResponse("/directory", status_code=303)


def _partner_states(store: Store, org: Organisation) -> list[str]:
    """The states whose points of contact ``org`` can reach (its own aside)."""
    return sorted({c.state for c in contacts(store, org) if c.organisation_ref != org.id})


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@router.get("/pings", response_class=HTMLResponse)
def pings(request: Request) -> HTMLResponse:
    caller = signed_in(request)
    store = store_of(request)
    states = _partner_states(store, caller.org)
    held = list(reversed(rounds(store, caller.org)))
    return page(request, "pings.html", caller, title="Ping tests", rounds=held,
                states=states)  # fmt: skip


@router.post("/pings")
def start_ping_round(
    request: Request, state: Annotated[list[str] | None, Form()] = None
) -> RedirectResponse:
    caller = signed_in(request)
    round_id, _ = start_round(store_of(request), home_of(request), caller.org, state or None)
    return RedirectResponse(f"/pings/{round_id}", status_code=303)


@router.get("/pings/{round_id}", response_class=HTMLResponse)
def ping_round(request: Request, round_id: str) -> HTMLResponse:
    caller = signed_in(request)
    results = round_report(store_of(request), caller.org, round_id)
    times = {r.state: round(r.seconds) for r in results if r.seconds is not None}
    tally = {o: sum(r.outcome == o for r in results) for o in OUTCOMES}
    chart = hbar_chart_svg(times) if times else ""
    return page(request, "ping_round.html", caller, title="Ping round", round_id=round_id,
                results=results, tally=tally, chart=chart)  # fmt: skip
