"""Writing the audit log. Every service that changes something that matters calls ``audit``."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import models

from jiceng.core.models import AuditEntry


@lru_cache(maxsize=8)
def _trusted_networks(proxies: tuple[str, ...]) -> tuple[ipaddress._BaseNetwork, ...] | None:
    """The configured proxies as networks; None means "*" (every peer is a proxy)."""
    if "*" in proxies:
        return None
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(text: str) -> ipaddress._BaseAddress | None:
    text = text.strip().strip("[]")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_ip(request: Any) -> str | None:
    """The address of the person behind the request, for the audit log, the login lockout and
    anything else that names the client.

    ``X-Forwarded-For`` is honoured only when the request comes from a configured proxy
    (``FORWARDED_ALLOW_IPS``, the same setting gunicorn reads); then the client is the
    right-most address of the chain that is not itself a trusted proxy. Anything to its left
    was written by the client and proves nothing.
    """
    if request is None:
        return None
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    trusted = _trusted_networks(tuple(settings.FORWARDED_ALLOW_IPS))

    def is_proxy(address: ipaddress._BaseAddress) -> bool:
        return trusted is None or any(address in network for network in trusted)

    if not is_proxy(peer):
        return str(peer)
    chain = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    client = peer
    for hop in reversed(chain):
        address = _address(hop)
        if address is None:
            break  # not an address: the proxy to its right is the last hop we can vouch for
        client = address
        if not is_proxy(address):
            break
    return str(client)


class RowRef:
    """A row written without a model object (a bulk service's rows), named as an audit entry
    names an object: its model, id, how it reads (the model's ``str``) and its scope code."""

    __slots__ = ("_meta", "pk", "scope_code", "text")

    def __init__(self, model: type[models.Model], pk: Any, text: str, scope_code: str = ""):
        self._meta = model._meta
        self.pk = pk
        self.text = text
        self.scope_code = scope_code

    def __str__(self) -> str:
        return self.text


def entry(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    scope_code: str = "",
    request: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """One audit entry, not yet saved: ``audit`` saves it, a bulk service saves many with
    ``audit_many``."""
    return AuditEntry(
        **entry_values(
            actor=actor,
            action=action,
            obj=obj,
            scope_code=scope_code,
            request=request,
            detail=detail,
        )
    )


def entry_values(
    *,
    actor: Any,
    action: str,
    obj: models.Model | RowRef | None = None,
    scope_code: str = "",
    request: Any = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The columns of one audit entry as a dict: what ``entry`` makes an object of, and what a
    bulk service of 100,000 rows gives ``audit_many`` without building an object per row."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return {
        "actor_id": actor.pk if is_user else None,  # the id: cheaper in a bulk of 100,000
        "actor_name": getattr(actor, "username", "") if is_user else "",
        "action": action,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "object_repr": str(obj)[:200] if obj is not None else "",
        "scope_code": scope_code or (getattr(obj, "scope_code", "") or ""),
        "ip": client_ip(request),
        "detail": detail or {},
    }


def audit(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    scope_code: str = "",
    request: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry; the caller's transaction makes it part of the same write."""
    made = entry(
        actor=actor, action=action, obj=obj, scope_code=scope_code, request=request, detail=detail
    )
    made.save(force_insert=True)
    return made
