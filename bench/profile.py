"""Where our build spends its time: a pyinstrument session broken down by plugin and function.

Time is inclusive and counted once per group: a plugin function that calls back into Pelican or
Jinja carries that time too, and a plugin calling itself is not counted twice. Groups are our
plugins (plugins/<name>/), the parts of our package (src/self_promoting_blog/<part>/, named
self_promoting_blog.<part>), our theme's templates (theme/), and installed Pelican plugins.
Groups overlap where one calls another (a plugin's time includes the package code it calls,
which shows under its part too); "the rest" is the time outside all of them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

PACKAGE = "self_promoting_blog"
# Parts of the package that run Pelican rather than hook into it: their time is the whole build.
RUNNERS = {"build"}
REST = "Pelican, Markdown, Jinja (the rest)"
_INSTALLED = re.compile(r"site-packages/pelican/plugins/([^/]+)/")


def _group(file_path: str | None, root: Path) -> str | None:
    if not file_path:
        return None
    plugins, package, theme = f"{root}/plugins/", f"{root}/src/{PACKAGE}/", f"{root}/theme/"
    if file_path.startswith(plugins):
        return file_path[len(plugins):].split("/", 1)[0]
    if file_path.startswith(package):
        part = file_path[len(package):].split("/", 1)[0].removesuffix(".py")
        return None if part in RUNNERS else f"{PACKAGE}.{part}"
    if file_path.startswith(theme):
        return "theme templates"
    found = _INSTALLED.search(file_path)
    return f"pelican.plugins.{found.group(1)}" if found else None


def _where(node: Any, root: Path) -> str:
    if not node.file_path:  # pyinstrument's synthetic frames ([self], [await])
        return "-"
    path = Path(node.file_path)
    shown = path.relative_to(root) if path.is_relative_to(root) else node.file_path_short
    return f"{shown}:{node.line_no}"


def breakdown(session: Any, root: Path, top: int = 15) -> dict[str, Any]:
    """Seconds per group and the costliest entry points into each group, from a Session."""
    frame = session.root_frame()
    groups: dict[str, float] = defaultdict(float)
    functions: dict[tuple[str, str, str], float] = defaultdict(float)
    leaves: dict[tuple[str, str, str], float] = defaultdict(float)
    stack: list[tuple[Any, frozenset[str], str]] = [(frame, frozenset(), REST)] if frame else []
    ours = 0.0  # time inside any group, each moment once
    while stack:
        node, inside, innermost = stack.pop()
        group = _group(node.file_path, root)
        if group and not inside:
            ours += node.time
        if group and group not in inside:
            groups[group] += node.time
            functions[(group, node.function, _where(node, root))] += node.time
            inside = inside | {group}
        innermost = group or innermost
        # Self time goes to the innermost group that called it: PIL's PNG encoder under
        # social_cards, markupsafe under the theme's templates.
        if not node.is_synthetic:  # [self] frames are already in their parent's self time
            leaves[(innermost, node.function, _where(node, root))] += node.total_self_time
        stack.extend((child, inside, innermost) for child in node.children)
    total = frame.time if frame else 0.0
    hot = sorted(functions.items(), key=lambda item: -item[1])[:top]
    self_hot = sorted(leaves.items(), key=lambda item: -item[1])[:top]
    groups[REST] = max(total - ours, 0.0)
    return {
        "total_s": total,
        "groups_s": dict(sorted(groups.items(), key=lambda item: -item[1])),
        "hot": [{"group": g, "function": f, "where": w, "seconds": s} for (g, f, w), s in hot],
        "self_time": [{"group": g, "function": f, "where": w, "seconds": s}
                      for (g, f, w), s in self_hot],
    }

