"""The architecture the code promises (ARCHITECTURE.md), checked on the source itself.

Every import counts, lazy ones (inside functions) included, because each runs sooner or later.
The package (src/self_promoting_blog) and the Pelican plugins (plugins/):

- no module imports itself back through others (no cycle);
- the package never imports a plugin, and deploy never imports the promotion engine;
- check imports only content and the leaves;
- a plugin imports only the standard library, installed libraries, the package and itself;
- the package that runs, here and in a subprocess, is this checkout's (not another venv's).
"""

from __future__ import annotations

import ast
import graphlib
import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.site import ROOT

SRC, PLUGINS = ROOT / "src", ROOT / "plugins"
PACKAGE = "self_promoting_blog"


def modules(root: Path) -> dict[str, Path]:
    """Every module under `root`, by its dotted name."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = modules(SRC) | modules(PLUGINS)
PLUGIN_NAMES = {path.parent.name for path in PLUGINS.glob("*/__init__.py")}


def imported_names(name: str, path: Path) -> set[str]:
    """The dotted names a module imports, relative imports resolved, wherever they stand."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from package import module` imports that module; `from module import name`, it.
            subs = {f"{base}.{alias.name}" for alias in node.names} & MODULES.keys()
            names.update(subs if len(subs) == len(node.names) else subs | {base})
    return names


def our_module(name: str) -> str | None:
    """The module of ours an imported dotted name loads (its longest known prefix), if any."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in MODULES:
            return ".".join(parts[:end])
    return None


IMPORTS = {name: imported_names(name, path) for name, path in MODULES.items()}
GRAPH = {name: {dep for dep in map(our_module, names) if dep and dep != name}
         for name, names in IMPORTS.items()}


def test_no_module_imports_itself_back():
    try:
        graphlib.TopologicalSorter(GRAPH).prepare()
    except graphlib.CycleError as cycle:
        pytest.fail("import cycle: " + " -> ".join(cycle.args[1]))


def test_the_package_imports_no_plugin_and_deploy_knows_nothing_of_promote():
    wrong = sorted(f"{name} imports {dep}" for name, deps in GRAPH.items()
                   if name.startswith(f"{PACKAGE}.") or name == PACKAGE for dep in deps
                   if dep.split(".")[0] in PLUGIN_NAMES
                   or (name.startswith(f"{PACKAGE}.deploy")
                       and dep.startswith(f"{PACKAGE}.promote")))
    assert wrong == []


def test_the_checks_import_only_content_and_the_leaves():
    """check ──▶ content: a checker never loads the engine whose headers it checks. A leaf
    imports nothing of the package but other leaves (the build cache's fingerprint and setting
    are leaves, which the check's store of kept facts shares)."""
    leaves = {f"{PACKAGE}.{leaf}" for leaf in ("errors", "settings", "env", "s3",
                                                "generator_lists", "theme_contract",
                                                "build.fingerprint", "build.settings")}
    wrong = sorted(f"{name} imports {dep}" for name, deps in GRAPH.items()
                   if name.split(".")[:2] == [PACKAGE, "check"] for dep in deps
                   if dep.split(".")[:2] not in ([PACKAGE, "check"], [PACKAGE, "content"])
                   and dep not in leaves)
    not_leaves = sorted(f"{leaf} imports {dep}" for leaf in leaves for dep in GRAPH[leaf]
                        if dep not in leaves)
    assert (wrong, not_leaves) == ([], [])


def test_plugins_import_only_libraries_the_package_and_themselves():
    libraries = set(sys.stdlib_module_names) | set(importlib.metadata.packages_distributions())
    wrong = []
    for name, names in IMPORTS.items():
        plugin = name.split(".")[0]
        if plugin not in PLUGIN_NAMES:
            continue
        for imported in names:
            top = imported.split(".")[0]
            if top in (plugin, PACKAGE, "__future__"):
                continue
            if top in PLUGIN_NAMES or top not in libraries:
                wrong.append(f"{MODULES[name].relative_to(ROOT)} imports {imported}")
    assert sorted(wrong) == []


def test_the_package_that_runs_is_this_checkouts():
    import self_promoting_blog

    assert Path(self_promoting_blog.__file__).resolve().is_relative_to(SRC)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    ran = subprocess.run([sys.executable, "-c", f"import {PACKAGE}; print({PACKAGE}.__file__)"],
                         cwd="/", env=env, capture_output=True, text=True, timeout=60, check=True)
    assert Path(ran.stdout.strip()).resolve().is_relative_to(SRC), (
        f"a subprocess imports {ran.stdout.strip()}: give this checkout its own venv with the "
        "package installed from it (`.venv/bin/pip install --no-deps -e .`)")


def test_the_checks_see_lazy_and_relative_imports(tmp_path):
    """The graph misses nothing a module can import: inside a function, or relative."""
    module = tmp_path / "module.py"
    module.write_text("def later():\n    from self_promoting_blog.promote import ledger\n"
                      "    from .batches import Batch\n    import feeds.settings\n"
                      "    from self_promoting_blog.promote import ledger_bucket, log\n")
    assert imported_names(f"{PACKAGE}.cards.worker", module) == {
        f"{PACKAGE}.promote.ledger", f"{PACKAGE}.cards.batches", "feeds.settings",
        f"{PACKAGE}.promote.ledger_bucket", f"{PACKAGE}.promote"}
