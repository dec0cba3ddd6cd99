"""The demo node that ``make run`` starts: a store holding ATT&CK, Accord's curated
incidents, one administrator, and a partner organisation with what the two exchanged
(``demo_seed``).

Credentials are generated, printed once, and stored hashed; a second run reuses them
(and says how to reset them) instead of inventing new ones.
"""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel

from accord.attribution.attack import ATTACK_VERSION_SETTING, load_attack
from accord.config import Settings
from accord.demo_seed import PARTNER_ORG, PARTNER_USER, seed_partner
from accord.diplomacy.registry import import_incidents
from accord.node import HOME_ORG_SETTING, home_organisation, open_node_store
from accord.store.identity import add_organisation, add_user, count_users, create_token

DEMO_ORG = "Demo National CERT"
ADMIN = "admin"


def prepare_demo(settings: Settings, console: Console) -> None:
    """Make the store ready: migrate, load ATT&CK once, create org and administrator once."""
    store = open_node_store(settings)
    try:
        with store.write() as connection:
            home = store.get_setting(connection, HOME_ORG_SETTING)
            first_run = home is None and count_users(connection) == 0
            if first_run:
                org = add_organisation(connection, DEMO_ORG)
                store.set_setting(connection, HOME_ORG_SETTING, org.id)
                password = add_user(connection, ADMIN, org, is_admin=True)
                token = create_token(connection, org, label="demo", username=ADMIN)
        with store.read() as connection:
            attack_loaded = store.get_setting(connection, ATTACK_VERSION_SETTING) is not None
            org = home_organisation(store, connection)
        if not attack_loaded:
            console.print("Loading MITRE ATT&CK enterprise v15 …")
            report = load_attack(store, org)
            console.print(
                f"ATT&CK: {report.new_objects} objects, {report.rejected} skipped as invalid"
            )
        curated = import_incidents(store, org, "curated", None)
        if curated.new:
            console.print(f"Curated incidents: {curated.new} (every fact with its source)")
        partner = seed_partner(settings, store, org)
        if partner is not None:
            console.print("Seeded a partner organisation and what the two exchanged")
    finally:
        store.close()
    url = f"http://{settings.host}:{settings.port}"
    if first_run:
        console.print(
            Panel(
                f"organisation: {DEMO_ORG}\nuser:         {ADMIN}\npassword:     {password}\n"
                f"API token:    {token}\n\nShown once; only hashes are stored.",
                title="Accord demo credentials",
                expand=False,
            )
        )
        console.print(
            f"Try: curl -H 'Authorization: Bearer {token}' {url}/api/stats", soft_wrap=True
        )
    else:
        console.print(
            f"Demo already set up in {settings.home}; credentials were shown on the first run "
            f"(new password: accord users reset-password {ADMIN})."
        )
    if partner is not None:
        console.print(
            Panel(
                f"organisation: {PARTNER_ORG}\nuser:         {PARTNER_USER}\n"
                f"password:     {partner.password}\n\nSign in as the partner to see the "
                "exchange from the other side. Shown once.",
                title="Demo partner credentials",
                expand=False,
            )
        )
    console.print(
        f"Serving {settings.node_name} at {url}  (API docs: {url}/api/docs)", soft_wrap=True
    )
