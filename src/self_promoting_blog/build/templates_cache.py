"""Compiled templates kept between builds (Jinja's bytecode), keyed so that stale code never runs.

Jinja finds a template's bytecode by its name and file and checks the SHA-1 of its source, which
is not enough: the compiled code also depends on the environment. Its syntax options (trim_blocks,
delimiters...), its extensions, the template's autoescape and `finalize` decide what code is made;
each filter and test, whether it exists and what it is passed (context, environment...); and,
because Jinja calls a filter applied to constants while compiling, each filter's code. So the
bytecode lives in ``CACHE_PATH/templates/<environment key>/``, the key covering Jinja's and
Python's versions and all of the above (a filter's or an extension's code by the source of the
module that defines it, a package's by all its files), read from the environment each time a
template is loaded, after every plugin added its filters. The few most recently used keys are
kept. A file is written by rename, so a crashed build leaves none half-written; one that cannot
be read is compiled again.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import shutil
import sys
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.utils import _PassArg

from self_promoting_blog.build.fingerprint import TextDigest, module_sources, version

FOLDER = "templates"
KEEP_ENVIRONMENTS = 4
_OPTIONS = ("block_start_string", "block_end_string", "variable_start_string",
            "variable_end_string", "comment_start_string", "comment_end_string",
            "line_statement_prefix", "line_comment_prefix", "trim_blocks", "lstrip_blocks",
            "newline_sequence", "keep_trailing_newline", "optimized", "is_async", "sandboxed")


@cache
def _module_code(name: str) -> str:
    """The hash of a module's source (a package: all its files); its name when it has none."""
    digest = TextDigest()
    module = sys.modules.get(name)
    digest(name, *(hashlib.sha256(p.read_bytes()).hexdigest()
                   for p in (module_sources(module) if module else [])))
    return digest.hexdigest()


def _code(obj: Any) -> str:
    """Where a callable's code comes from: its class, module and that module's source."""
    target = getattr(obj, "func", obj)  # functools.partial
    module = inspect.getmodule(target) or inspect.getmodule(type(target))
    name = getattr(target, "__qualname__", type(target).__qualname__)
    return f"{name}@{_module_code(module.__name__) if module else '-'}"


def _callables(kind: str, table: dict[str, Any]) -> list[str]:
    return [f"{kind}:{name}:{_PassArg.from_obj(func)}:"
            f"{getattr(func, 'jinja_async_variant', False)}:{_code(func)}"
            for name, func in sorted(table.items())]


def environment_key(environment: Environment) -> str:
    """What, besides a template's source, name and autoescape, its compiled code depends on."""
    digest = TextDigest()
    digest(sys.version, version("jinja2"), version("markupsafe"))
    digest(*(f"{option}={getattr(environment, option, None)!r}" for option in _OPTIONS))
    digest(*(_code(ext) for _, ext in sorted(environment.extensions.items())))
    digest(*_callables("filter", environment.filters), *_callables("test", environment.tests))
    finalize = environment.finalize
    digest("finalize", f"{_PassArg.from_obj(finalize)}:{_code(finalize)}" if finalize else "-")
    digest(*(_code(cls) for cls in (environment.code_generator_class,
                                    environment.context_class, environment.undefined)))
    digest(*(repr(sorted(getattr(environment, name, ())))  # a sandbox's
             for name in ("intercepted_binops", "intercepted_unops")))
    return digest.hexdigest()


class TemplatesCache(BytecodeCache):
    """Jinja's bytecode cache on disk, under a key of the environment (see the module's text)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.used: set[Path] = set()

    def get_bucket(self, environment: Environment, name: str, filename: str | None,
                   source: str) -> Bucket:
        autoescape = environment.autoescape
        escaped = autoescape(name) if callable(autoescape) else autoescape
        digest = TextDigest()
        digest(name, filename or "", repr(bool(escaped)))
        key = f"{environment_key(environment)}/{digest.hexdigest()}"
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        path = self.root / bucket.key
        self.used.add(path.parent)
        try:
            with path.open("rb") as source:
                bucket.load_bytecode(source)
        except FileNotFoundError:
            return
        except Exception:  # damaged: compile again, and overwrite it
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        path = self.root / bucket.key
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        try:
            with temporary.open("wb") as out:
                bucket.write_bytecode(out)
            os.replace(temporary, path)
        except OSError:  # not kept: the next build compiles it again
            temporary.unlink(missing_ok=True)

    def prune(self) -> None:
        """Keep the environments of this build and the most recently used others."""
        for folder in self.used:
            if folder.is_dir():
                os.utime(folder)
        if not self.root.is_dir():
            return
        others = sorted((p for p in self.root.iterdir() if p not in self.used),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in others[max(KEEP_ENVIRONMENTS - len(self.used), 0):]:
            shutil.rmtree(stale, ignore_errors=True)
