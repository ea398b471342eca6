"""Every name a plugin gives the theme is declared in theme_contract, and every declared one is set.

Reads plugins/ with `ast` (no build): attribute assignments on Pelican's objects, template
context keys, Jinja filters and globals, whether assigned one by one, through `.update(...)` or
through `setattr`.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from self_promoting_blog import theme_contract

PLUGINS = Path(__file__).resolve().parent.parent / "plugins"

# What plugins call Pelican's objects, and where what they set on each must be declared.
OBJECTS = {
    "article": theme_contract.OnArticle,
    "content": theme_contract.OnContent,
    "wrapper": theme_contract.OnWrapper,
    "generator": theme_contract.OnGenerator,
}
# Objects of the plugins' own (no template sees them): anything set on them is private.
PRIVATE = {
    "self": "the instance itself",
    "_build": "social_cards' build in progress",
    "built": "a feed entry in feeds' cache",
    "report": "feeds' build report",
    "entry": "a feedgen entry being filled in",
    "element": "an lxml element of a feed",
    "xml_elem": "(what it returns) an lxml element of a feed",
}
# Where a plugin puts Jinja names: the object holding them, and their declaration.
NAMESPACES = {
    "context": theme_contract.Context,
    "filters": theme_contract.Filters,
    "globals": theme_contract.Globals,
}


def declared(kind: type) -> set[str]:
    """The names a contract class declares, its contract bases' included."""
    return {name for klass in kind.__mro__ if klass.__module__ == theme_contract.__name__
            for name in vars(klass).get("__annotations__", {})}


def root(node: ast.expr) -> str | None:
    """`article` for `article.x[0].y`, `make` for `make(…).y`; None for a literal."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def namespace(node: ast.expr) -> str | None:
    """"context" for `generator.context` or `context`, "filters" for `x.env.filters`, …"""
    if isinstance(node, ast.Name) and node.id == "context":
        return "context"
    if isinstance(node, ast.Attribute):
        if node.attr == "context":
            return "context"
        if node.attr in ("filters", "globals") and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "env":
            return node.attr
    return None


class Module:
    """One plugin module's source, with its module-level dict literals for `.update(NAME)`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        self.dicts = {target.id: node.value for node in self.tree.body
                      if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
                      for target in node.targets if isinstance(target, ast.Name)}
        self.imported = {alias.asname or alias.name: node.module for node in self.tree.body
                         if isinstance(node, ast.ImportFrom) and node.module
                         for alias in node.names}

    def where(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(PLUGINS.parent)}:{getattr(node, 'lineno', '?')}"

    def keys(self, node: ast.expr) -> list[str]:
        """The constant keys of a dict literal, or of the module-level dict a name refers to."""
        if isinstance(node, ast.Name):
            if node.id in self.dicts:
                return self.keys(self.dicts[node.id])
            module = self.imported.get(node.id)
            if module:
                source = PLUGINS / (module.replace(".", "/") + ".py")
                if not source.is_file():
                    source = source.with_suffix("") / "__init__.py"
                if source.is_file():
                    return Module(source).keys(node)
        if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
            return [str(k.value) for k in node.keys if isinstance(k, ast.Constant)]
        raise AssertionError(f"cannot read the names in {ast.unparse(node)}: give them as a dict "
                             "literal (here or in a module-level constant)")


def targets(node: ast.AST) -> Iterator[ast.expr]:
    """The assigned expressions of an assignment, unpacking tuples."""
    found = (node.targets if isinstance(node, ast.Assign) else
             [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else [])
    stack = list(found)
    while stack:
        target = stack.pop()
        if isinstance(target, ast.Tuple | ast.List):
            stack.extend(target.elts)
        elif isinstance(target, ast.Starred):
            stack.append(target.value)
        else:
            yield target


def what_plugins_set() -> tuple[dict[type, dict[str, str]], list[str]]:
    """{contract class: {name: where}} for every name the plugins set, and what cannot be placed."""
    found: dict[type, dict[str, str]] = defaultdict(dict)
    unplaced: list[str] = []

    def on_object(owner: ast.expr, name: str, where: str) -> None:
        if isinstance(owner, ast.Name) and owner.id in OBJECTS:
            found[OBJECTS[owner.id]].setdefault(name, where)
        elif root(owner) not in PRIVATE:
            unplaced.append(f"{where}: {ast.unparse(owner)}.{name}: call the object one of "
                            f"{sorted(OBJECTS)} (Pelican's) or add it to PRIVATE (the plugin's)")

    for path in sorted(PLUGINS.rglob("*.py")):
        module = Module(path)
        for node in ast.walk(module.tree):
            where = module.where(node)
            for target in targets(node):
                if isinstance(target, ast.Attribute):
                    on_object(target.value, target.attr, where)
                elif isinstance(target, ast.Subscript) and namespace(target.value):
                    key = target.slice
                    if not isinstance(key, ast.Constant):
                        unplaced.append(f"{where}: {ast.unparse(target)}: use a constant key")
                        continue
                    found[NAMESPACES[namespace(target.value)]].setdefault(str(key.value), where)
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Name) and node.func.id == "setattr":
                owner, name = node.args[0], node.args[1]
                if not isinstance(name, ast.Constant):
                    unplaced.append(f"{where}: setattr with a computed name")
                    continue
                on_object(owner, str(name.value), where)
            elif isinstance(node.func, ast.Attribute) and node.func.attr == "update" \
                    and namespace(node.func.value):
                kind = NAMESPACES[namespace(node.func.value)]
                names = [k for arg in node.args for k in module.keys(arg)]
                names += [k.arg for k in node.keywords if k.arg]
                for name in names:
                    found[kind].setdefault(name, where)
    return found, unplaced


SET, UNPLACED = what_plugins_set()
CONTRACT = [*dict.fromkeys(OBJECTS.values()), *NAMESPACES.values()]


def test_every_assignment_in_plugins_is_on_a_known_object():
    assert UNPLACED == []


@pytest.mark.parametrize("kind", CONTRACT, ids=lambda kind: kind.__name__)
def test_every_name_a_plugin_sets_is_declared(kind):
    undeclared = {name: where for name, where in SET[kind].items() if name not in declared(kind)}
    assert undeclared == {}, f"declare these in theme_contract.{kind.__name__}"


@pytest.mark.parametrize("kind", CONTRACT, ids=lambda kind: kind.__name__)
def test_every_declared_name_is_set_by_a_plugin(kind):
    own = set(vars(kind).get("__annotations__", {}))
    assert own - set(SET[kind]) == set(), f"no plugin sets these of theme_contract.{kind.__name__}"


def test_the_check_sees_what_the_plugins_are_known_to_set():
    """The reader itself works: a few assignments of each form, where they are today."""
    assert SET[theme_contract.OnArticle]["reading_time"].startswith("plugins/article_extras/")
    assert SET[theme_contract.OnArticle]["syndication"].startswith("plugins/promote/")
    assert SET[theme_contract.OnWrapper]["feeds"].startswith("plugins/feeds/")
    assert set(SET[theme_contract.Filters]) == {"plain_summary", "url_of", "render_once"}
    assert set(SET[theme_contract.Globals]) == {"social_meta"}
    assert SET[theme_contract.Context]["social_site"].startswith("plugins/social_meta/")
