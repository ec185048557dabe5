"""The layers the README's architecture section draws: each module imports only from its own
layer or the layers below it. A new module fails here until it is given a layer."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Bottom first. A name stands for a module or a package (and everything in it).
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("pure", ("matching",)),
    (
        "core",
        (
            "bot.models",
            "bot.config",
            "bot.clock",
            "bot.texts",
            "bot.callbacks",
            "bot.lifecycle",
            "bot.db",
            "bot.schema",
            "bot.deps",
            "bot.flood",
            "bot.availability",
            "bot.consents",
            "bot.pending",
            "bot.menus",
            "bot",  # bot/__init__.py
        ),
    ),
    ("messages", ("bot.notify", "bot.people", "bot.crisis", "bot.endings")),
    (
        "kit",
        (
            "bot.tg",
            "bot.forms",
            "bot.outbox",
            "bot.leases",
            "bot.offload",
            "bot.scheduler",
            "bot.roles",
        ),
    ),
    (
        "capabilities, lower",
        ("bot.onboarding", "bot.offers", "bot.evaluation"),
    ),
    ("capabilities, relationships", ("bot.relationships", "bot.workers")),
    ("capabilities, oversight", ("bot.safety", "bot.privacy", "bot.admin")),
    ("capabilities, top", ("bot.common", "bot.console")),
    ("pipeline", ("bot.pipeline",)),
    ("entry", ("bot.app", "bot.cli", "bot.__main__")),
]

# Arrows that may run up, each with why. Keep this empty if at all possible.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {}


def _layer_of(module: str) -> int | None:
    best, found = -1, None
    for height, (_name, members) in enumerate(LAYERS):
        for member in members:
            if (module == member or module.startswith(member + ".")) and len(member) > best:
                best, found = len(member), height
    return found


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[str]:
    """Every module of ours this one imports at run time (``from bot import x`` -> bot.x)."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            return
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return [name for name in found if name.split(".")[0] in ("bot", "matching")]


def _sources() -> list[Path]:
    return sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "matching").rglob("*.py")])


def test_every_module_has_a_layer() -> None:
    assert [_module_name(p) for p in _sources() if _layer_of(_module_name(p)) is None] == []


def test_no_import_runs_up_the_layers() -> None:
    upward = []
    for path in _sources():
        importer = _module_name(path)
        below = _layer_of(importer)
        for imported in _imports(ast.parse(path.read_text())):
            height = _layer_of(imported)
            upward_arrow = height is not None and height > below
            if upward_arrow and (importer, imported) not in ALLOWED_UPWARD:
                upward.append(
                    f"{importer} ({LAYERS[below][0]}) -> {imported} ({LAYERS[height][0]})"
                )
    assert upward == []


def test_no_capability_imports_common() -> None:
    offenders = [
        _module_name(path)
        for path in _sources()
        if not _module_name(path).startswith(("bot.common", "bot.app", "bot.cli"))
        and any(name.startswith("bot.common") for name in _imports(ast.parse(path.read_text())))
    ]
    assert offenders == []
