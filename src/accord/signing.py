"""Ed25519 keys of the organisations on this node, and signatures over canonical JSON;
X25519 keys and sealed boxes (ECDH, HKDF-SHA256, AES-GCM) for messages to one recipient.

Each organisation's private key lives in ``ACCORD_HOME/keys/<identity uuid>.pem``
(PKCS#8, readable by the node's user only); it is made on first use. What is signed is
the canonical form of a JSON object: keys sorted, no insignificant whitespace, UTF-8
(for the strings, integers and lists Accord signs, this is RFC 8785's form). A
signature travels with the public key that made it, so it can be checked offline.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import orjson
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def canonical(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


def _key_path(home: Path, org_id: str, suffix: str = ".pem") -> Path:
    return home / "keys" / f"{org_id.split('--', 1)[-1]}{suffix}"


_Key = TypeVar("_Key", Ed25519PrivateKey, X25519PrivateKey)


def _kept(path: Path, generate: Callable[[], _Key]) -> _Key:
    """The private key kept at ``path``, made (and kept, mode 0600) on first use."""
    if path.exists():
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(loaded, Ed25519PrivateKey | X25519PrivateKey)
        return cast(_Key, loaded)
    key = generate()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return key


def private_key(home: Path, org_id: str) -> Ed25519PrivateKey:
    """The organisation's signing key, made on first use."""
    return _kept(_key_path(home, org_id), Ed25519PrivateKey.generate)


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def fingerprint(public_key: str) -> str:
    """A short, comparable name of a public key (SHA-256, first 16 hex digits)."""
    return hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message)).decode()


def verify(public_key: str, signature: str, message: bytes) -> bool:
    """Does ``signature`` by ``public_key`` (both base64) cover ``message``?"""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def local_public_key(home: Path, org_id: str) -> str | None:
    """The public key of an organisation whose private key this node holds, if any."""
    path = _key_path(home, org_id)
    return public_key_text(private_key(home, org_id)) if path.exists() else None


def exchange_key(home: Path, org_id: str) -> X25519PrivateKey:
    """The organisation's X25519 key for messages sealed to it (made on first use)."""
    return _kept(_key_path(home, org_id, ".x25519.pem"), X25519PrivateKey.generate)


def exchange_public_text(key: X25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def _box_key(shared: bytes, context: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"accord " + context).derive(
        shared
    )


def seal(recipient_public: str, plaintext: bytes, context: bytes) -> dict[str, str]:
    """``plaintext`` for the holder of an X25519 key only (``context`` is bound in too)."""
    ephemeral = X25519PrivateKey.generate()
    peer = X25519PublicKey.from_public_bytes(base64.b64decode(recipient_public))
    nonce = os.urandom(12)
    box = AESGCM(_box_key(ephemeral.exchange(peer), context))
    return {
        "ephemeral": exchange_public_text(ephemeral),
        "nonce": base64.b64encode(nonce).decode(),
        "ciphertext": base64.b64encode(box.encrypt(nonce, plaintext, context)).decode(),
    }


def unseal(key: X25519PrivateKey, sealed: dict[str, str], context: bytes) -> bytes | None:
    """The plaintext, or None if this key cannot open the box (or it was changed)."""
    try:
        peer = X25519PublicKey.from_public_bytes(base64.b64decode(sealed["ephemeral"]))
        box = AESGCM(_box_key(key.exchange(peer), context))
        return box.decrypt(
            base64.b64decode(sealed["nonce"]), base64.b64decode(sealed["ciphertext"]), context
        )
    except (InvalidTag, KeyError, ValueError):
        return None
