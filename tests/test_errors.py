"""One error tree: every expected failure is a BlogError with a one-line message; a bad setting
names itself, its value and the fix; nothing below tasks.py ends the process."""

from __future__ import annotations

import ast
import inspect
import io
import math
import socket
from functools import partial
from pathlib import Path

import pytest
from rich.console import Console

from article_extras.settings import load_settings as article_extras_settings
from feeds.settings import load_settings as feeds_settings
from self_promoting_blog import errors
from self_promoting_blog.build.build import overrides_from_cli
from self_promoting_blog.build.serve import serve
from self_promoting_blog.cards.settings import load_settings as cards_settings
from self_promoting_blog.check.settings import load_settings as check_settings
from self_promoting_blog.deploy.guards import require_target
from self_promoting_blog.deploy.settings import load_settings as deploy_settings
from self_promoting_blog.errors import BlogError, SettingsError
from self_promoting_blog.promote.command import promote
from self_promoting_blog.promote.settings import load_settings as promote_settings
from self_promoting_blog.publish.settings import load_settings as publish_settings
from self_promoting_blog.settings import merged, number, one_of, string_list, whole_number
from self_promoting_blog.writing.new_post import create_post
from share_links.settings import load_settings as share_links_settings
from social_meta.settings import load_settings as social_meta_settings

ROOT = Path(__file__).resolve().parents[1]
_deploy = partial(deploy_settings, environ={})  # not this machine's DEPLOY_TARGET

BAD_SETTINGS = [
    # (reader, settings, owner that starts the message, setting, value)
    (article_extras_settings, {"ARTICLE_EXTRAS_RELATED_COUNT": -1}, "article_extras",
     "ARTICLE_EXTRAS_RELATED_COUNT", -1),
    (check_settings, {"CONTENT_CHECK_EXTRA_KEYS": "image"}, "content_check",
     "CONTENT_CHECK_EXTRA_KEYS", "image"),
    (feeds_settings, {"SITEURL": "https://blog.example", "FEED_MAX_ITEMS": True}, "feeds",
     "FEED_MAX_ITEMS", True),
    (share_links_settings, {"SHARE_X_VIA": "not valid"}, "share_links", "SHARE_X_VIA",
     "not valid"),
    (social_meta_settings, {"SOCIAL_META_DESCRIPTION_LENGTH": 10}, "social_meta",
     "SOCIAL_META_DESCRIPTION_LENGTH", 10),
    (social_meta_settings, {"SOCIAL_META_FEDIVERSE_CREATOR": {"Ann": "ann"}}, "social_meta",
     "SOCIAL_META_FEDIVERSE_CREATOR['Ann']", "ann"),
    (cards_settings, {"SOCIAL_CARDS_PATH": "../up"}, "social_cards", "SOCIAL_CARDS_PATH",
     "../up"),
    (publish_settings, {"PUBLISH_LIVE_INTERVAL": 0}, "", "PUBLISH_LIVE_INTERVAL", 0),
    (promote_settings, {"PROMOTE_MAX_RETRIES": 1.5}, "promote", "PROMOTE_MAX_RETRIES", 1.5),
    (promote_settings, {"PROMOTE_LEDGER": "postgres"}, "promote", "PROMOTE_LEDGER", "postgres"),
    (_deploy, {"DEPLOY_WORKERS": 0}, "deploy", "DEPLOY_WORKERS", 0),
    (_deploy, {"DEPLOY_KEEP": "downloads/*"}, "deploy", "DEPLOY_KEEP", "downloads/*"),
    (_deploy, {"DEPLOY_CACHE_CONTROL": {"page": ""}}, "deploy", "DEPLOY_CACHE_CONTROL['page']",
     ""),
    (_deploy, {"DEPLOY_TARGET": "s3://site/a//b"}, "deploy", "DEPLOY_TARGET", "s3://site/a//b"),
    (lambda settings: require_target(_deploy(settings)), {}, "deploy", "DEPLOY_TARGET", None),
]


@pytest.mark.parametrize(("read", "settings", "owner", "setting", "value"), BAD_SETTINGS,
                         ids=[f"{case[2] or 'publish'}-{case[3]}" for case in BAD_SETTINGS])
def test_a_bad_setting_anywhere_names_itself_its_value_and_the_fix(read, settings, owner,
                                                                   setting, value):
    with pytest.raises(SettingsError) as raised:
        read(settings)
    error = raised.value
    assert (error.setting, error.value) == (setting, value)
    prefix = f"{owner}: " if owner else ""
    subject = setting if value is None else f"{setting} = {value!r}"  # None: not set
    assert str(error) == f"{prefix}{subject} {error.problem}; {error.fix}"
    assert error.problem and error.fix and "\n" not in str(error)


def test_promote_keeps_its_setting_problem_fix_signature_and_message():
    with pytest.raises(SettingsError) as raised:  # one `except SettingsError` catches it too
        promote_settings({"PROMOTE_TEMPLATE": "{title}"})
    assert isinstance(raised.value, errors.PromoteError)
    assert (raised.value.setting, raised.value.value) == ("PROMOTE_TEMPLATE", None)
    assert str(raised.value) == ("promote: PROMOTE_TEMPLATE: has no {url}. Add {url}: every "
                                 "announcement links to its article.")


def _busy_port() -> socket.socket:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    return taken


def _promote(tmp_path: Path, **options: object) -> int:
    pelican = {"PROMOTE_NETWORKS": ["mastodon"], "OUTPUT_PATH": str(tmp_path / "output")}
    return promote(pelican, console=Console(file=io.StringIO()), **options)


def test_commands_fail_with_a_blog_error_that_says_what_to_do(tmp_path):
    with pytest.raises(errors.BuildError, match="Pelican options after --: Invalid JSON"):
        overrides_from_cli(["-e", "SITEURL=https://blog.example"])
    with pytest.raises(errors.ServeError, match="Nothing to serve: .* Run `invoke build` first"):
        serve(tmp_path / "output", "127.0.0.1", 8000, Console(file=io.StringIO()))
    with _busy_port() as taken:
        port = taken.getsockname()[1]
        with pytest.raises(errors.ServeError, match=f"Cannot serve on 127.0.0.1:{port}: .* "
                                                    f"pass --port {port + 1}"):
            serve(tmp_path, "127.0.0.1", port, Console(file=io.StringIO()))
    with pytest.raises(errors.NewPostError) as empty:
        create_post({}, "  ")
    assert str(empty.value) == ('Not created: the title is empty; write it in quotes: '
                                'invoke new "My headline".')
    with pytest.raises(errors.UsageError, match="--since 'last week' is not a date"):
        _promote(tmp_path, backfill=True, since="last week")
    with pytest.raises(errors.UsageError, match="--network telegram: it is not in "
                                                r"PROMOTE_NETWORKS \(mastodon\)"):
        _promote(tmp_path, network="telegram")
    assert not (tmp_path / ".promote").exists()  # refused before the ledger was opened


def test_every_error_in_the_tree_is_a_blog_error_and_old_names_are_the_same_classes():
    import article_extras.settings
    import feeds.settings
    import share_links.settings
    import social_meta.settings
    from self_promoting_blog.cards import settings as cards
    from self_promoting_blog.deploy import errors as deploy_errors
    from self_promoting_blog.promote import errors as promote_errors

    tree = [cls for cls in vars(errors).values()
            if inspect.isclass(cls) and issubclass(cls, BaseException)]
    assert errors.NetworkError in tree and all(issubclass(cls, BlogError) for cls in tree)
    assert issubclass(errors.DeploySettingsError, errors.DeployError)
    assert issubclass(errors.DeploySettingsError, SettingsError)
    assert issubclass(errors.LedgerConflict, errors.LedgerError)
    assert issubclass(errors.Deferred, errors.NetworkStopped)
    assert issubclass(errors.CredentialsStop, errors.NetworkStopped)
    assert issubclass(SettingsError, ValueError)  # Pelican's own settings errors are ValueErrors
    for module in (article_extras.settings, feeds.settings, share_links.settings,
                   social_meta.settings, cards):
        assert module.SettingsError is SettingsError
    assert promote_errors.SettingsError is errors.PromoteSettingsError
    for name in ("DeployError", "DeploySettingsError", "RefusedError", "StorageError"):
        assert getattr(deploy_errors, name) is getattr(errors, name)


AT_LEAST_1 = "must be a whole number of at least 1"


@pytest.mark.parametrize(("check", "value", "problem"), [
    (lambda v: whole_number("N", v, fix="give 3", minimum=1), 0, AT_LEAST_1),
    (lambda v: whole_number("N", v, fix="give 3", minimum=1), True, AT_LEAST_1),
    (lambda v: whole_number("N", v, fix="give 3", minimum=1), 2.0, AT_LEAST_1),
    (lambda v: whole_number("N", v, fix="give 3", minimum=1), "3", AT_LEAST_1),
    (lambda v: whole_number("N", v, fix="give 3", maximum=64), 65, "must be a whole number "
                                                                   "from 0 to 64"),
    (lambda v: whole_number("N", v, fix="give 3", where="publishconf.py"), -1,
     "in publishconf.py must be a whole number of at least 0"),
    (lambda v: whole_number("N", v, fix="give 3", problem="cannot work"), -1, "cannot work"),
    (lambda v: number("N", v, fix="give 3", minimum=0.01), 0, "must be a number of at least 0.01"),
    (lambda v: number("N", v, fix="give 3"), math.nan, "must be a number of at least 0"),
    (lambda v: number("N", v, fix="give 3"), False, "must be a number of at least 0"),
    (lambda v: number("N", v, fix="give 3"), "5", "must be a number of at least 0"),
    (lambda v: string_list("N", v, fix="give 3"), "a", "must be a list of strings"),
    (lambda v: string_list("N", v, fix="give 3"), ["a", 1], "must be a list of strings"),
    (lambda v: one_of("N", v, ("sqlite", "bucket"), fix="give 3"), "mysql",
     "is not one of the choices"),
])
def test_validators_refuse_with_the_value_the_problem_and_the_fix(check, value, problem):
    with pytest.raises(SettingsError) as raised:
        check(value)
    assert str(raised.value) == f"N = {value!r} {problem}; give 3"
    assert raised.value.value is value


def test_validators_return_what_they_accept():
    assert whole_number("N", 64, fix="", minimum=1, maximum=64) == 64
    assert number("N", 2, fix="") == 2.0 and isinstance(number("N", 2, fix=""), float)
    assert string_list("N", ["a", "b"], fix="") == ("a", "b") == string_list("N", ("a", "b"),
                                                                           fix="")
    assert one_of("N", "SQLite", ("sqlite", "bucket")) == "sqlite"
    with pytest.raises(SettingsError, match="; use one of 'sqlite', 'bucket'$"):
        one_of("N", None, ("sqlite", "bucket"))
    assert merged({"A": None, "X": 1}, {"A": 1, "B": 2}) == {"A": None, "B": 2}
    with pytest.raises(errors.DeploySettingsError, match="^deploy: N = -1 in publishconf.py"):
        whole_number("N", -1, fix="", owner="deploy", where="publishconf.py",
                     error=errors.DeploySettingsError)


def _below_main(module: ast.Module) -> ast.Module:
    """The module without its `if __name__ == "__main__":` block (a process's own exit code)."""
    module.body = [node for node in module.body if not (
        isinstance(node, ast.If) and ast.unparse(node.test) == "__name__ == '__main__'")]
    return module


def test_nothing_below_tasks_py_ends_the_process():
    """Only tasks.py (and a process's own main) turns a failure into an exit code; the package
    and the plugins raise BlogErrors. The build's forked helpers end themselves in one place."""
    exits = {"SystemExit", "sys.exit", "exit", "quit", "os._exit"}
    helpers = ROOT / "src" / "self_promoting_blog" / "build" / "forking.py"
    found = []
    for path in sorted([*(ROOT / "src").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")]):
        if path.name == "__main__.py" or path == helpers:
            continue
        tree = _below_main(ast.parse(path.read_text(encoding="utf-8")))
        for node in ast.walk(tree):
            name = (ast.unparse(node.func) if isinstance(node, ast.Call)
                    else ast.unparse(node.exc) if isinstance(node, ast.Raise) and node.exc
                    else "")
            if name in exits:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
