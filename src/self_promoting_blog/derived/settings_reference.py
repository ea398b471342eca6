"""docs/settings.md's per-part tables, read from each settings module's DEFAULTS.

A row is one key of a ``DEFAULTS`` dict literal: the name, its default as the source writes it,
and the comment written for it (the comment lines right above the key, and one at the end of its
line). The modules are read as text, not imported, so a default computed from the machine (a
font's absolute path) shows as its expression and the page is the same on every checkout.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path

from self_promoting_blog.derived import Target

PAGE = "docs/settings.md"
ROOT = Path(__file__).resolve().parents[3]  # the checkout that holds src/ and plugins/


@dataclass(frozen=True)
class Part:
    """One settings module and where its settings are explained (relative to docs/)."""

    title: str
    module: str       # relative to ROOT
    explained: str    # a docs page, with its anchor


PARTS = (
    Part("build", "src/self_promoting_blog/build/settings.py", "writing.md#build-and-preview"),
    Part("content_check", "src/self_promoting_blog/check/settings.py",
         "writing.md#checking-your-files"),
    Part("article_extras", "plugins/article_extras/settings.py",
         "theme-and-sharing.md#reading-time-related-articles-previousnext"),
    Part("share_links", "plugins/share_links/settings.py", "theme-and-sharing.md#share-links"),
    Part("social_meta", "plugins/social_meta/settings.py",
         "theme-and-sharing.md#link-previews-and-search"),
    Part("social_cards", "src/self_promoting_blog/cards/settings.py",
         "theme-and-sharing.md#social-cards"),
    Part("feeds", "plugins/feeds/settings.py", "feeds.md#settings"),
    Part("promote", "src/self_promoting_blog/promote/settings.py", "promotion.md#settings"),
    Part("responses", "src/self_promoting_blog/promote/responses_settings.py",
         "stats.md#responses-under-the-article"),
    Part("deploy", "src/self_promoting_blog/deploy/settings.py", "deploy-and-publish.md#settings"),
    Part("publish", "src/self_promoting_blog/publish/settings.py",
         "deploy-and-publish.md#settings"),
)


@dataclass(frozen=True)
class Setting:
    name: str
    default: str   # the source text of the default, on one line
    comment: str


def _comments(source: str) -> dict[int, str]:
    """Every comment's text by line number."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {tok.start[0]: tok.string.lstrip("#").strip()
            for tok in tokens if tok.type == tokenize.COMMENT}


def _one_line(code: str) -> str:
    """A (possibly multi-line) literal on one line, without the trailing commas of its lines."""
    text = " ".join(code.split())
    for opening in "[{(":
        text = text.replace(f"{opening} ", opening)
    for closing in "]})":
        text = text.replace(f", {closing}", closing).replace(f" {closing}", closing)
    return text


def _defaults_dict(tree: ast.Module, path: Path) -> ast.Dict:
    """The `DEFAULTS = {...}` (or `DEFAULTS: ... = {...}`) literal at the module's top level."""
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Dict):
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            if isinstance(target, ast.Name) and target.id == "DEFAULTS":
                return node.value
    raise ValueError(f"{path} has no DEFAULTS = {{...}} dict literal")


def read_defaults(path: Path) -> list[Setting]:
    """The settings of the DEFAULTS dict literal in `path`, in source order."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    comments = _comments(source)
    defaults = _defaults_dict(ast.parse(source), path)
    settings = []
    for key, value in zip(defaults.keys, defaults.values, strict=True):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            raise ValueError(f"{path}:{value.lineno}: a DEFAULTS key that is not a string")
        above: list[str] = []
        line = key.lineno - 1
        while line in comments and lines[line - 1].lstrip().startswith("#"):
            above.insert(0, comments[line])
            line -= 1
        beside = comments.get(value.end_lineno or value.lineno, "")
        code = ast.get_source_segment(source, value) or ""
        settings.append(Setting(key.value, _one_line(code), " ".join([*above, beside]).strip()))
    return settings


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    """Every part's table, in PARTS order."""
    out = []
    for part in PARTS:
        out += [f"### {part.title}", "",
                (f"From [`{part.module}`](../{part.module}); explained in "
                 f"[{part.explained.split('#')[0]}]({part.explained})."), "",
                "| setting | default | what the source says |", "|---|---|---|"]
        out += [f"| `{s.name}` | `{_cell(s.default)}` | {_cell(s.comment)} |"
                for s in read_defaults(ROOT / part.module)]
        out.append("")
    return "\n".join(out)


TARGETS = [Target(PAGE, render, block="settings")]
