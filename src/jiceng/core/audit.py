"""Writing the audit log. Every service that changes something that matters calls ``audit``."""

from __future__ import annotations

from typing import Any

from django.db import models

from jiceng.core.models import AuditEntry


def client_ip(request: Any) -> str | None:
    if request is None:
        return None
    # Behind the load balancer the first forwarded address is the client's.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


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
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if is_user else None,
        actor_name=getattr(actor, "username", "") if is_user else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        scope_code=scope_code or (getattr(obj, "scope_code", "") or ""),
        ip=client_ip(request),
        detail=detail or {},
    )
