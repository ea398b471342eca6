"""Derived files stay current, drift is named with its fix, and a ninth network needs no edit.

What is derived from the code (the CI workflow's network variables, docs/networks/, and whatever
other ``self_promoting_blog.derived`` modules declare) is compared with the checked-in files; a
minimal adapter added beside the eight shows up in every derived copy by itself.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path

import pytest
from pelican.settings import get_settings_from_file

import self_promoting_blog.derived.networks as derived_networks
from self_promoting_blog import derived
from self_promoting_blog.derived.__main__ import main
from self_promoting_blog.promote import networks
from self_promoting_blog.promote.errors import SettingsError

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ".github/workflows/publish.yml"

NINTH = '''"""Ninth: a network added by dropping this module beside the eight."""

from self_promoting_blog.promote.adapters.base import EnvVar, NetworkAdapter, Posted


class NinthAdapter(NetworkAdapter):
    name = "ninth"
    label = "Ninth"
    setup_help = "Ninth › Settings › Tokens › New token."
    recovery = "Ninth cannot be asked what was posted → `unknown`"
    text_limit = 1000
    env_vars = (EnvVar("NINTH_TOKEN", "Ninth › Settings › Tokens", secret=True),
                EnvVar("NINTH_CHANNEL", "the channel posted to"))

    def post(self, message, attempt):
        return Posted("1", "https://ninth.example/posts/1")

    def find_existing(self, message, attempt):
        return None
'''

NINTH_PAGE = """# Ninth

## Set up once

Ninth › Settings › Tokens › New token.

<!-- BEGIN generated variables: python -m self_promoting_blog.derived --write -->
<!-- END generated variables -->

<!-- BEGIN generated facts: python -m self_promoting_blog.derived --write -->
<!-- END generated facts -->
"""


def copy_of_derived_files(root: Path) -> Path:
    """A project folder holding only today's derived files (and pyproject.toml)."""
    for target in derived.all_targets():
        if (ROOT / target.path).exists():
            (root / target.path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / target.path, root / target.path)
    shutil.copyfile(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def test_every_derived_file_is_current():
    outcome = derived.compare(ROOT)
    assert not outcome.stale and not outcome.errors, "\n".join(outcome.stale + outcome.errors)


def test_a_stale_block_is_named_with_the_command_and_write_restores_it(tmp_path, capsys):
    root = copy_of_derived_files(tmp_path)
    workflow = root / WORKFLOW
    original = workflow.read_text()
    workflow.write_text(original.replace(
        "      MASTODON_ACCESS_TOKEN: ${{ secrets.MASTODON_ACCESS_TOKEN }}\n", ""))
    assert main(["--check", "--root", str(root)]) == 1
    assert capsys.readouterr().err == (f"{WORKFLOW} (block 'networks') is out of date: run "
                                       "`python -m self_promoting_blog.derived --write`.\n")
    assert main(["--write", "--root", str(root)]) == 0
    assert capsys.readouterr().out == f"wrote {WORKFLOW}\n"
    assert workflow.read_text() == original
    assert main(["--check", "--root", str(root)]) == 0


def test_a_block_without_its_markers_says_which_lines_to_add(tmp_path, capsys):
    root = copy_of_derived_files(tmp_path)
    page = root / "docs/networks/telegram.md"
    page.write_text(page.read_text().replace("<!-- END generated facts -->\n", ""))
    assert main(["--write", "--root", str(root)]) == 1
    assert "docs/networks/telegram.md has no `BEGIN generated facts: python -m " \
           "self_promoting_blog.derived --write` … `END generated facts` lines: add them" \
           in capsys.readouterr().err


def test_outside_the_project_folder_it_says_where_to_run(tmp_path, capsys):
    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert "no pyproject.toml" in capsys.readouterr().err


@pytest.fixture
def ninth(tmp_path, monkeypatch):
    """A minimal `ninth` adapter module in a folder added to the networks package's path;
    yields the networks known before."""
    before = networks.known_networks()
    folder = tmp_path / "added"
    folder.mkdir()
    (folder / "ninth.py").write_text(NINTH)
    monkeypatch.setattr(networks, "__path__", [*networks.__path__, str(folder)])
    importlib.reload(derived_networks)  # its TARGETS list the networks found at import
    yield before
    monkeypatch.undo()
    sys.modules.pop(f"{networks.__name__}.ninth", None)
    importlib.reload(derived_networks)


def test_a_ninth_network_is_known_everywhere_with_no_other_file_edited(ninth, tmp_path):
    assert networks.known_networks() == sorted([*ninth, "ninth"])
    assert networks.check_network_name(" Ninth ") == "ninth"
    assert networks.adapter_class("ninth").label == "Ninth"
    assert "social_ninth" in networks.metadata_keys()
    settings = get_settings_from_file(str(ROOT / "pelicanconf.py"))
    assert "social_ninth" in settings["CONTENT_CHECK_EXTRA_KEYS"]
    env = derived_networks.workflow_env()
    assert "NINTH_TOKEN: ${{ secrets.NINTH_TOKEN }}\nNINTH_CHANNEL: ${{ vars.NINTH_CHANNEL }}\n" \
        in env
    assert "| [Ninth](ninth.md) (`ninth`) | `NINTH_TOKEN` (secret), `NINTH_CHANNEL` | Ninth " \
           "cannot be asked what was posted → `unknown` |" in derived_networks.index()
    assert "| `NINTH_TOKEN` | required | secret | Ninth › Settings › Tokens |" \
        in derived_networks.variables_table("ninth")

    # In a copy of the project: the network's page is the one file written by hand; the
    # workflow and the index are regenerated; nothing else changes.
    root = copy_of_derived_files(tmp_path / "project")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert derived.compare(root).errors == [
        "docs/networks/ninth.md does not exist: write it, with the lines `BEGIN generated "
        f"{block}: python -m self_promoting_blog.derived --write` and `END generated {block}` "
        "(as comments) where the generated part goes, then run "
        "`python -m self_promoting_blog.derived --write`." for block in ("variables", "facts")]
    (root / "docs/networks/ninth.md").write_text(NINTH_PAGE)
    outcome = derived.compare(root)
    assert derived.write(root, outcome) == [WORKFLOW, "docs/networks/README.md",
                                            "docs/networks/ninth.md"]
    changed = {p.relative_to(root).as_posix() for p in root.rglob("*")
               if p.is_file() and before.get(p) != p.read_bytes()}
    assert changed == {WORKFLOW, "docs/networks/README.md", "docs/networks/ninth.md"}
    assert derived.compare(root).stale == []


def test_the_networks_are_the_adapter_modules_and_an_unknown_one_lists_them():
    known = networks.known_networks()
    assert {"bluesky", "discord", "facebook", "linkedin", "mastodon", "telegram", "threads",
            "x"} <= set(known) and known == sorted(known)
    assert networks.metadata_keys() == tuple(f"social_{name}" for name in known)
    assert all(networks.adapter_class(name).name == name for name in known)
    with pytest.raises(SettingsError) as refused:
        networks.check_network_name("myspace")
    assert str(refused.value) == ("promote: PROMOTE_NETWORKS: unknown network 'myspace'. Use "
                                  f"one of: {', '.join(known)}.")
