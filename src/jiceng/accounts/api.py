from __future__ import annotations

from ninja import Router, Schema

router = Router(tags=["accounts"])


class AssignmentOut(Schema):
    role: str
    role_label: str
    scope_code: str
    place: str


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[str]
    assignments: list[AssignmentOut]


@router.get("/me", response=MeOut, summary="当前用户及其角色")
def me(request):
    user = request.user
    return {
        "username": user.username,
        "full_name": user.full_name,
        "roles": sorted(user.roles),
        "assignments": [
            {
                "role": a.role,
                "role_label": str(a.get_role_display()),
                "scope_code": a.scope_code,
                "place": a.unit.name if a.unit_id else a.division.name,
            }
            for a in user.active_assignments
        ],
    }
