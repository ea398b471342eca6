"""The demo site's production output is byte-identical to tests/data/production-digests.txt.

A refactoring that changes no behaviour must not change one byte of what readers get. Pelican
swallows an exception raised by a plugin's register(), so a broken import drops a plugin
silently: this test is what notices.
"""

from __future__ import annotations

from tests.production_digest import (
    DIGESTS,
    REFRESH,
    build,
    compare,
    digests,
    parse,
    render,
    versions,
)


def test_production_build_matches_the_checked_in_digests(tmp_path):
    expected, recorded = parse(DIGESTS.read_text(encoding="utf-8"))
    differences = compare(expected, digests(build(tmp_path)))
    if differences and recorded != versions():
        shifted = ", ".join(f"{name} {recorded.get(name)} -> {v}"
                            for name, v in versions().items() if recorded.get(name) != v)
        raise AssertionError(
            f"the production output differs, and so do the library versions ({shifted}); "
            f"refresh after reading the diff: {REFRESH}\n" + "\n".join(differences))
    assert not differences, (
        "the production output changed (a refactoring must not change it; if the change is "
        f"meant, run {REFRESH}):\n" + "\n".join(differences))


def test_compare_names_added_removed_and_changed_paths():
    expected = {"./a.html": "1", "./b.html": "2", "./c.html": "3"}
    found = {"./a.html": "1", "./b.html": "9", "./d.png": "4"}
    assert compare(expected, found) == ["added:   ./d.png", "removed: ./c.html",
                                        "changed: ./b.html"]


def test_the_file_format_reads_back_what_it_wrote():
    found = {"./z.xml": "ff", "./a b/index.html": "00"}
    text = render(found, {"pelican": "4.12.0", "pillow": "13.0.0"})
    assert text.splitlines()[-2:] == ["00  ./a b/index.html", "ff  ./z.xml"]
    assert parse(text) == (found, {"pelican": "4.12.0", "pillow": "13.0.0"})
