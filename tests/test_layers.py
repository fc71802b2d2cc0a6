"""The layers of DESIGN.md hold, and import-linter with the project's own contract (the
``[tool.importlinter]`` section of pyproject.toml, the one `.ci/run` checks) would catch an
import that breaks them.

Each test runs `lint-imports` in a fresh process: on the real tree, or on a copy of the package's
Python files with one wrong import written into it (the copy comes first on PYTHONPATH, so the
linter analyses it instead of the installed package).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import jiceng

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
PACKAGE = Path(jiceng.__file__).resolve().parent


def lint_imports(*, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH")]))
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command;"
            " sys.exit(lint_imports_command())",
            str(PYPROJECT),
            "--no-cache",
            "--no-logo",
        ],
        cwd=pythonpath or ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The package's Python files under ``tmp_path/jiceng``; returns ``tmp_path``."""
    shutil.copytree(
        PACKAGE,
        tmp_path / "jiceng",
        ignore=lambda folder, names: (
            [n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir()]
            + ["__pycache__"]
        ),
    )
    return tmp_path


def write(root: Path, module: str, text: str) -> None:
    (root / Path(*module.split("."))).with_suffix(".py").write_text(text, encoding="utf-8")


def broken_contracts(result: subprocess.CompletedProcess[str]) -> set[str]:
    """The names of the contracts the report calls broken ("<name> BROKEN (1 ignored import)")."""
    lines = (
        re.match(r"(.+) BROKEN( \(\d+ ignored imports?\))?$", line)
        for line in result.stdout.splitlines()
    )
    return {m.group(1) for m in lines if m}


LAYERS = "Layers: an app imports only the layers below it (DESIGN.md)"
PEERS = "Domain apps import one another only where declared here"
CYCLES = "No two apps import each other, even through a third"


def test_the_code_keeps_the_layers():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_core_importing_an_app_above_it_breaks_the_layers(copy):
    write(copy, "jiceng.core.wrong_way", "from jiceng.points.models import PointEntry  # noqa\n")
    result = lint_imports(pythonpath=copy)
    assert result.returncode == 1
    assert LAYERS in broken_contracts(result)
    assert "jiceng.core is not allowed to import jiceng.points" in result.stdout
    assert "jiceng.core.wrong_way -> jiceng.points.models" in result.stdout


def test_an_import_hidden_inside_a_function_counts_too(copy):
    write(
        copy,
        "jiceng.geo.wrong_way",
        "def f():\n    from jiceng.accounts.models import User  # noqa\n\n    return User\n",
    )
    result = lint_imports(pythonpath=copy)
    assert result.returncode == 1
    assert "jiceng.geo is not allowed to import jiceng.accounts" in result.stdout


def test_an_app_importing_the_demo_breaks_the_layers(copy):
    write(copy, "jiceng.points.wrong_way", "from jiceng.demo import generate  # noqa\n")
    result = lint_imports(pythonpath=copy)
    assert result.returncode == 1
    assert "jiceng.points is not allowed to import jiceng.demo" in result.stdout


def test_an_undeclared_import_between_domain_apps_breaks_the_peers(copy):
    # venues -> party is no declared peer import; both sit in the domain layer
    write(copy, "jiceng.venues.wrong_way", "from jiceng.party.models import Member  # noqa\n")
    result = lint_imports(pythonpath=copy)
    assert result.returncode == 1
    assert broken_contracts(result) == {PEERS}


def test_a_peer_import_back_against_a_declared_one_is_a_cycle(copy):
    # cases -> registry is declared; registry -> cases would close a cycle
    write(copy, "jiceng.registry.wrong_way", "from jiceng.cases.models import Case  # noqa\n")
    result = lint_imports(pythonpath=copy)
    assert result.returncode == 1
    assert broken_contracts(result) == {PEERS, CYCLES}


def test_a_new_app_must_be_placed_in_a_layer(copy):
    # the layers contract is exhaustive: an app no layer names fails until it is placed
    (copy / "jiceng" / "newapp").mkdir()
    write(copy, "jiceng.newapp.__init__", "")
    result = lint_imports(pythonpath=copy)
    assert result.returncode == 1
    assert LAYERS in broken_contracts(result)
    assert "jiceng.newapp" in result.stdout


def test_ci_runs_the_contract():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "lint-imports" in ci
