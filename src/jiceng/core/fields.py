"""Encrypted personal-data fields with a keyed hash beside each for exact lookup.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography`` through
django-fernet-encrypted-fields) under a key derived from ``JICENG_FIELD_KEY``; old keys listed
in ``JICENG_FIELD_KEY_FALLBACKS`` still decrypt, so that a key can be rotated while the site runs
(``jiceng rotate_field_key`` re-encrypts every row under the current key). The lookup hash is an
HMAC-SHA256 under a separate key (``JICENG_HASH_KEY``), so that "find the person with this ID
number" is an index lookup and never decrypts the table.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from encrypted_fields.fields import EncryptedCharField as _LibraryEncryptedCharField

from jiceng.core.personal import normalize_mobile

FERNET_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80 and a timestamp)


def _derive(secret: str, purpose: bytes) -> bytes:
    """A 32-byte key for one purpose from a configured secret (HKDF-SHA256)."""
    if not secret:
        raise ImproperlyConfigured("JICENG_FIELD_KEY / JICENG_HASH_KEY must not be empty")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode("utf-8")
    )


# The keys as the settings name them now, derived once per process: the lazy settings object
# costs a lookup per attribute, and an import hashes and encrypts hundreds of thousands of
# values. Forgotten when a key setting changes (``setting_changed``: tests, ``override_settings``);
# a deployment changes its keys by restarting its processes (README "Key rotation").
KEY_SETTINGS = frozenset({"FIELD_KEY", "FIELD_KEY_FALLBACKS", "HASH_KEY", "HASH_KEY_FALLBACKS"})
_keys: dict[str, Any] = {}


def _others(primary: str, fallbacks: Any) -> list[str]:
    return [primary, *[k for k in fallbacks if k and k != primary]]


def _fernets() -> list[Fernet]:
    fernets = _keys.get("fernets")
    if fernets is None:
        fernets = _keys["fernets"] = [
            Fernet(base64.urlsafe_b64encode(_derive(k, b"jiceng field encryption")))
            for k in _others(settings.FIELD_KEY, settings.FIELD_KEY_FALLBACKS)
        ]
    return fernets


def field_fernet() -> MultiFernet:
    """The current key first (it encrypts), then the fallbacks (they only decrypt)."""
    fernet = _keys.get("fernet")
    if fernet is None:
        fernet = _keys["fernet"] = MultiFernet(_fernets())
    return fernet


def primary_fernet() -> Fernet:
    """The current key alone (re-encryption under it)."""
    return _fernets()[0]


def _current_hash_keys() -> tuple[bytes, ...]:
    keys = _keys.get("hash")
    if keys is None:
        keys = _keys["hash"] = tuple(
            _derive(k, b"jiceng lookup hash")
            for k in _others(settings.HASH_KEY, settings.HASH_KEY_FALLBACKS)
        )
    return keys


def forget_keys(*, setting: str = "", **_kwargs: Any) -> None:
    """Derive the keys again on next use (connected to ``setting_changed`` for the key
    settings; with no ``setting``, always)."""
    if not setting or setting in KEY_SETTINGS:
        _keys.clear()


setting_changed.connect(forget_keys, dispatch_uid="jiceng.core.fields.forget_keys")


def lookup_hash(kind: str, value: str | None) -> str:
    """The HMAC (hex) of a normalised value under the current hash key; '' for no value."""
    if not value:
        return ""
    key = _current_hash_keys()[0]
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def lookup_hashes(kind: str, value: str | None) -> list[str]:
    """The HMACs under the current and the fallback hash keys: search for any of them, so that
    lookups work while a rotation is half done."""
    if not value:
        return []
    message = f"{kind}:{value}".encode()
    return [hmac.new(k, message, hashlib.sha256).hexdigest() for k in _current_hash_keys()]


class EncryptedCharField(_LibraryEncryptedCharField):
    """A CharField stored as a Fernet token; ``hash_field`` names the sibling column that keeps
    the lookup HMAC of the normalised value (declare it after this field), ``hash_kind`` keeps the
    hashes of different kinds of values apart, ``normalize`` makes equal values equal.

    Filtering on this field cannot work (every encryption differs): filter on the hash field.
    """

    def __init__(
        self,
        *args: Any,
        hash_field: str | None = None,
        hash_kind: str = "",
        normalize: Callable[[Any], str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.hash_field = hash_field
        self.hash_kind = hash_kind
        self.normalize = normalize
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[Any, ...]:
        name, _path, args, kwargs = super().deconstruct()
        # The hash wiring is behaviour, not schema: migrations need not follow it.
        return name, "jiceng.core.fields.EncryptedCharField", args, kwargs

    # The library derives keys from SECRET_KEY once per field; ours come from the field key
    # settings and are read on each use, so that a changed setting (rotation, tests) applies.
    @property
    def f(self) -> MultiFernet:  # type: ignore[override]
        return field_fernet()

    @property
    def keys(self) -> list[bytes]:  # type: ignore[override]
        raise AttributeError("keys come from jiceng.core.fields.field_fernet()")

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(FERNET_PREFIX):
            try:
                return self.f.decrypt(value.encode("utf-8")).decode("utf-8")
            except InvalidToken as exc:
                # The library would show the ciphertext; a wrong key must be loud instead.
                raise ImproperlyConfigured(
                    "an encrypted field cannot be read with JICENG_FIELD_KEY or its fallbacks"
                ) from exc
        return models.CharField.to_python(self, value)

    def hash_of(self, value: Any) -> str:
        normalized = self.normalize(value) if self.normalize else (value or "")
        return lookup_hash(self.hash_kind or self.name, normalized)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        if self.hash_field:
            known = model_instance.__dict__.get(_KNOWN_HASHES, {}).get(self.attname)
            value_hash = known[1] if known is not None and known[0] == value else None
            setattr(model_instance, self.hash_field, value_hash or self.hash_of(value))
        return value


class EncryptedPhoneField(EncryptedCharField):
    """A phone number (a resident's, a booker's, a venue's contact): encrypted, optional, hashed
    as a mobile number (kind "phone", so that one number finds its person, case and booking)
    into the sibling column ``<name>_hash`` unless ``hash_field`` names another. Migrations see
    an ``EncryptedCharField`` with these arguments written out."""

    def __init__(
        self,
        *args: Any,
        max_length: int = 11,
        null: bool = True,
        blank: bool = True,
        hash_kind: str = "phone",
        normalize: Callable[[Any], str] | None = normalize_mobile,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            *args,
            max_length=max_length,
            null=null,
            blank=blank,
            hash_kind=hash_kind,
            normalize=normalize,
            **kwargs,
        )

    def contribute_to_class(
        self, cls: type[models.Model], name: str, *args: Any, **kw: Any
    ) -> None:
        if self.hash_field is None:
            self.hash_field = f"{name}_hash"
        super().contribute_to_class(cls, name, *args, **kw)


_KNOWN_HASHES = "_jiceng_known_hashes"


def keep_hash(instance: models.Model, field_name: str, value_hash: str) -> None:
    """Tell the encrypted field the hash of the value it holds now, computed already with its
    ``hash_of`` (an import hashes every ID number to find the person): saving uses it instead of
    computing the HMAC again, as long as the value is still the one it was computed for."""
    instance.__dict__.setdefault(_KNOWN_HASHES, {})[field_name] = (
        getattr(instance, field_name),
        value_hash,
    )


def encrypted_fields(model: type[models.Model]) -> list[EncryptedCharField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


def refresh_hashes(instance: models.Model) -> None:
    """Set the hash columns from the plaintext (for bulk_update, which skips pre_save)."""
    for field in encrypted_fields(type(instance)):
        if field.hash_field:
            setattr(instance, field.hash_field, field.hash_of(getattr(instance, field.attname)))


def encrypt(value: str | None) -> str | None:
    """A token for a value under the current key (bulk loaders that bypass the ORM use it)."""
    if not value:
        return None
    return field_fernet().encrypt(value.encode("utf-8")).decode("ascii")
