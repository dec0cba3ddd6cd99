"""The hotline: signed messages delivered between Accord nodes on loopback, beside the
limits, and a ping round over a 193-state federation.

    python benchmarks/hotline.py [--messages 300] [--batch 1000] [--nodes 2,10]
                                 [--states 193] [--hosts 2] [--quick]

A message counts as delivered when it is stored on the recipient's node and shows up,
verified genuine against the directory, in the recipient's inbox (``inbox()``).

Federations of 2 and 10 nodes, each node an ``accord serve`` process on 127.0.0.1 with
its own home and SQLite store, peered with every other (pull and push, as `accord peer
add --push-collection` sets up), the directory exchanged over federation beforehand:

  one at a time  --messages messages, round robin over every ordered pair of nodes: the
                 sender signs and stores it (``send``), syncs with the recipient's node
                 (``sync_all(only=...)``: pull, then push), and the recipient's inbox is
                 read until it shows the message genuine. Federation is otherwise what
                 the scheduler runs every ACCORD_SYNC_INTERVAL seconds (default 300); here
                 the sync runs at once, so the figures are the mechanism's cost, not the
                 wait for the next tick.
  batch          --batch messages spread over the same pairs: every node sends its share
                 and then syncs with all its peers (one scheduler tick, the nodes side by
                 side in threads); then every recipient reads its inbox once.

Beside them, in the same run: Ed25519 sign + verify of the same canonical message
(``cryptography``), a bare HTTP POST round trip (httpx, keep-alive, to a minimal
starlette app under uvicorn), and a minimal signed relay (sign, POST, verify the
signature against a known key, INSERT + COMMIT into SQLite with the store's pragmas).

The ping round: a secretariat and --states member states (193: one per UN member
state). Each node is a real uvicorn server on its own port with its own home, keys and
SQLite store, serving Accord's app (``create_app``); the secretariat is an ``accord
serve`` process, the states share --hosts host processes (many servers in one event loop
each) so that 194 nodes fit two cores. The secretariat peers with every state (push),
each state with the secretariat (push). Timed: the secretariat starts a round
(``start_round``), delivers it (``sync_all``: every peer, pull then push), every state's
duty officer reads the inbox, acknowledges (a signed acknowledgement) and syncs it back,
and ``round_report`` at the secretariat shows every state acknowledged.

Before anything is timed, each federation is settled: scheduler ticks (every node syncs
with all its peers) until one moves nothing. At the end the run counts, per federation,
the hotline messages a node holds that are neither from nor to it: there should be none.
"""

from __future__ import annotations

import argparse
import base64
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from accord.hotline.directory import Contact, add_contact
from accord.hotline.messages import MESSAGE, acknowledge, inbox, seen, send
from accord.hotline.pings import round_report, start_round
from accord.signing import canonical
from accord.taxii.federation import sync_all
from correlate import load, print_table
from nodes import (
    Node,
    Tick,
    checked,
    children_rss_mb,
    hosted,
    make_node,
    peer,
    served,
    server_port,
    settle,
    ticks_text,
)
from taxii import Run, machine, ms, say, serving

# The 193 UN member states (https://www.un.org/en/about-us/member-states), ISO 3166 codes.
_MEMBERS = (
    "AF AL DZ AD AO AG AR AM AU AT AZ BS BH BD BB BY BE BZ BJ BT BO BA BW BR BN BG BF BI CV "
    "KH CM CA CF TD CL CN CO KM CG CR CI HR CU CY CZ KP CD DK DJ DM DO EC EG SV GQ ER EE SZ "
    "ET FJ FI FR GA GM GE DE GH GR GD GT GN GW GY HT HN HU IS IN ID IR IQ IE IL IT JM JP JO "
    "KZ KE KI KW KG LA LV LB LS LR LY LI LT LU MG MW MY MV ML MT MH MR MU MX FM MC MN ME MA "
    "MZ MM NA NR NP NL NZ NI NE NG MK NO OM PK PW PA PG PY PE PH PL PT QA KR MD RO RU RW KN "
    "LC VC WS SM ST SA SN RS SC SL SG SK SI SB SO ZA SS ES LK SD SR SE CH SY TJ TH TL TG TO "
    "TT TN TR TM TV UG UA AE GB TZ US UY UZ VU VE VN YE ZM ZW"
)
UN_MEMBERS = _MEMBERS.split()
NOTICE = {"severity": "high", "observed_at": "2026-11-24T06:00:00Z"}


def publish(node: Node, state: str, share_with: list[Node]) -> None:
    contact = Contact(
        f"{state} duty officer",
        state,
        "technical",
        node.org.id,
        "",
        ["en"],
        "00:00-23:59",
        "UTC",
        [f"email:duty@{state.lower()}.example"],
    )
    add_contact(node.store, node.home, node.org, contact, [n.org.id for n in share_with])


# ---- the limits: Ed25519, a bare POST, a minimal signed relay


def sample_message() -> bytes:
    """The canonical content of a typical incident notification (what send signs)."""
    form = {"summary": "Wiper on the grid operator, message 000001", **NOTICE}
    message = {
        "type": MESSAGE,
        "spec_version": "2.1",
        "id": f"{MESSAGE}--{'0' * 8}-0000-5000-8000-{'0' * 12}",
        "created": "2026-11-24T06:30:00.000Z",
        "modified": "2026-11-24T06:30:00.000Z",
        "created_by_ref": f"identity--{'1' * 8}-1111-4111-8111-{'1' * 12}",
        "template": "incident-notification",
        "to_ref": f"identity--{'2' * 8}-2222-4222-8222-{'2' * 12}",
        "form": form,
        "deadline": "2026-11-25T06:30:00.000Z",
        "extensions": {
            "extension-definition--6e5d4c3b-2a19-4f8e-9d7c-6b5a4f3e2d1c": {
                "extension_type": "new-sdo"
            }
        },
    }
    return canonical(message)


def crypto_floor(count: int) -> Run:
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    body = sample_message()
    run = Run()
    start = time.perf_counter()
    for n in range(count):
        content = body + n.to_bytes(4, "big")
        begin = time.perf_counter()
        public.verify(key.sign(content), content)
        run.latencies.append(time.perf_counter() - begin)
    run.seconds, run.objects = time.perf_counter() - start, count
    return run


def bare_app(database: str, known_key: str) -> Any:
    """The baseline server: /echo answers 204; /relay verifies and stores a message."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    db = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
        db.execute(f"PRAGMA {pragma}")
    db.execute("CREATE TABLE IF NOT EXISTS message (id TEXT PRIMARY KEY, body TEXT NOT NULL)")
    verifier = Ed25519PublicKey.from_public_bytes(base64.b64decode(known_key))

    async def echo(request: Request) -> Response:
        await request.body()
        return Response(status_code=204)

    async def relay(request: Request) -> Response:
        message = orjson.loads(await request.body())
        signature = message.pop("signature")
        if signature["public_key"] != known_key:
            return Response(status_code=403)
        verifier.verify(base64.b64decode(signature["signature"]), canonical(message))
        message["signature"] = signature
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO message VALUES (?, ?)", (message["id"], orjson.dumps(message)))
        db.execute("COMMIT")
        return Response(status_code=201)

    return Starlette(
        routes=[Route("/echo", echo, methods=["POST"]), Route("/relay", relay, methods=["POST"])]
    )


def bare_limits(tmp: Path, count: int) -> tuple[Run, Run]:
    """A bare POST round trip, and the minimal signed relay, ``count`` requests each."""
    key = Ed25519PrivateKey.generate()
    known = base64.b64encode(key.public_key().public_bytes_raw()).decode()
    port = server_port()
    command = [sys.executable, __file__, "--serve-bare", str(port), str(tmp / "relay.db"), known]
    base = f"http://127.0.0.1:{port}"
    post, relay = Run(), Run()
    message = orjson.loads(sample_message())
    with (
        serving(command, f"{base}/echo", tmp / "bare.log"),
        httpx.Client(timeout=30) as client,
    ):
        body = orjson.dumps(message | {"signature": {"public_key": known, "signature": "x" * 88}})

        def bare_post(_n: int) -> None:
            assert client.post(f"{base}/echo", content=body).status_code == 204

        def relay_one(n: int) -> None:
            mine = message | {"id": f"{MESSAGE}--{n:+036d}", "form": {**message["form"], "n": n}}
            signature = base64.b64encode(key.sign(canonical(mine))).decode()
            mine["signature"] = {"public_key": known, "signature": signature}
            assert client.post(f"{base}/relay", content=orjson.dumps(mine)).status_code == 201

        for run, send_one in ((post, bare_post), (relay, relay_one)):
            for n in range(20):  # warm the connection and the server
                send_one(-n - 1)
            start = time.perf_counter()
            for n in range(count):
                begin = time.perf_counter()
                send_one(n)
                run.latencies.append(time.perf_counter() - begin)
            run.seconds, run.objects = time.perf_counter() - start, count
    return post, relay


# ---- delivery between 2 and 10 nodes


def federation(tmp: Path, size: int) -> list[Node]:
    """``size`` nodes, each peered with every other, the directory not exchanged yet."""
    nodes = [make_node(tmp, f"n{i:02d}") for i in range(size)]
    for a in nodes:
        for b in nodes:
            if a is not b:
                peer(a, b)
    for node, state in zip(nodes, UN_MEMBERS, strict=False):
        publish(node, state, [n for n in nodes if n is not node])
    return nodes


def pairs(nodes: list[Node]) -> list[tuple[Node, Node]]:
    return [(a, b) for a in nodes for b in nodes if a is not b]


def notice(n: int) -> dict[str, Any]:
    return {"summary": f"Wiper on the grid operator, message {n:06d}", **NOTICE}


@dataclass
class Stages:
    send: list[float] = field(default_factory=list)
    sync: list[float] = field(default_factory=list)
    inbox: list[float] = field(default_factory=list)
    pulled: int = 0
    pushed: int = 0


def genuine_in_inbox(node: Node, wanted: set[str], timeout: float = 30) -> float:
    """Read the inbox until every id in ``wanted`` is there, genuine; when it was."""
    deadline = time.perf_counter() + timeout
    while True:
        got = {r.message["id"] for r in inbox(node.store, node.org) if r.genuine}
        if wanted <= got:
            return time.perf_counter()
        assert time.perf_counter() < deadline, f"{len(wanted - got)} never reached {node.name}"
        time.sleep(0.005)


def notify(sender: Node, recipient: Node, n: int) -> dict[str, Any]:
    """Notification number ``n`` from ``sender`` to ``recipient``'s organisation, signed and
    stored at the sender's node."""
    return send(sender.store, sender.home, sender.org, recipient.org.id,
                "incident-notification", notice(n))  # fmt: skip


def one_at_a_time(nodes: list[Node], count: int, first: int) -> tuple[Run, Stages]:
    run, stages = Run(), Stages()
    order = pairs(nodes)
    start = time.perf_counter()
    for n in range(count):
        sender, recipient = order[n % len(order)]
        begin = time.perf_counter()
        message = notify(sender, recipient, first + n)
        sent = time.perf_counter()
        (report,) = checked(sync_all(sender.store, sender.org, only=recipient.name))
        synced = time.perf_counter()
        assert report.pushed >= 1, report
        done = genuine_in_inbox(recipient, {message["id"]})
        run.latencies.append(done - begin)
        stages.send.append(sent - begin)
        stages.sync.append(synced - sent)
        stages.inbox.append(done - synced)
        stages.pulled += report.pulled
        stages.pushed += report.pushed
    run.seconds, run.objects = time.perf_counter() - start, count
    return run, stages


def batch(nodes: list[Node], count: int, first: int) -> Run:
    """Every node sends its share and runs one sync with all peers, side by side."""
    order = pairs(nodes)
    plan: dict[str, list[tuple[int, Node]]] = {n.name: [] for n in nodes}
    for n in range(count):
        sender, recipient = order[n % len(order)]
        plan[sender.name].append((first + n, recipient))
    began: dict[str, float] = {}
    expected: dict[str, set[str]] = {n.name: set() for n in nodes}

    def tick(node: Node) -> None:
        for n, recipient in plan[node.name]:
            began_at = time.perf_counter()
            message = notify(node, recipient, n)
            began[message["id"]] = began_at
            expected[recipient.name].add(message["id"])
        checked(sync_all(node.store, node.org))

    run = Run()
    start = time.perf_counter()
    with ThreadPoolExecutor(len(nodes)) as pool:
        list(pool.map(tick, nodes))
        done = list(pool.map(lambda r: genuine_in_inbox(r, expected[r.name]), nodes))
    run.seconds, run.objects = time.perf_counter() - start, count
    for node, at in zip(nodes, done, strict=True):
        run.latencies += [at - began[m] for m in expected[node.name]]
    return run


def inbox_read(node: Node) -> tuple[int, float]:
    """How many messages the node's inbox holds, and how long one read of it takes."""
    begin = time.perf_counter()
    held = len(inbox(node.store, node.org))
    return held, time.perf_counter() - begin


def third_party_copies(nodes: list[Node]) -> int:
    """Hotline messages held on a node that are neither from nor to its organisation."""
    return sum(
        1
        for node in nodes
        for m in seen(node.store, node.org)
        if node.org.id not in (m["created_by_ref"], m.get("to_ref"))
    )


@dataclass
class Delivery:
    size: int
    single: Run
    stages: Stages
    batch: Run
    copies: int
    inbox: tuple[int, float]  # the largest inbox at the end: messages, seconds to read it
    rss_mb: float  # the servers, at the end
    settling: list[Tick]


def deliveries(tmp: Path, size: int, count: int, batch_count: int) -> Delivery:
    say(f"{size} nodes: setting up (accord serve each, full mesh, push)")
    nodes = federation(tmp / f"mesh{size}", size)
    try:
        with served(nodes):
            settling = settle(nodes)
            say(f"{size} nodes: {count} messages one at a time")
            single, stages = one_at_a_time(nodes, count, 0)
            say(f"{size} nodes: a batch of {batch_count}")
            many = batch(nodes, batch_count, count)
            copies = third_party_copies(nodes)
            biggest = max((inbox_read(n) for n in nodes), key=lambda read: read[0])
            rss = children_rss_mb()
    finally:
        for node in nodes:
            node.store.close()
    return Delivery(size, single, stages, many, copies, biggest, rss, settling)


# ---- the ping round: a secretariat and 193 states


TOTAL = "total: from start_round to every acknowledgement back at the secretariat"


@dataclass
class PingRound:
    states: int
    hosts: int
    setup: float
    settling: list[Tick]
    phases: dict[str, float]
    acked: int
    slowest_state: float  # seconds from a state's inbox read to its ack being pushed
    copies: int
    rss_mb: float


def ping_round(tmp: Path, count: int, hosts: int, workers: int) -> PingRound:
    root = tmp / "un"
    say(f"ping round: setting up a secretariat and {count} states")
    start = time.perf_counter()
    secretariat = make_node(root, "secretariat")
    states = [make_node(root, code) for code in UN_MEMBERS[:count]]
    for state in states:
        peer(secretariat, state)
        peer(state, secretariat)
        publish(state, state.name, [secretariat])
    publish(secretariat, "US", states)  # the secretariat sits in New York
    setup = time.perf_counter() - start
    phases: dict[str, float] = {}
    try:
        with served([secretariat]), hosted(root, states, hosts):
            say(f"{count + 1} nodes up; ticks until the federation settles")
            settling = settle([secretariat, *states])

            say("the round")
            begin = time.perf_counter()
            round_id, pinged = start_round(secretariat.store, secretariat.home, secretariat.org)
            assert len(pinged) == count, len(pinged)
            phases["send: start_round signs and stores a ping to each state"] = (
                time.perf_counter() - begin
            )
            mark = time.perf_counter()
            reports = checked(sync_all(secretariat.store, secretariat.org))
            assert sum(r.pushed for r in reports) >= count
            phases["deliver: the secretariat's sync_all, every state pulled from and pushed to"] = (
                time.perf_counter() - mark
            )
            mark = time.perf_counter()

            def answer(state: Node) -> float:
                began = time.perf_counter()
                ping = next(
                    r
                    for r in inbox(state.store, state.org)
                    if r.message["to_ref"] == state.org.id
                    and r.message["form"].get("round") == round_id
                )
                assert ping.genuine, ping.reason
                acknowledge(state.store, state.home, state.org, ping.message["id"])
                (report,) = checked(sync_all(state.store, state.org, only=secretariat.name))
                assert report.pushed >= 1
                return time.perf_counter() - began

            with ThreadPoolExecutor(workers) as pool:
                took = list(pool.map(answer, states))
            phases[
                f"acknowledge: each state reads its inbox, signs an ack, syncs it back "
                f"({workers} at a time)"
            ] = time.perf_counter() - mark
            mark = time.perf_counter()
            results = round_report(secretariat.store, secretariat.org, round_id)
            acked = sum(r.outcome == "acknowledged" for r in results)
            assert acked == count, [r for r in results if r.outcome != "acknowledged"][:3]
            phases["report: round_report at the secretariat, every state acknowledged"] = (
                time.perf_counter() - mark
            )
            phases[TOTAL] = time.perf_counter() - begin
            copies = third_party_copies(states)
            rss = children_rss_mb()
    finally:
        for node in (secretariat, *states):
            node.store.close()
    return PingRound(count, hosts, setup, settling, phases, acked, max(took), copies, rss)


# ---- report


def row(
    name: str, nodes: str, run: Run, bounds: tuple[float, float] | None, note: str
) -> list[str]:
    """A table row; ``bounds``: the relay's p50 and the floor, to divide our p50 by."""
    p50 = run.percentile(0.5) or 0.0
    ratios = [f"{p50 / bound:,.0f}×" for bound in bounds] if bounds else ["", ""]
    figures = [f"{run.objects:,}", ms(p50), ms(run.percentile(0.99)), f"{run.rate:,.0f}"]
    return [name, nodes, *figures, *ratios, note]


def report(
    crypto: Run, post: Run, relay: Run, meshes: list[Delivery], ping: PingRound | None
) -> None:
    floor = (crypto.percentile(0.5) or 0) + (post.percentile(0.5) or 0)
    bounds = (relay.percentile(0.5) or 0, floor)
    rows = [
        row("limit: Ed25519 sign + verify (`cryptography`)", "", crypto, None, "per pair"),
        row(
            "limit: bare HTTP POST (httpx keep-alive → uvicorn/starlette, 204)",
            "",
            post,
            None,
            "message-sized body",
        ),
        row(
            "baseline: minimal signed relay: sign, POST, verify, SQLite INSERT + COMMIT",
            "",
            relay,
            None,
            f"floor = sign+verify + POST p50 = {floor * 1000:.2f} ms",
        ),
    ]
    for mesh in meshes:
        rows.append(
            row(
                "Accord, one at a time: send → sync_all(only=recipient) → inbox",
                str(mesh.size),
                mesh.single,
                bounds,
                f"largest inbox at the end: {mesh.inbox[0]:,} messages, "
                f"inbox() {mesh.inbox[1] * 1000:,.1f} ms",
            )
        )
        rows.append(
            row(
                "Accord, batch: every node sends, one sync_all tick, inbox once",
                str(mesh.size),
                mesh.batch,
                bounds,
                f"{mesh.batch.seconds:,.1f} s for the batch",
            )
        )
    headers = [
        "path",
        "nodes",
        "messages",
        "p50 ms",
        "p99 ms",
        "messages/s",
        "p50 ÷ relay",
        "p50 ÷ floor",
        "note",
    ]
    print_table("Delivery: stored on the recipient's node, genuine in its inbox", headers, rows)
    if meshes:
        stage_rows = []
        for mesh in meshes:
            total = sum(mesh.single.latencies)
            stages = mesh.stages
            for name, values in (
                ("send: sign, store with its audit entry", stages.send),
                ("sync_all(only=recipient): pull, then push", stages.sync),
                ("inbox() until genuine", stages.inbox),
            ):
                took = Run(latencies=values)
                stage_rows.append(
                    [
                        name,
                        str(mesh.size),
                        ms(took.percentile(0.5)),
                        ms(took.percentile(0.99)),
                        f"{sum(values) / total:.0%}",
                    ]
                )
            per = len(stages.sync)
            stage_rows.append(
                [
                    f"objects per sync: {stages.pulled / per:.1f} pulled (back), "
                    f"{stages.pushed / per:.1f} pushed",
                    str(mesh.size),
                    "",
                    "",
                    "",
                ]
            )
        print_table(
            "Where a message's time goes (one at a time)",
            ["stage", "nodes", "p50 ms", "p99 ms", "share"],
            stage_rows,
        )
    feds = [(f"{m.size} nodes, full mesh", m.settling, m.copies, m.rss_mb) for m in meshes]
    if ping is not None:
        feds.append(
            (f"secretariat + {ping.states} states, star", ping.settling, ping.copies, ping.rss_mb)
        )
    print_table(
        "The federations",
        [
            "federation",
            "ticks to settle",
            "seconds settling",
            "hotline messages held by a third node",
            "servers' RSS MB at the end",
        ],
        [
            [
                name,
                str(len(ticks)),
                f"{sum(t[0] for t in ticks):,.1f}",
                f"{copies:,}",
                f"{rss:,.0f}",
            ]
            for name, ticks, copies, rss in feds
        ],
    )
    for name, ticks, _, _ in feds:
        print(f"{name}, ticks before the measurements: {ticks_text(ticks)}")
    if ping is None:
        return
    messages = 2 * ping.states  # a ping and its acknowledgement per state
    total = ping.phases[TOTAL]
    ping_rows = [[name, f"{seconds:,.2f}", ""] for name, seconds in ping.phases.items()]
    ping_rows.append(
        [
            "baseline: the same 2 × N messages through the minimal relay, in turn",
            f"{messages * bounds[0]:,.2f}",
            f"total ÷ it: {total / (messages * bounds[0]):,.0f}×",
        ]
    )
    ping_rows.append(
        [
            "floor: 2 × N × (sign+verify + POST), in turn",
            f"{messages * floor:,.2f}",
            f"total ÷ it: {total / (messages * floor):,.0f}×",
        ]
    )
    print_table(
        f"Ping round: a secretariat and {ping.states} states ({ping.states + 1} uvicorn "
        f"servers on 127.0.0.1; the states in {ping.hosts} host processes)",
        ["phase", "seconds", "note"],
        ping_rows,
    )
    print(
        f"Not timed above: set-up (nodes, peers, tokens, directory entries) {ping.setup:,.1f} s; "
        f"settling {sum(t[0] for t in ping.settling):,.1f} s. "
        f"{ping.acked} of {ping.states} acknowledged; the slowest state's read, acknowledge "
        f"and sync took {ping.slowest_state * 1000:,.0f} ms."
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=300, help="one at a time, per federation")
    parser.add_argument("--batch", type=int, default=1000, help="messages in the batch")
    parser.add_argument("--nodes", default="2,10", help="federation sizes (accord serve each)")
    parser.add_argument(
        "--states", type=int, default=193, help="states in the ping round (0: none)"
    )
    parser.add_argument("--hosts", type=int, default=2, help="processes serving the states")
    parser.add_argument("--workers", type=int, default=4, help="states acknowledging at once")
    parser.add_argument("--limit-count", type=int, default=2000, help="requests per limit")
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script")
    parser.add_argument("--serve-bare", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        import uvicorn

        port, database, known = args.serve_bare
        uvicorn.run(
            bare_app(database, known), host="127.0.0.1", port=int(port), log_level="warning"
        )
        return
    if args.quick:
        args.messages, args.batch, args.states, args.limit_count = 40, 100, 20, 300
    assert len(UN_MEMBERS) == len(set(UN_MEMBERS)) == 193
    assert args.states <= len(UN_MEMBERS)
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    # taxii's machine line, with the peers of this benchmark instead of medallion
    print(
        f"{machine().rsplit(', medallion', 1)[0]}, uvicorn {version('uvicorn')}, "
        f"cryptography {version('cryptography')}",
        flush=True,
    )
    start, begun = time.perf_counter(), load()
    with tempfile.TemporaryDirectory(prefix="accord-hotline-bench-") as name:
        tmp = Path(name)
        say(f"limits: {args.limit_count} Ed25519 sign+verify, bare POSTs, relayed messages")
        crypto = crypto_floor(args.limit_count)
        post, relay = bare_limits(tmp, args.limit_count)
        meshes = [
            deliveries(tmp, int(size), args.messages, args.batch)
            for size in args.nodes.split(",")
            if size
        ]
        ping = ping_round(tmp, args.states, args.hosts, args.workers) if args.states else None
    print(
        f"\nran in {time.perf_counter() - start:,.0f} s; load average at the start {begun}, "
        f"at the end {load()}"
    )
    report(crypto, post, relay, meshes, ping)


if __name__ == "__main__":
    main()
