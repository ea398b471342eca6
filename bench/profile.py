"""Where our build spends its time: a pyinstrument session broken down by plugin and function.

Time is inclusive and counted once per group: a plugin function that calls back into Pelican or
Jinja carries that time too, and a plugin calling itself is not counted twice. Groups are our
plugins (plugins/<name>/), our theme's templates (theme/), and installed Pelican plugins.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

# Code that runs Pelican rather than hooking into it: its time is the whole build.
RUNNERS = {"site_build"}
REST = "Pelican, Markdown, Jinja (the rest)"
_INSTALLED = re.compile(r"site-packages/pelican/plugins/([^/]+)/")


def _group(file_path: str | None, root: Path) -> str | None:
    if not file_path:
        return None
    plugins, theme = f"{root}/plugins/", f"{root}/theme/"
    if file_path.startswith(plugins):
        name = file_path[len(plugins):].split("/", 1)[0]
        return None if name in RUNNERS else name
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
    while stack:
        node, inside, innermost = stack.pop()
        group = _group(node.file_path, root)
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
    groups[REST] = max(total - sum(groups.values()), 0.0)
    return {
        "total_s": total,
        "groups_s": dict(sorted(groups.items(), key=lambda item: -item[1])),
        "hot": [{"group": g, "function": f, "where": w, "seconds": s} for (g, f, w), s in hot],
        "self_time": [{"group": g, "function": f, "where": w, "seconds": s}
                      for (g, f, w), s in self_hot],
    }


def profile_ours(dirs: Any, articles: int, say: Any) -> dict[str, Any]:
    """Build (c) once under pyinstrument; return the breakdown and lines for the report."""
    from bench.builds import build
    from bench.setups import OURS

    html = dirs.root / f"profile-ours-{articles}.html"
    run = build(OURS, dirs, dirs.root / "logs" / "profile.log", profile=html)
    found = run.profile or {}
    total = found.get("total_s") or run.seconds
    say(f"{articles:>5} articles, (c) under pyinstrument: {run.seconds:.2f} s; report: {html}")
    groups = ", ".join(f"{name} {seconds:.2f} s ({seconds / total:.0%})"
                       for name, seconds in list(found.get("groups_s", {}).items())[:8])
    lines = [(f"profile of (c), {articles:,} articles (pyinstrument, inclusive time)",
              f"{total:.2f} s in all; {groups}")]
    for hot in found.get("hot", [])[:8]:
        lines.append((f"  hot spot: {hot['group']} · {hot['function']} ({hot['where']})",
                      f"{hot['seconds']:.2f} s ({hot['seconds'] / total:.0%})"))
    for leaf in found.get("self_time", [])[:8]:
        lines.append((f"  self time: {leaf['function']} ({leaf['where']}), under {leaf['group']}",
                      f"{leaf['seconds']:.2f} s ({leaf['seconds'] / total:.0%})"))
    return {"articles": articles, "seconds": run.seconds, "html": str(html),
            "breakdown": found, "lines": lines}
