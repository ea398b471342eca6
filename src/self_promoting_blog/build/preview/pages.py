"""What the preview adds to the site: the reload hook in each HTML answer, and the error page.

The hook is one ``<script>`` element inserted before the last ``</body>`` of an HTML answer
(at the end when there is none) and nowhere else; ``without_reload_hook`` removes exactly it,
which is how the tests compare a preview answer with a full build's file byte for byte. The
script waits on ``/__preview__/wait?v=<version>`` and reloads the tab when the site has changed
since its page was served.
"""

from __future__ import annotations

import html
import os
import re
import traceback
from dataclasses import dataclass

HOOK_PATH = "/__preview__/reload.js"
WAIT_PATH = "/__preview__/wait"
_HOOK = '<script src="' + HOOK_PATH + '?v={version}"></script>'
_HOOK_RE = re.compile(re.escape('<script src="' + HOOK_PATH) + r'\?v=\d+"></script>')

RELOAD_JS = """\
(function () {
  // Ask the preview server to answer once the site has changed since this page's version.
  var version = new URL(document.currentScript.src).searchParams.get("v");
  function wait() {
    fetch("WAIT_PATH?v=" + version, {cache: "no-store"}).then(function (answer) {
      if (answer.status === 200) { location.reload(); } else { wait(); }
    }, function () { setTimeout(wait, 1000); });  // the server restarts: try again
  }
  wait();
})();
""".replace("WAIT_PATH", WAIT_PATH)


def with_reload_hook(text: str, version: int) -> str:
    """text with the hook before its last </body> (or at its end)."""
    hook = _HOOK.format(version=version)
    at = text.rfind("</body>")
    return text + hook if at < 0 else text[:at] + hook + text[at:]


def without_reload_hook(text: str) -> str:
    """An HTML answer as the full build wrote it: the one hook removed."""
    return _HOOK_RE.sub("", text, count=1)


@dataclass(frozen=True)
class Trouble:
    """One thing that keeps a page from being shown: where (file:line), what is wrong, the fix."""

    where: str
    what: str
    fix: str


def _shown(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def template_trouble(exc: BaseException) -> Trouble | None:
    """A theme template's syntax or rendering error, with its file and line; None otherwise."""
    name = getattr(exc, "filename", None)
    line = getattr(exc, "lineno", None)
    if not (name and line):
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename.endswith((".html", ".xml", ".j2"))]
        if not frames:
            return None
        name, line = frames[-1].filename, frames[-1].lineno
    message = getattr(exc, "message", None) or str(exc)
    return Trouble(f"{_shown(name)}:{line}", f"{type(exc).__name__}: {message}",
                   "correct the template at that line; the page reloads by itself once the "
                   "file is saved")


def error_page(address: str, troubles: list[Trouble], version: int) -> str:
    """The page shown instead of address: each trouble, and the reload hook."""
    items = "\n".join(
        f"<li><code>{html.escape(t.where)}</code><p>{html.escape(t.what)}</p>"
        f"<p><strong>Fix:</strong> {html.escape(t.fix)}</p></li>" if t.fix else
        f"<li><code>{html.escape(t.where)}</code><p>{html.escape(t.what)}</p></li>"
        for t in troubles)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Preview error: {html.escape(address)}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}}
h1{{color:#b00020}}li{{margin:1rem 0}}code{{font-weight:bold}}</style></head>
<body><h1>This page cannot be shown</h1>
<p><code>{html.escape(address)}</code> is not built because of {len(troubles)} problem(s).
Fix the file and save it: this tab reloads by itself.</p>
<ul>
{items}
</ul>
</body></html>
"""
    return with_reload_hook(page, version)
