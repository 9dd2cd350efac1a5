"""The design holds, drawn from the imports (DESIGN "Apps and the direction of their imports";
issue #12 item 7): a lower app never imports a higher one, production code never imports the
development tooling, services never import views, and channels (views, API, back-office, tasks)
reach another app through its services and selectors, not its models.

Each rule is a function of the parsed source, so a test of the tests can show it fails when the
rule is broken."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Each app may import these (and itself); the composition root may import everything.
ALLOWED: dict[str, set[str]] = {
    "seu": set(),
    "documents": {"seu"},
    "registre": {"seu", "documents"},
    "notificacions": {"seu", "documents", "registre"},
    "expedients": {"seu", "documents", "registre", "notificacions"},
    "tauler": {"seu", "documents"},
    "informacio": {"seu", "documents"},
    "cites": {"seu", "documents"},
}
APPS = set(ALLOWED)
COMPOSITION_ROOT = {"seu/settings.py", "seu/urls.py", "seu/celery.py", "seu/wsgi.py"}
CHANNELS = {"views.py", "api.py", "admin.py", "tasks.py", "feeds.py"}

# Imports that still break a rule: each is a debt to pay (a selector of the other app; the board's
# health probe out of its services), listed so that none is added unseen; the test fails when one
# is paid and not removed from here.
KNOWN_DEBTS = {
    ("tauler/feeds.py", "seu.models"),
    ("documents/admin.py", "seu.models"),
    ("registre/api.py", "seu.models"),
    ("registre/views.py", "seu.models"),
}


@dataclass(frozen=True)
class Import:
    path: str  # relative to the repository, with forward slashes
    line: int
    module: str
    type_only: bool


def imports_of(path: str, source: str) -> Iterator[Import]:
    tree = ast.parse(source)
    type_only_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                for inner in ast.walk(child):
                    type_only_lines.add(getattr(inner, "lineno", -1))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(path, node.lineno, alias.name, node.lineno in type_only_lines)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield Import(path, node.lineno, node.module, node.lineno in type_only_lines)
            for alias in node.names:  # "from documents import services" names a module too
                yield Import(
                    path, node.lineno, f"{node.module}.{alias.name}", node.lineno in type_only_lines
                )


def violations(found: Import) -> list[str]:
    app = found.path.split("/", 1)[0]
    target = found.module.split(".")[0]
    where = f"{found.path}:{found.line} imports {found.module}"
    problems: list[str] = []
    if found.path in COMPOSITION_ROOT or "/migrations/" in found.path:
        return problems
    if target == "devtools" and app != "devtools":
        problems.append(f"{where}: production code never imports the development tooling")
    if app in APPS and target in APPS and target != app and target not in ALLOWED[app]:
        problems.append(f"{where}: {app} sits below {target}")
    name = found.path.rsplit("/", 1)[-1]
    if name == "services.py" and found.module.split(".")[-1] == "views":
        problems.append(f"{where}: services never import views")
    if (
        app in APPS
        and name in CHANNELS
        and target in APPS
        and target != app
        and found.module == f"{target}.models"
        and not found.type_only
    ):
        problems.append(f"{where}: a channel reads another app's models")
    return problems


def project_imports() -> Iterator[Import]:
    for app in [*APPS, "devtools"]:
        folder = ROOT / app
        if not folder.is_dir():
            continue
        for path in folder.rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            yield from imports_of(relative, path.read_text(encoding="utf-8"))


def _debt(problem: str) -> tuple[str, str]:
    path = problem.split(":", 1)[0]
    module = problem.split(" imports ", 1)[1].split(":", 1)[0]
    return (path, module)


def test_the_imports_follow_the_design() -> None:
    problems = sorted({p for found in project_imports() for p in violations(found)})
    new = [p for p in problems if _debt(p) not in KNOWN_DEBTS]
    assert not new, "\n".join(new)
    paid = KNOWN_DEBTS - {_debt(p) for p in problems}
    assert not paid, f"remove from KNOWN_DEBTS, they are paid: {sorted(paid)}"


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        ("seu/views.py", "from registre import services\n", "seu sits below registre"),
        ("documents/sealing.py", "from devtools.pki import DevPki\n", "development tooling"),
        ("registre/services.py", "from registre import views\n", "never import views"),
        ("tauler/views.py", "from registre.models import RegistryEntry\n", "another app's models"),
        ("informacio/services.py", "from tauler import services\n", "informacio sits below tauler"),
        ("cites/tasks.py", "import documents.models\n", "another app's models"),
    ],
)
def test_each_rule_fails_when_it_is_broken(path: str, source: str, expected: str) -> None:
    problems = [p for found in imports_of(path, source) for p in violations(found)]
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("registre/services.py", "from documents import services as documents\n"),
        ("seu/settings.py", "import cites\n"),
        ("devtools/demo.py", "from cites.models import Service\n"),
        (
            "tauler/views.py",
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from seu.models import Organ\n",
        ),
    ],
)
def test_what_the_design_allows_passes(path: str, source: str) -> None:
    assert [p for found in imports_of(path, source) for p in violations(found)] == []


# --- Tests: a test module is never imported -------------------------------------------------------


def imports_of_test_modules(path: str, source: str) -> list[str]:
    """What ``path`` (a file under tests/) imports from a test module: ``test_*`` modules are
    collected by pytest, never imported (their fixtures would be registered twice and their tests
    run again); what several modules share lives in tests/support/ or a conftest.py."""
    problems: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            modules = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for module in modules:
            if any(part.startswith("test_") for part in module.split(".")):
                problems.append(f"{path}:{node.lineno} imports {module}: a test module")
                break
    return problems


def test_no_file_under_tests_imports_a_test_module() -> None:
    problems = [
        problem
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for problem in imports_of_test_modules(
            path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")
        )
    ]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    "source",
    [
        "from tests.registre.test_filing import log_in\n",
        "from tests.seu import test_certificates\n",
        "import tests.e2e.test_clave_login\n",
        "def helper():\n    from tests.registre.test_api import grant\n",
        "from .test_pipeline import _independent_context\n",
    ],
)
def test_importing_a_test_module_is_reported(source: str) -> None:
    assert imports_of_test_modules("tests/registre/test_instants.py", source) != []


@pytest.mark.parametrize(
    "source",
    [
        "from tests.support.filing import log_in\n",
        "from tests.actors import CITIZEN\n",
        "from tests.e2e.conftest import Browse\n",
        "import pytest\n",
        "from tests.support import files\n",
    ],
)
def test_importing_support_modules_passes(source: str) -> None:
    assert imports_of_test_modules("tests/registre/test_instants.py", source) == []
