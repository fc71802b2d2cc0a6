"""The API's OpenAPI document names each response and body schema by its class name alone, so two
apps' classes of the same name become one component and one app's answers are checked against
the other's fields (the fuzz test found assessment's EvaluationOut standing for projects'). No
two schema classes of the API share a name."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema


def test_no_two_api_schemas_share_a_name():
    import jiceng.api  # noqa: F401  (imports every app's router)

    seen: dict[str, set[str]] = defaultdict(set)

    def walk(cls) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("jiceng.") and sub.__module__.endswith(".api"):
                seen[sub.__name__].add(f"{sub.__module__}.{sub.__qualname__}")
            walk(sub)

    walk(Schema)
    assert {name: where for name, where in seen.items() if len(where) > 1} == {}
