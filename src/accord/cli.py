"""The ``accord`` command. Each subcommand is thin: it parses, calls a module, prints."""

from __future__ import annotations

import itertools
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from accord import audit
from accord.attribution import load_attack
from accord.attribution.assess import Assessment, Assessor
from accord.attribution.evidence import parse_evidence
from accord.attribution.navigator import navigator_layer
from accord.attribution.report import ASSESSMENT, assessment_objects
from accord.attribution.sources import assessor_for
from accord.config import LoadedSettings, describe, load_settings, retention_window
from accord.correlate.graph import build_graph
from accord.correlate.inputs import INPUT_FORMATS, observed_in, parse_mapping
from accord.correlate.logs import SkipReport
from accord.correlate.run import CorrelationReport, catch_up, correlate
from accord.demo import prepare_demo
from accord.diplomacy.analytics import analytics
from accord.diplomacy.assessment import assess as assess_incident
from accord.diplomacy.assessment import catalogue
from accord.diplomacy.brief import brief_html, brief_pdf, build_brief
from accord.diplomacy.pages import analytics_html
from accord.diplomacy.registry import import_incidents, incident, incidents
from accord.diplomacy.statements import (
    STATEMENT,
    answers,
    draft_statement,
    party_keys,
    publish,
    respond,
    verify_statement,
)
from accord.errors import (
    AccordError,
    BatchRejected,
    ConfigError,
    InvalidObject,
    MalformedInput,
    NotFound,
)
from accord.hotline.directory import Contact, add_contact, contacts
from accord.hotline.messages import (
    COMPOSED,
    Received,
    acknowledge,
    compose,
    escalate,
    outbox,
    read_inbox,
)
from accord.hotline.pings import ping_html, round_report, rounds, start_round
from accord.node import HOME_ORG_SETTING, home_organisation, open_node_store
from accord.signing import fingerprint
from accord.stix.reader import expand_sources
from accord.stix.timestamps import normalize_timestamp
from accord.stix.tlp import Tlp
from accord.store import (
    AccessGate,
    ImportOptions,
    ImportReport,
    ObjectQuery,
    Store,
    Viewer,
    import_file,
    import_objects,
    visible,
)
from accord.store import identity as ids
from accord.store.exporting import write_bundle
from accord.store.reading import ALL, LAST
from accord.taxii.collections import (
    Rights,
    add_collection,
    get_collection,
    grant,
    list_collections,
)
from accord.taxii.federation import add_peer, list_peers, received_count, sync_all
from accord.web.server import serve

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help=__doc__, pretty_exceptions_enable=False
)
orgs_app = typer.Typer(no_args_is_help=True, help="Organisations (STIX identities) on this node.")
communities_app = typer.Typer(no_args_is_help=True, help="Sharing communities (TLP:GREEN).")
users_app = typer.Typer(no_args_is_help=True, help="Users (argon2-hashed passwords).")
tokens_app = typer.Typer(no_args_is_help=True, help="API tokens (stored hashed, shown once).")
attack_app = typer.Typer(no_args_is_help=True, help="MITRE ATT&CK knowledge base.")
collections_app = typer.Typer(
    no_args_is_help=True, help="TAXII collections: filtered views over the store."
)
peers_app = typer.Typer(no_args_is_help=True, help="Federation peers (other nodes, over TAXII).")
correlate_app = typer.Typer(help="Correlate logs with shared indicators; the correlation graph.")
incidents_app = typer.Typer(
    no_args_is_help=True, help="Cyber incidents, their attributions and responses."
)
app.add_typer(orgs_app, name="orgs")
app.add_typer(communities_app, name="communities")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(attack_app, name="attack")
app.add_typer(collections_app, name="collections")
app.add_typer(peers_app, name="peers")
app.add_typer(correlate_app, name="correlate")
app.add_typer(incidents_app, name="incidents")
statements_app = typer.Typer(
    no_args_is_help=True, help="Joint attribution statements, co-signed with Ed25519."
)
app.add_typer(statements_app, name="statements")
audit_app = typer.Typer(no_args_is_help=True, help="The tamper-evident audit chain.")
poc_app = typer.Typer(no_args_is_help=True, help="The Points-of-Contact directory.")
hotline_app = typer.Typer(no_args_is_help=True, help="Signed hotline messages between states.")
app.add_typer(poc_app, name="poc")
app.add_typer(hotline_app, name="hotline")
ping_app = typer.Typer(no_args_is_help=True, help="Ping tests of the points of contact.")
app.add_typer(ping_app, name="ping")
app.add_typer(audit_app, name="audit")

out = Console()
err = Console(stderr=True)

OrgOption = Annotated[
    str | None, typer.Option("--org", help="Organisation acting (default: the node's own).")
]
# Show a progress bar for sources larger than this, or always on a terminal.
PROGRESS_MIN_BYTES = 5 * 1024 * 1024


def settings() -> LoadedSettings:
    return load_settings()


@contextmanager
def node_store() -> Iterator[Store]:
    store = open_node_store(settings().settings)
    try:
        yield store
    finally:
        store.close()


def acting_org(store: Store, connection: Connection, name: str | None) -> ids.Organisation:
    """The organisation named, or the node's own."""
    if name:
        return ids.get_organisation(connection, name)
    return home_organisation(store, connection)


@contextmanager
def acting_store(name: str | None) -> Iterator[tuple[Store, ids.Organisation]]:
    """The node's store, and the organisation acting (named, or the node's own)."""
    with node_store() as store:
        with store.read() as connection:
            acting = acting_org(store, connection, name)
        yield store, acting


@app.command("config")
def config_command() -> None:
    """Print the effective settings and where each came from."""
    table = Table("setting", "value", "from", "meaning")
    for row in describe(settings()):
        table.add_row(*row)
    out.print(table)


@app.command("init")
def init_command(
    org: Annotated[
        str | None, typer.Option(help="Create this organisation as the node's own.")
    ] = None,
) -> None:
    """Create (or migrate) the store; optionally create the node's own organisation."""
    with node_store() as store:
        if org:
            with store.write() as connection:
                created = ids.add_organisation(connection, org)
                store.set_setting(connection, HOME_ORG_SETTING, created.id)
            out.print(f"organisation {org!r} is {created.id}")
        out.print(f"store ready: {settings().settings.effective_database_url}")


@app.command("import")
def import_command(
    paths: Annotated[list[str], typer.Argument(help="Files, directories, or - for stdin.")],
    org: OrgOption = None,
    recipient: Annotated[
        list[str] | None, typer.Option(help="Also give the objects to this organisation.")
    ] = None,
    community: Annotated[
        list[str] | None,
        typer.Option(help="Share TLP:GREEN with this community (default: the org's own)."),
    ] = None,
    tlp: Annotated[
        str | None, typer.Option(help="TLP level for objects that carry no TLP marking.")
    ] = None,
    skip_invalid: Annotated[
        bool, typer.Option(help="Store the valid objects; write the rejects to --rejects.")
    ] = False,
    rejects: Annotated[
        Path, typer.Option(help="Where --skip-invalid writes rejects (JSON lines).")
    ] = Path("accord-rejects.jsonl"),
    upgrade_stix20: Annotated[
        bool, typer.Option("--upgrade-stix20", help="Upgrade STIX 2.0 objects to 2.1 first.")
    ] = False,
) -> None:
    """Validate and store STIX 2.1 objects (bundles, JSON arrays or JSON lines)."""
    with node_store() as store:
        options = _import_options(store, org, recipient or [], community, tlp, skip_invalid)
        reports: list[ImportReport] = []
        failed: list[BatchRejected] = []
        for source in expand_sources(paths):
            try:
                reports.append(_import_source(store, source, options, upgrade_stix20))
            except BatchRejected as rejected:
                failed.append(rejected)
                _print_rejection(rejected)
        if skip_invalid:
            _write_rejects(reports, rejects)
        _print_summary(reports, failed)
        if any(r.stored for r in reports):
            _catch_up(store, options.org)
        if failed:
            raise typer.Exit(1)


def _catch_up(store: Store, org: ids.Organisation) -> None:
    """New indicators meet the organisation's retained observations at once."""
    report = catch_up(store, org)
    if report.sightings:
        err.print(
            f"{len(report.sightings)} new sightings: indicators just imported match "
            "retained observations",
            highlight=False,
        )


def _import_options(
    store: Store,
    org: str | None,
    recipients: list[str],
    communities: list[str] | None,
    tlp: str | None,
    skip_invalid: bool,
) -> ImportOptions:
    with store.read() as connection:
        acting = acting_org(store, connection, org)
        recipient_ids = frozenset(ids.get_organisation(connection, r).id for r in recipients)
        community_ids = (
            None
            if communities is None
            else frozenset(ids.get_community(connection, c) for c in communities)
        )
    try:
        unmarked = Tlp.parse(tlp) if tlp else None
    except ValueError as exc:
        raise ConfigError("--tlp", str(exc)) from None
    return ImportOptions(acting, recipient_ids, community_ids, unmarked, skip_invalid)


def _import_source(
    store: Store, source: str, options: ImportOptions, upgrade_stix20: bool
) -> ImportReport:
    if source == "-":
        with _spooled_stdin() as path:
            return _import_path(store, path, options, upgrade_stix20, "<stdin>")
    return _import_path(store, source, options, upgrade_stix20, source)


@contextmanager
def _spooled_stdin() -> Iterator[str]:
    """Standard input copied to a temporary file, which the importer can read twice."""
    with tempfile.NamedTemporaryFile(prefix="accord-stdin-", suffix=".json") as spool:
        shutil.copyfileobj(sys.stdin.buffer, spool)
        spool.flush()
        yield spool.name


def _import_path(
    store: Store, path: str, options: ImportOptions, upgrade_stix20: bool, name: str
) -> ImportReport:
    size = Path(path).stat().st_size if Path(path).is_file() else 0
    if size < PROGRESS_MIN_BYTES and not err.is_terminal:
        return import_file(store, path, options, None, upgrade_stix20, name)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(Path(name).name, total=size or None)
        return import_file(
            store,
            path,
            options,
            lambda done: bar.update(task, completed=done),
            upgrade_stix20,
            name,
        )


def _print_rejection(rejected: BatchRejected) -> None:
    err.print(f"[red]{rejected.source}: rejected, nothing stored from it[/red]", highlight=False)
    for error in rejected.errors:
        err.print(f"  {error}", highlight=False, markup=False)


def _write_rejects(reports: list[ImportReport], path: Path) -> None:
    records = [reject.as_record(r.source) for r in reports for reject in r.rejects]
    if not records:
        return
    with path.open("wb") as stream:
        for record in records:
            stream.write(orjson.dumps(record) + b"\n")
    err.print(f"{len(records)} rejected objects written to {path}", highlight=False)


def _print_summary(reports: list[ImportReport], failed: list[BatchRejected]) -> None:
    table = Table("source", "new objects", "new versions", "unchanged", "rejected")
    totals = [0, 0, 0, 0]
    for report in reports:
        counts = [report.new_objects, report.new_versions, report.unchanged, report.rejected]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        table.add_row(report.source, *map(str, counts))
    for rejected in failed:
        table.add_row(rejected.source, "0", "0", "0", f"all ({len(rejected.errors)} errors)")
    table.add_row("[b]total[/b]", *map(str, totals))
    out.print(table)


def _timestamp(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalize_timestamp(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command("export")
def export_command(
    org: OrgOption = None,
    type_: Annotated[
        list[str] | None, typer.Option("--type", help="Only objects of this type.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Only versions added at or after this RFC 3339 time.", callback=_timestamp
        ),
    ] = None,
    all_versions: Annotated[bool, typer.Option(help="Every version, not only the latest.")] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="File (default: stdout).")] = None,
) -> None:
    """Write a STIX 2.1 bundle of what the organisation may see."""
    query = ObjectQuery(
        types=type_ or [], added_since=since, versions=(ALL,) if all_versions else (LAST,)
    )
    with acting_store(org) as (store, viewer):
        if out_file is None:
            count = write_bundle(store, viewer, sys.stdout.buffer, query)
        else:
            with out_file.open("wb") as stream:
                count = write_bundle(store, viewer, stream, query)
        err.print(f"exported {count} objects", highlight=False)


@orgs_app.command("add")
def orgs_add(
    name: str,
    home: Annotated[bool, typer.Option(help="Make it the node's own organisation.")] = False,
    identity_id: Annotated[
        str | None,
        typer.Option("--id", help="Its identity id on its own node (an organisation of a peer)."),
    ] = None,
) -> None:
    """Create an organisation (and its STIX identity, unless it lives on another node)."""
    with node_store() as store, store.write() as connection:
        created = ids.add_organisation(connection, name, identity_id)
        if home:
            store.set_setting(connection, HOME_ORG_SETTING, created.id)
    out.print(f"{name}: {created.id}", highlight=False)


@orgs_app.command("list")
def orgs_list() -> None:
    """List the organisations on this node."""
    with node_store() as store, store.read() as connection:
        home_id = store.get_setting(connection, HOME_ORG_SETTING)
        table = Table("name", "identity", "")
        for org in ids.list_organisations(connection):
            table.add_row(org.name, org.id, "node's own" if org.id == home_id else "")
    out.print(table)


@orgs_app.command("add-client")
def orgs_add_client(org: str, client: str) -> None:
    """Make CLIENT a client of ORG: TLP:AMBER given to ORG reaches CLIENT."""
    with node_store() as store, store.write() as connection:
        ids.add_client(
            connection,
            ids.get_organisation(connection, org),
            ids.get_organisation(connection, client),
        )


@communities_app.command("add")
def communities_add(name: str, description: str = "") -> None:
    """Create a sharing community."""
    with node_store() as store, store.write() as connection:
        ids.add_community(connection, name, description)


@communities_app.command("join")
def communities_join(name: str, org: str) -> None:
    """Add an organisation to a community."""
    with node_store() as store, store.write() as connection:
        ids.join_community(
            connection, ids.get_community(connection, name), ids.get_organisation(connection, org)
        )


@communities_app.command("list")
def communities_list() -> None:
    """List communities and their members."""
    with node_store() as store, store.read() as connection:
        table = Table("community", "members")
        for name, members in ids.list_communities(connection):
            table.add_row(name, ", ".join(members))
    out.print(table)


@users_app.command("add")
def users_add(
    username: str,
    org: Annotated[str, typer.Option("--org", help="The user's organisation.")],
    admin: Annotated[bool, typer.Option(help="Administrator of this node.")] = False,
) -> None:
    """Create a user with a generated password, printed once."""
    with node_store() as store, store.write() as connection:
        password = ids.add_user(
            connection, username, ids.get_organisation(connection, org), is_admin=admin
        )
    out.print(f"user {username}: password {password} (shown once)", highlight=False)


@users_app.command("reset-password")
def users_reset_password(username: str) -> None:
    """Give a user a new generated password, printed once."""
    with node_store() as store, store.write() as connection:
        password = ids.set_password(connection, username)
    out.print(f"user {username}: password {password} (shown once)", highlight=False)


@tokens_app.command("create")
def tokens_create(
    org: Annotated[str, typer.Option("--org", help="Organisation the token acts for.")],
    label: str = "",
    user: Annotated[str | None, typer.Option(help="User the token belongs to.")] = None,
) -> None:
    """Create an API token, printed once (only its hash is stored)."""
    with node_store() as store, store.write() as connection:
        token = ids.create_token(connection, ids.get_organisation(connection, org), label, user)
    out.print(token, highlight=False)


@attack_app.command("load")
def attack_load(
    path: Annotated[
        Path | None, typer.Argument(help="enterprise-attack.json (default: v15).")
    ] = None,
    org: OrgOption = None,
) -> None:
    """Load MITRE ATT&CK enterprise (TLP:CLEAR) into the store."""
    with acting_store(org) as (store, acting):
        report = load_attack(store, acting, path)
    _print_summary([report], [])


def _rights_table(grants: dict[str, Rights], names: dict[str, str]) -> str:
    return ", ".join(
        f"{names.get(org, org)} ({'r' if r.can_read else ''}{'w' if r.can_write else ''})"
        for org, r in sorted(grants.items(), key=lambda item: names.get(item[0], item[0]))
    )


@collections_app.command("add")
def collections_add(
    title: str,
    alias: Annotated[str | None, typer.Option(help="Short name usable in URLs.")] = None,
    description: str = "",
    type_: Annotated[
        list[str] | None, typer.Option("--type", help="Only objects of this type.")
    ] = None,
    community: Annotated[
        list[str] | None, typer.Option(help="Only objects given to this community.")
    ] = None,
    tlp_ceiling: Annotated[
        str | None, typer.Option(help="Most restrictive TLP the collection shows.")
    ] = None,
    creator: Annotated[
        str | None, typer.Option(help="Only objects created by this organisation.")
    ] = None,
    read: Annotated[list[str] | None, typer.Option(help="Organisation that may read.")] = None,
    write: Annotated[list[str] | None, typer.Option(help="Organisation that may write.")] = None,
) -> None:
    """Create a TAXII collection (a view over the store) and grant rights on it."""
    try:
        ceiling = Tlp.parse(tlp_ceiling) if tlp_ceiling else None
    except ValueError as exc:
        raise ConfigError("--tlp-ceiling", str(exc)) from None
    with node_store() as store, store.write() as connection:
        created = add_collection(
            connection,
            title,
            description=description,
            alias=alias,
            types=tuple(type_ or ()),
            tlp_ceiling=ceiling,
            creator=ids.get_organisation(connection, creator).id if creator else None,
            communities=tuple(ids.get_community(connection, c) for c in community or ()),
        )
        readers, writers = set(read or ()), set(write or ())
        for name in sorted(readers | writers):
            org = ids.get_organisation(connection, name)
            grant(connection, created, org.id, Rights(name in readers, name in writers))
    out.print(created.id, highlight=False)


@collections_app.command("grant")
def collections_grant(
    collection: Annotated[str, typer.Argument(help="Collection id or alias.")],
    org: str,
    read: Annotated[bool, typer.Option(help="May read.")] = True,
    write: Annotated[bool, typer.Option(help="May write.")] = False,
) -> None:
    """Set an organisation's rights on a collection (--no-read --no-write revokes)."""
    with node_store() as store, store.write() as connection:
        grant(
            connection,
            get_collection(connection, collection),
            ids.get_organisation(connection, org).id,
            Rights(read, write),
        )


@collections_app.command("list")
def collections_list() -> None:
    """List the TAXII collections, their filters and who may read (r) or write (w)."""
    with node_store() as store, store.read() as connection:
        names = {o.id: o.name for o in ids.list_organisations(connection)}
        table = Table("id", "alias", "title", "filter", "rights")
        for found, grants in list_collections(connection):
            view = [
                f"types={','.join(found.types)}" if found.types else "",
                f"tlp<={found.tlp_ceiling.value}" if found.tlp_ceiling else "",
                f"creator={names.get(found.creator, found.creator)}" if found.creator else "",
                f"communities={len(found.communities)}" if found.communities else "",
            ]
            table.add_row(
                found.id,
                found.alias or "",
                found.title,
                " ".join(v for v in view if v) or "everything",
                _rights_table(grants, names),
            )
    out.print(table)


@peers_app.command("add")
def peers_add(
    name: str,
    api_root: Annotated[str, typer.Argument(help="The peer's TAXII API root URL.")],
    collection: Annotated[str, typer.Option(help="Collection to pull from (id or alias).")],
    token_file: Annotated[
        Path, typer.Option(help="File holding our token there (or user:password with --auth).")
    ],
    auth: Annotated[str, typer.Option(help="bearer or basic.")] = "bearer",
    push_collection: Annotated[
        str | None, typer.Option(help="Collection to push to (default: no push).")
    ] = None,
    org: Annotated[
        str | None,
        typer.Option(help="The peer's organisation here (default: one named NAME, created)."),
    ] = None,
) -> None:
    """Register a peer node to sync with."""
    with node_store() as store, store.write() as connection:
        if org:
            peer_org = ids.get_organisation(connection, org)
        else:
            try:
                peer_org = ids.get_organisation(connection, name)
            except NotFound:
                peer_org = ids.add_organisation(connection, name)
        add_peer(
            connection, name, api_root, collection, str(token_file), peer_org, auth, push_collection
        )
    out.print(f"peer {name}: {api_root} as {peer_org.name}", highlight=False)


@peers_app.command("list")
def peers_list() -> None:
    """List peers, their sync state and how many versions came from each."""
    with node_store() as store, store.read() as connection:
        table = Table(
            "peer",
            "API root",
            "pull",
            "push",
            "organisation",
            "received",
            "last sync",
            "last error",
        )
        for peer in list_peers(connection):
            table.add_row(
                peer.name,
                peer.api_root,
                peer.collection,
                peer.push_collection or "",
                peer.org.name,
                str(received_count(connection, peer)),
                peer.last_sync or "never",
                peer.last_error or "",
            )
    out.print(table)


@peers_app.command("sync")
def peers_sync(
    name: Annotated[str | None, typer.Argument(help="Only this peer.")] = None,
) -> None:
    """Sync now: pull from each peer (and push, where set up)."""
    with node_store() as store:
        with store.read() as connection:
            home = home_organisation(store, connection)
        table = Table(
            "peer", "pulled", "new", "unchanged", "rejected", "pushed", "held back", "errors"
        )
        reports = sync_all(store, home, name)
        for r in reports:
            table.add_row(
                r.peer,
                str(r.pulled),
                str(r.new),
                str(r.unchanged),
                str(r.rejected),
                str(r.pushed),
                str(r.held_back),
                "; ".join(r.errors),
            )
    out.print(table)
    if any(r.held_back for r in reports):
        out.print(
            "held back: versions without a TLP marking, imported at AMBER+STRICT or RED; a "
            "peer would store them at its default level. Mark them to share them.",
            highlight=False,
        )
    if any(r.errors for r in reports):
        raise typer.Exit(1)


@correlate_app.callback(invoke_without_command=True)
def correlate_command(
    ctx: typer.Context,
    log: Annotated[
        list[Path] | None,
        typer.Option("--log", help="Log or STIX observed-data file (repeatable)."),
    ] = None,
    log_format: Annotated[
        str | None,
        typer.Option(help=f"One of {', '.join(INPUT_FORMATS)} (default: detected)."),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=OBJECT-PATH, e.g. src_ip=ipv4-addr:value; ts=time."),
    ] = None,
    org: OrgOption = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Match logs against every indicator the organisation may see; store sightings."""
    if ctx.invoked_subcommand is not None:
        return
    if not log:
        raise ConfigError("--log", "name at least one log file (or use `correlate graph`)")
    if output not in ("text", "json"):
        raise ConfigError("--format", f"{output!r}: use text or json")
    try:
        mapping = parse_mapping(map_ or [])
    except ValueError as exc:
        raise ConfigError("--map", str(exc)) from None
    skipped = SkipReport()
    with acting_store(org) as (store, acting):
        observed = itertools.chain.from_iterable(
            observed_in(path, log_format, mapping, skipped) for path in log
        )
        window = retention_window(settings().settings)
        report = correlate(store, acting, observed, ", ".join(str(p) for p in log), window)
    if skipped.counts:
        err.print(f"skipped: {skipped}", highlight=False, markup=False)
    for indicator_id, reason in list(report.unusable.items())[:10]:
        err.print(f"indicator {indicator_id} not usable: {reason}", highlight=False, markup=False)
    _print_correlation(report, output)


def _print_correlation(report: CorrelationReport, output: str) -> None:
    if output == "json":
        sys.stdout.write(orjson.dumps(report.as_json()).decode() + "\n")
        return
    table = Table("observations", "indicators", "matches", "indicators matched", "sightings stored")
    table.add_row(
        f"{report.observations:,}",
        f"{report.indicators:,}",
        f"{report.matches:,}",
        f"{report.indicators_matched:,}",
        f"{len(report.sightings):,}",
    )
    out.print(table)


@correlate_app.command("catch-up")
def correlate_catch_up(
    org: OrgOption = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Match indicators that arrived since the last run against retained observations."""
    with acting_store(org) as (store, acting):
        report = catch_up(store, acting)
    _print_correlation(report, output)


@correlate_app.command("graph")
def correlate_graph(
    object_id: Annotated[str, typer.Option("--id", help="The object to start from.")],
    org: OrgOption = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Objects linked to one object through the observables they share."""
    with node_store() as store, store.read() as connection:
        viewer = acting_org(store, connection, org)
        graph = build_graph(connection, AccessGate(Viewer(viewer.id)), object_id)
    if output == "json":
        sys.stdout.write(orjson.dumps(graph.as_json()).decode() + "\n")
        return
    table = Table("from", "link", "to", "shared values")
    names = {n["id"]: n["name"] or n["id"] for n in graph.nodes.values()}
    for edge in graph.edges:
        table.add_row(
            names[edge["source"]],
            edge["kind"],
            names[edge["target"]],
            ", ".join(edge.get("values", [])),
        )
    out.print(table)


@app.command("attribute")
def attribute_command(
    evidence: Annotated[
        Path | None, typer.Argument(help="Evidence JSON (- for stdin); see docs.")
    ] = None,
    batch: Annotated[
        Path | None,
        typer.Option("--batch", help="JSON lines, one evidence object with an id per line."),
    ] = None,
    output: Annotated[str, typer.Option("--format", help="json or text.")] = "text",
    top: Annotated[int, typer.Option("--top", min=1, help="Hypotheses to show.")] = 5,
    attack: Annotated[
        Path | None, typer.Option("--attack", help="An enterprise-attack.json to use instead.")
    ] = None,
    layer: Annotated[
        Path | None, typer.Option("--layer", help="Also write an ATT&CK Navigator layer here.")
    ] = None,
    save: Annotated[
        bool, typer.Option("--save/--no-save", help="Store the assessment as STIX.")
    ] = True,
    org: OrgOption = None,
) -> None:
    """Rank the actors that could be behind the evidence, with calibrated probabilities."""
    if (evidence is None) == (batch is None):
        raise ConfigError("EVIDENCE", "give one evidence file, or --batch CASES.jsonl")
    if output not in ("text", "json"):
        raise ConfigError("--format", f"{output!r}: use text or json")
    with acting_store(org) as (store, acting):
        assessor = assessor_for(store, acting, attack, on_fit=_fitting_notice)
        if batch is not None:
            failed = _attribute_batch(store, acting, assessor, batch, top, save)
            if failed:
                err.print(f"{failed} cases could not be read (see their error lines)")
                raise typer.Exit(1)
            return
        assert evidence is not None
        text = sys.stdin.read() if str(evidence) == "-" else evidence.read_text()
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise MalformedInput(str(evidence), f"not JSON: {exc}") from None
        result = assessor.assess(parse_evidence(data, str(evidence)), top)
        if save:
            _save_assessment(store, acting, result)
    if layer is not None:
        layer.write_bytes(
            orjson.dumps(navigator_layer(result, assessor.knowledge), option=orjson.OPT_INDENT_2)
        )
    if output == "json":
        sys.stdout.write(orjson.dumps(result.as_json()).decode() + "\n")
    else:
        _print_assessment(result)


def _fitting_notice() -> None:
    err.print(
        "Fitting the attribution model to this knowledge (once; it is kept for next time) …",
        highlight=False,
    )


def _attribute_batch(
    store: Store, org: ids.Organisation, assessor: Assessor, path: Path, top: int, save: bool
) -> int:
    """One JSON result per line, in order; a line that cannot be read gets an error line."""
    failed = 0
    with path.open("rb") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            case = None
            try:
                data = orjson.loads(line)
                case = data.get("id") if isinstance(data, dict) else None
                if case is None:
                    raise InvalidObject(where, "id", "each case needs an id")
                result = assessor.assess(parse_evidence(data, where), top)
            except (orjson.JSONDecodeError, InvalidObject) as exc:
                failed += 1
                sys.stdout.write(orjson.dumps({"id": case, "error": str(exc)}).decode() + "\n")
                continue
            if save:
                _save_assessment(store, org, result)
            sys.stdout.write(orjson.dumps(result.as_json()).decode() + "\n")
    return failed


def _save_assessment(store: Store, org: ids.Organisation, result: Assessment) -> None:
    objects = assessment_objects(result, org.id, result.evidence.incident)
    import_objects(store, objects, f"attribution {result.id or ''}".strip(), ASSESSMENT(org))


def _print_assessment(result: Assessment) -> None:
    table = Table("rank", "actor", "ATT&CK", "probability", "likelihood", "strongest evidence")
    for rank, hypothesis in enumerate(result.hypotheses, 1):
        items = [c for c in hypothesis.contributions if c["kind"] != "profile"]
        strongest = ", ".join(f"{c['value']} ({c['weight']:+.1f})" for c in items[:3])
        table.add_row(
            str(rank),
            hypothesis.actor.name,
            hypothesis.actor.attack_id or "",
            f"{hypothesis.probability:.1%}",
            hypothesis.term,
            strongest,
        )
    out.print(table)
    out.print(
        f"unknown actor: {result.unknown_probability:.1%}; confidence: "
        f"{result.confidence.value} ({'; '.join(result.confidence_reasons)})",
        highlight=False,
        markup=False,
    )
    if result.indistinguishable:
        out.print(
            "cannot be told apart with this evidence: " + ", ".join(result.indistinguishable),
            highlight=False,
            markup=False,
        )
    for flag in result.flags:
        out.print(f"flag {flag['kind']}: {flag['detail']}", highlight=False, markup=False)
    for text in result.unrecognised:
        out.print(f"not used: {text}", highlight=False, markup=False)


@incidents_app.command("import")
def incidents_import(
    fmt: Annotated[str, typer.Option("--format", help="curated, eurepoc, cfr or dcid.")],
    path: Annotated[
        Path | None,
        typer.Argument(help="The dataset file (curated: the packaged one by default)."),
    ] = None,
    org: OrgOption = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the full import report (JSON) here.")
    ] = None,
) -> None:
    """Import a public incident dataset, linking incidents other datasets hold."""
    with acting_store(org) as (store, acting):
        done = import_incidents(store, acting, fmt, path)
    if report is not None:
        report.write_bytes(orjson.dumps(done.as_json(), option=orjson.OPT_INDENT_2))
    out.print(
        f"{fmt}: {done.rows:,} rows; {done.new:,} new incidents, {done.changed:,} incidents "
        f"gained from it ({done.linked:,} rows linked to another dataset's), "
        f"{done.unchanged:,} unchanged; {done.skipped_rows} rows skipped, "
        f"{len(done.problems) - done.skipped_rows} values left out",
        highlight=False,
        markup=False,
    )
    for problem in done.problems[:20]:
        what = "row skipped" if problem.skipped else "value left out"
        err.print(
            f"{problem.row}: {problem.column}: {problem.reason} ({what})",
            highlight=False,
            markup=False,
        )
    if len(done.problems) > 20:
        err.print(f"... and {len(done.problems) - 20} more (--report FILE lists them all)")


@incidents_app.command("list")
def incidents_list(
    org: OrgOption = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Every incident the organisation may see, with its attribution claims and sources."""
    with acting_store(org) as (store, acting):
        found = incidents(store, acting)
    ordered = sorted(found.items(), key=lambda kv: (kv[1].start or "", kv[1].name))
    if output == "json":
        rows = [{"id": key, **asdict(record)} for key, record in ordered]
        sys.stdout.write(orjson.dumps(rows).decode() + "\n")
        return
    table = Table("start", "incident", "victims", "attributed to", "datasets")
    for _, record in ordered:
        table.add_row(
            record.start or "",
            record.name,
            ", ".join(record.victim_countries[:4]),
            ", ".join(sorted({c.state or c.actor or "?" for c in record.claims})[:3]),
            ", ".join(sorted({p.dataset for p in record.provenance})),
        )
    out.print(table)


@incidents_app.command("show")
def incidents_show(
    incident_id: Annotated[str, typer.Argument(help="The incident's STIX id.")],
    org: OrgOption = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """One incident: what happened, to whom, who is said to be behind it, and sources."""
    with acting_store(org) as (store, acting):
        record = incident(store, acting, incident_id)
    if output == "json":
        sys.stdout.write(orjson.dumps({"id": incident_id, **asdict(record)}).decode() + "\n")
        return
    out.print(f"{record.name} ({record.start or 'date unknown'})", highlight=False, markup=False)
    if record.description:
        out.print(record.description, highlight=False, markup=False)
    for claim in record.claims:
        out.print(
            f"attributed by {claim.by or 'unknown'} ({claim.form}) to "
            f"{claim.actor or ''} {claim.state or ''}".rstrip(),
            highlight=False,
            markup=False,
        )
    for url in record.sources:
        out.print(f"source: {url}", highlight=False, markup=False)


@incidents_app.command("assess")
def incidents_assess(
    incident_id: Annotated[str, typer.Argument(help="The incident's STIX id.")],
    org: OrgOption = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """The norms and rules of law an incident implicates, and the responses that fit."""
    with acting_store(org) as (store, acting):
        held = incidents(store, acting)
        if incident_id not in held:
            raise NotFound("incident", incident_id)
        result = assess_incident(held[incident_id], held.values())
    if output == "json":
        sys.stdout.write(orjson.dumps(result.as_json()).decode() + "\n")
        return
    table = Table("norm or rule", "strength", "why", "facts")
    for finding in [*result.norms, *result.law]:
        table.add_row(finding.id, finding.strength, finding.rationale, "; ".join(finding.facts))
    out.print(table)
    fitting = [r["option"] for r in result.responses if r["fits"]]
    out.print("responses that fit: " + (", ".join(fitting) or "none"), highlight=False)
    if result.precedent:
        done = ", ".join(f"{k} ({n})" for k, n in result.precedent.items())
        out.print(f"done in similar incidents: {done}", highlight=False, markup=False)


@incidents_app.command("analytics")
def incidents_analytics(
    org: OrgOption = None,
    output: Annotated[str, typer.Option("--format", help="text, json or html.")] = "text",
) -> None:
    """Incidents by year, effect and attributed state; time to attribution; tension."""
    with acting_store(org) as (store, acting):
        figures = analytics(incidents(store, acting).values())
    if output == "json":
        sys.stdout.write(orjson.dumps(figures).decode() + "\n")
        return
    if output == "html":
        sys.stdout.write(analytics_html(figures))
        return
    out.print(f"{figures['incidents']:,} incidents", highlight=False)
    for title, key in (("by year", "by_year"), ("by attributed state", "by_attributed_state")):
        table = Table(title, "incidents")
        for name, count in figures[key].items():
            table.add_row(str(name), str(count))
        out.print(table)
    delay = figures["days_to_first_attribution"]
    out.print(
        f"days to first public attribution: median {delay['median']} over "
        f"{delay['incidents']} dated incidents",
        highlight=False,
    )


@statements_app.command("draft")
def statements_draft(
    name: Annotated[str, typer.Option("--name", help="The statement's title.")],
    text: Annotated[Path, typer.Option("--text", help="A file holding the statement's text.")],
    partner: Annotated[
        list[str], typer.Option("--partner", help="A partner organisation (name; repeatable).")
    ],
    embargo: Annotated[str, typer.Option("--embargo", help="Not published before (RFC 3339).")],
    incident: Annotated[str | None, typer.Option("--incident", help="The incident's id.")] = None,
    org: OrgOption = None,
) -> None:
    """Draft a joint statement as the lead; only the partners see it."""
    with node_store() as store:
        with store.read() as connection:
            lead = acting_org(store, connection, org)
            partners = [ids.get_organisation(connection, p).id for p in partner]
        made = draft_statement(
            store, lead, name, text.read_text(encoding="utf-8"), partners, embargo, incident
        )
    out.print(made["id"], highlight=False)


def _answer(statement_id: str, decision: str, reason: str | None, org: str | None) -> None:
    home = settings().settings.home
    with acting_store(org) as (store, acting):
        respond(store, home, acting, statement_id, decision, reason)
    out.print(f"{acting.name} {decision} {statement_id}", highlight=False, markup=False)


@statements_app.command("sign")
def statements_sign(
    statement_id: Annotated[str, typer.Argument()],
    org: OrgOption = None,
) -> None:
    """Co-sign a draft (Ed25519 over the canonical statement)."""
    _answer(statement_id, "signed", None, org)


@statements_app.command("decline")
def statements_decline(
    statement_id: Annotated[str, typer.Argument()],
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    org: OrgOption = None,
) -> None:
    """Decline to co-sign a draft (the refusal is signed too)."""
    _answer(statement_id, "declined", reason, org)


@statements_app.command("publish")
def statements_publish(
    statement_id: Annotated[str, typer.Argument()],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Also write the published statement here.")
    ] = None,
    org: OrgOption = None,
) -> None:
    """Publish at or after the embargo, with every signature (TLP:CLEAR)."""
    home = settings().settings.home
    with acting_store(org) as (store, lead):
        done = publish(store, home, lead, statement_id)
    if out_file is not None:
        out_file.write_bytes(orjson.dumps(done, option=orjson.OPT_INDENT_2))
    signed = [s for s in done["signatures"] if s["decision"] == "signed"]
    out.print(
        f"published {statement_id}: {len(signed)} signatures, "
        f"{len(done['signatures']) - len(signed)} declined",
        highlight=False,
    )


@statements_app.command("list")
def statements_list(
    org: OrgOption = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """The statements the organisation leads or is a partner of, and who answered."""
    with acting_store(org) as (store, acting):
        found = [v.body for v in visible(store, acting.id, ObjectQuery(types=[STATEMENT]))]
        rows = [
            {**s, "answers": {k: v["opinion"] for k, v in answers(store, acting, s["id"]).items()}}
            for s in found
        ]
    if output == "json":
        sys.stdout.write(orjson.dumps(rows).decode() + "\n")
        return
    table = Table("statement", "status", "embargo", "answers")
    for row in rows:
        table.add_row(row["name"], row["status"], row["embargo"], str(len(row["answers"])))
    out.print(table)


@statements_app.command("verify")
def statements_verify(
    path: Annotated[Path, typer.Argument(help="A published statement (JSON or a bundle).")],
    trust_embedded_keys: Annotated[
        bool,
        typer.Option(
            "--trust-embedded-keys",
            help="Check the signatures against the keys they carry only (no directory): "
            "proves the text is unchanged, not who signed.",
        ),
    ] = False,
    org: OrgOption = None,
) -> None:
    """Check every signature of a published statement against the keys the parties
    publish in this node's directory (offline: nothing is fetched)."""
    data = orjson.loads(path.read_bytes())
    objects = data.get("objects", []) if data.get("type") == "bundle" else [data]
    found = [o for o in objects if o.get("type") == STATEMENT]
    if not found:
        raise MalformedInput(str(path), f"no {STATEMENT} in it")
    keys = None
    if not trust_embedded_keys:
        with acting_store(org) as (store, acting):
            keys = party_keys(store, settings().settings.home, acting)
    bad = 0
    for obj in found:
        for check in verify_statement(obj, keys):
            bad += not check.valid
            out.print(
                f"{check.identity_ref} {check.decision}: {check.reason}"
                + (f" (key {check.key})" if check.key else ""),
                highlight=False,
                markup=False,
            )
    if bad:
        raise typer.Exit(1)


def _catalogue_rows(entries: Any) -> list[dict[str, Any]]:
    """The entries of a catalogue part: a list, or the lists (or the one entry) in a dict."""
    if isinstance(entries, list):
        return [e for e in entries if isinstance(e, dict)]
    lists = [v for v in entries.values() if isinstance(v, list)]
    if lists:
        return [e for rows in lists for e in rows if isinstance(e, dict)]
    return [entries]


#: a treaty party's dates, as the catalogue holds them
_PARTY_DATES = (("ratified", "ratified or acceded"), ("in_force", "in force"))


@app.command("norms")
def norms_command(
    part: Annotated[
        str | None,
        typer.Argument(help="One part of the catalogue (norms, law, paris_call, ...)."),
    ] = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """The norms and law catalogue: every entry with its source."""
    data = catalogue()
    parts = [k for k in data if k != "source"]
    if part is not None and part not in parts:
        raise ConfigError("PART", f"{part!r}: one of {', '.join(parts)}")
    chosen = {k: data[k] for k in ([part] if part else parts)}
    if output == "json":
        sys.stdout.write(orjson.dumps(chosen).decode() + "\n")
        return
    for name, entries in chosen.items():
        rows = _catalogue_rows(entries)
        out.print(f"{name}: {len(rows)} entries", highlight=False, markup=False)
        for entry in rows:
            label = entry.get("id") or entry.get("name") or entry.get("article") or ""
            text = entry.get("summary") or entry.get("title") or entry.get("topic") or ""
            dates = [f"{word} {entry[key]}" for key, word in _PARTY_DATES if entry.get(key)]
            text = text or ", ".join(dates)
            out.print(f"  {label}: {text}", highlight=False, markup=False)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the whole chain; say where an entry was edited, deleted or reordered."""
    with node_store() as store, store.read() as connection:
        problems = audit.verify(connection)
        last = audit.head(connection)
    for problem in problems:
        out.print(problem, highlight=False, markup=False)
    if problems:
        raise typer.Exit(1)
    out.print(
        f"audit chain whole: {last.seq if last else 0} entries; head {last.hash if last else '-'}",
        highlight=False,
    )


@audit_app.command("list")
def audit_list(
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """The newest entries of the chain."""
    with node_store() as store, store.read() as connection:
        found = audit.entries(connection, limit)
    if output == "json":
        sys.stdout.write(orjson.dumps([e.__dict__ for e in found]).decode() + "\n")
        return
    table = Table("seq", "at", "actor", "action", "subject")
    for entry in found:
        table.add_row(str(entry.seq), entry.at, entry.actor, entry.action, entry.subject)
    out.print(table)


@poc_app.command("add")
def poc_add(
    name: Annotated[str, typer.Option("--name")],
    state: Annotated[str, typer.Option("--state", help="ISO 3166 code or country name.")],
    role: Annotated[str, typer.Option("--role", help="diplomatic or technical.")],
    language: Annotated[list[str] | None, typer.Option("--language")] = None,
    hours: Annotated[str, typer.Option("--hours", help="HH:MM-HH:MM, local.")] = "08:00-18:00",
    time_zone: Annotated[str, typer.Option("--time-zone", help="IANA zone.")] = "UTC",
    channel: Annotated[list[str] | None, typer.Option("--channel", help="e.g. email:x@y")] = None,
    share: Annotated[
        list[str] | None,
        typer.Option("--share", help="Organisations to give it to (default: all known)."),
    ] = None,
    org: OrgOption = None,
) -> None:
    """Publish a point of contact of the organisation, with its signing key."""
    home = settings().settings.home
    with node_store() as store:
        with store.read() as connection:
            acting = acting_org(store, connection, org)
            others = [ids.get_organisation(connection, o).id for o in share] if share else None
        contact = Contact(
            name, state, role, acting.id, "", list(language or []), hours, time_zone,
            list(channel or []),
        )  # fmt: skip
        made = add_contact(store, home, acting, contact, others)
    out.print(made["id"], highlight=False)


@poc_app.command("list")
def poc_list(
    state: Annotated[str | None, typer.Option("--state")] = None,
    org: OrgOption = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """The points of contact the organisation may see."""
    with acting_store(org) as (store, acting):
        found = contacts(store, acting, state)
    if output == "json":
        sys.stdout.write(orjson.dumps([c.__dict__ for c in found]).decode() + "\n")
        return
    table = Table("state", "role", "name", "hours", "time zone", "languages", "key")
    for c in found:
        table.add_row(
            c.state, c.role, c.name, c.hours, c.time_zone, ", ".join(c.languages),
            fingerprint(c.public_key) if c.public_key else "",
        )  # fmt: skip
    out.print(table)


@hotline_app.command("send")
def hotline_send(
    to: Annotated[str, typer.Option("--to", help="A state (or an organisation).")],
    template: Annotated[str, typer.Option("--template", help=", ".join(COMPOSED))],
    form_file: Annotated[Path, typer.Option("--file", help="The form's fields (JSON).")],
    ref: Annotated[
        list[str] | None, typer.Option("--ref", help="An incident or indicator.")
    ] = None,
    reply_to: Annotated[str | None, typer.Option("--in-reply-to")] = None,
    encrypt: Annotated[
        bool, typer.Option("--encrypt", help="Seal the form to the recipient (X25519+AES-GCM).")
    ] = False,
    org: OrgOption = None,
) -> None:
    """Sign and send a message; it travels to the recipient's node by federation."""
    home = settings().settings.home
    form = orjson.loads(form_file.read_bytes())
    if not isinstance(form, dict):
        raise InvalidObject(str(form_file), "form", "a JSON object of the template's fields")
    with acting_store(org) as (store, acting):
        sent = compose(store, home, acting, to, template, form, ref, reply_to, encrypt)
    out.print(sent["id"], highlight=False)


def _print_messages(found: list[Received], output: str) -> None:
    if output == "json":
        sys.stdout.write(orjson.dumps([r.as_json() for r in found]).decode() + "\n")
        return
    table = Table("message", "template", "from", "deadline", "status", "genuine")
    for r in found:
        table.add_row(
            r.message["id"], r.message["template"], r.message["created_by_ref"],
            r.message.get("deadline", ""), r.status,
            "yes" if r.genuine else f"NO: {r.reason}",
        )  # fmt: skip
    out.print(table)


@hotline_app.command("inbox")
def hotline_inbox(
    org: OrgOption = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Messages to the organisation: checked signatures, deadlines, overdue ones (a signed
    receipt goes back for each genuine message delivered)."""
    home = settings().settings.home
    with acting_store(org) as (store, acting):
        _print_messages(read_inbox(store, home, acting), output)


@hotline_app.command("outbox")
def hotline_outbox(
    org: OrgOption = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Messages the organisation sent, and whether they were answered in time."""
    with acting_store(org) as (store, acting):
        _print_messages(outbox(store, acting), output)


@hotline_app.command("escalate")
def hotline_escalate(org: OrgOption = None) -> None:
    """Send overdue messages again to the next point of contact of their state."""
    home = settings().settings.home
    with acting_store(org) as (store, acting):
        made = escalate(store, home, acting)
    for message in made:
        out.print(f"{message['escalated_from']} -> {message['id']}", highlight=False)


@hotline_app.command("ack")
def hotline_ack(message_id: Annotated[str, typer.Argument()], org: OrgOption = None) -> None:
    """Acknowledge a genuine message (the acknowledgement is signed too)."""
    home = settings().settings.home
    with acting_store(org) as (store, acting):
        made = acknowledge(store, home, acting, message_id)
    out.print(made["id"], highlight=False)


@ping_app.command("start")
def ping_start(
    state: Annotated[
        list[str] | None, typer.Option("--state", help="Only these states (repeatable).")
    ] = None,
    org: OrgOption = None,
) -> None:
    """Ping every point of contact (of the states named); each must acknowledge."""
    home = settings().settings.home
    with acting_store(org) as (store, acting):
        round_id, pinged = start_round(store, home, acting, state)
    out.print(round_id, highlight=False)
    err.print(f"{len(pinged)} organisations pinged", highlight=False)


@ping_app.command("report")
def ping_report(
    round_id: Annotated[str, typer.Argument()],
    org: OrgOption = None,
    output: Annotated[str, typer.Option("--format", help="text, json or html.")] = "text",
) -> None:
    """Per state: acknowledged, late or silent, and the response time."""
    with acting_store(org) as (store, acting):
        results = round_report(store, acting, round_id)
    if output == "json":
        sys.stdout.write(orjson.dumps([r.as_json() for r in results]).decode() + "\n")
        return
    if output == "html":
        sys.stdout.write(ping_html(round_id, results))
        return
    table = Table("state", "organisation", "outcome", "response time (s)")
    for r in results:
        took = f"{r.seconds:,.0f}" if r.seconds is not None else ""
        table.add_row(r.state, r.organisation, r.outcome, took)
    out.print(table)


@ping_app.command("history")
def ping_history(
    org: OrgOption = None,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """The rounds the organisation started, with how each went."""
    with acting_store(org) as (store, acting):
        found = rounds(store, acting)
    if output == "json":
        sys.stdout.write(orjson.dumps(found).decode() + "\n")
        return
    table = Table("round", "started", "pinged", "acknowledged", "late", "silent", "waiting")
    for r in found:
        table.add_row(
            r["round"], r["started"], str(r["pinged"]), str(r["acknowledged"]), str(r["late"]),
            str(r["silent"]), str(r["waiting"]),
        )  # fmt: skip
    out.print(table)


@app.command("brief")
def brief_command(
    incident_id: Annotated[str, typer.Argument(help="The incident's STIX id.")],
    output: Annotated[str, typer.Option("--format", help="html or pdf.")] = "html",
    to: Annotated[
        Path | None, typer.Option("--out", help="Write here (default: stdout for html).")
    ] = None,
    org: OrgOption = None,
) -> None:
    """A diplomat's brief on an incident: what, who, norms and law, responses, sources."""
    if output not in ("html", "pdf"):
        raise ConfigError("--format", f"{output!r}: use html or pdf")
    if output == "pdf" and to is None:
        raise ConfigError("--out", "a PDF needs a file to go to")
    with acting_store(org) as (store, acting):
        brief = build_brief(store, acting, incident_id)
    if output == "pdf":
        assert to is not None
        brief_pdf(brief, to)
        err.print(f"brief written to {to}", highlight=False, markup=False)
    elif to is not None:
        to.write_text(brief_html(brief), encoding="utf-8")
        err.print(f"brief written to {to}", highlight=False, markup=False)
    else:
        sys.stdout.write(brief_html(brief))


@app.command("serve")
def serve_command(
    host: Annotated[str | None, typer.Option(help="Listen address (ACCORD_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (ACCORD_PORT).")] = None,
) -> None:
    """Run the node's web server (API, OpenAPI docs, pages)."""
    serve(load_settings({"host": host, "port": port}).settings)


@app.command("demo")
def demo_command(
    host: Annotated[str | None, typer.Option(help="Listen address (ACCORD_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (ACCORD_PORT).")] = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Set up only.")] = False,
) -> None:
    """Set up a demo node (store, ATT&CK, administrator) and serve it: what `make run` does."""
    loaded = load_settings({"host": host, "port": port})
    prepare_demo(loaded.settings, out)
    if not no_serve:
        serve(loaded.settings)


def main(argv: list[str] | None = None) -> None:
    """Entry point: domain errors become one line on stderr and a non-zero exit."""
    try:
        app(args=argv)  # standalone: Typer reports usage errors and exits itself
    except AccordError as error:
        err.print(f"accord: error: {error}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(2 if isinstance(error, ConfigError) else 1)
    except DBAPIError as error:  # the database itself failed: unreachable, full, refused
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        err.print(
            f"accord: error: the store failed: {reason}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        sys.exit(1)
