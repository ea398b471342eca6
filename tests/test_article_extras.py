"""article_extras' fast paths give exactly what the plain computations give, on random sites.

Related articles come from indexes of tags and pairs of tags, and the tag, category and author
pages find their articles' date order from positions; both must give the same answer, ties
included, as the definitions they replace (the theme tests check what readers see).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pelican.generators import ArticlesGenerator
from pelican.settings import read_settings

from article_extras.related import related_by_tags
from article_extras.taxonomy_pages import install


def _article(rng: random.Random, n: int, vocabulary: list[str], most_tags: int) -> Any:
    tags = [SimpleNamespace(slug=t)
            for t in rng.sample(vocabulary, rng.randint(0, min(most_tags, len(vocabulary))))]
    # Few distinct dates, so many ties are broken by the slug (and some slugs repeat).
    date = datetime(2025, 1, 1) + timedelta(days=rng.randrange(40))
    return SimpleNamespace(date=date, slug=f"post-{rng.randrange(3 * n + 1)}", tags=tags)


def _by_definition(articles: list[Any], count: int) -> dict[int, list[Any]]:
    """Every other article sharing a tag, most shared tags first, then newest (by date, then
    slug, then the order they came in, reversed as a stable sort does)."""
    ranked = sorted(articles, key=lambda a: (a.date, a.slug), reverse=True)
    tags = {id(a): {t.slug for t in a.tags} for a in ranked}
    answer = {}
    for article in ranked:
        shared = [(len(tags[id(article)] & tags[id(other)]), rank, other)
                  for rank, other in enumerate(ranked) if other is not article]
        best = sorted((s for s in shared if s[0]), key=lambda s: (-s[0], s[1]))[:count]
        answer[id(article)] = [other for _, _, other in best]
    return answer


@pytest.mark.parametrize("seed", range(12))
def test_related_articles_are_those_of_the_definition(seed):
    rng = random.Random(seed)
    size = rng.choice([1, 2, 30, 250])
    vocabulary = [f"tag-{n}" for n in range(rng.choice([1, 3, 8, 60]))]
    articles = [_article(rng, size, vocabulary, rng.choice([1, 3, 6]))
                for _ in range(size)]
    for count in (0, 1, 3, 7):
        assert related_by_tags(articles, count) == _by_definition(articles, count)
        # The next build's objects, as a preview update has them: the answer is theirs.
        again = [SimpleNamespace(**vars(article)) for article in articles]
        assert related_by_tags(again, count) == _by_definition(again, count)


def _random_site(folder: Path, rng: random.Random) -> Path:
    content = folder / "content"
    content.mkdir()
    for n in range(60):
        tags = ", ".join(rng.sample([f"Tag {t}" for t in range(9)], rng.randint(0, 4)))
        authors = ", ".join(rng.sample(["Ann", "Bo", "Cy"], rng.randint(1, 2)))
        day = datetime(2025, 1, 1) + timedelta(days=rng.randrange(20))
        (content / f"a{n}.md").write_text(
            f"Title: Article {n}\nDate: {day:%Y-%m-%d}\nCategory: Cat {rng.randrange(4)}\n"
            f"Tags: {tags}\nAuthors: {authors}\n\nText {n}.\n", encoding="utf-8")
    return content


def test_tag_category_and_author_pages_are_written_as_pelican_writes_them(tmp_path):
    content = _random_site(tmp_path, random.Random(7))
    settings = read_settings(None, override={"PATH": str(content),
                                             "OUTPUT_PATH": str(tmp_path / "out"),
                                             "CACHE_CONTENT": False, "PLUGINS": [],
                                             "NEWEST_FIRST_ARCHIVES": False})
    context = {**settings, "generated_content": {}, "static_links": set(),
               "static_content": {}, "localsiteurl": ""}
    generator = ArticlesGenerator(context=context, settings=settings, path=str(content),
                                  theme=settings["THEME"], output_path=str(tmp_path / "out"))
    generator.generate_context()
    pelicans: list[tuple[Any, ...]] = []
    ours: list[tuple[Any, ...]] = []
    for name in ("generate_tags", "generate_categories", "generate_authors"):
        getattr(ArticlesGenerator, name)(generator, lambda *a, **k: pelicans.append((a, k)))
    install(generator)
    for name in ("generate_tags", "generate_categories", "generate_authors"):
        getattr(generator, name)(lambda *a, **k: ours.append((a, k)))
    assert len(pelicans) == 9 + 4 + 3
    assert ours == pelicans
    assert any(len(k["dates"]) > 1 and k["dates"] != k["articles"] for _, k in ours)



def test_reading_times_are_remembered_for_one_build_only():
    from article_extras.reading import reading_minutes
    from self_promoting_blog.build_memo import BuildMemo

    counted = []
    times = BuildMemo(lambda html, wpm: counted.append(html) or reading_minutes(html, wpm))
    long_text, short = "<p>" + "word " * 700 + "</p>", "<p>a b</p>"
    times.next_build()
    assert times(long_text, 230) == reading_minutes(long_text, 230) == 4
    assert times(short, 230) == 1 and times(long_text, 100) == 7 and times(long_text, 230) == 4
    times.next_build()
    assert times(long_text, 230) == 4 and counted == [long_text, short, long_text]
    times.next_build()
    assert list(times.last) == [(long_text, 230)]  # what a build no longer asks for is let go


def _post(slug: str, date: str, body: str, summary: str = "") -> str:
    return (f"Title: Post {slug}\nDate: {date}\nCategory: Notes\nTags: shared, {slug}\n"
            f"Slug: {slug}\n{f'Summary: {summary}' if summary else ''}\n\n{body}\n")


def test_pages_written_after_the_html_is_let_go_are_still_right(tmp_path):
    """An article's HTML (links resolved) is let go once its page is written, render_once's
    cards once the article pages are: the listings, feeds and pages written later still show
    the right summaries, links and header."""
    from lxml import etree, html
    from pelican.contents import Content
    from pelican.plugins import signals

    from tests.support.site import run_pelican, site_settings, write_site

    words = " ".join(f"word{i}" for i in range(80))
    content = write_site(tmp_path, {
        "articles/a.md": _post("a", "2024-01-03", f"See [b]({{filename}}b.md). {words}"),
        "articles/b.md": _post("b", "2024-01-02", "Plain *b* text.", summary="B in short."),
        "articles/c.md": _post("c", "2024-01-01", "Back to [a]({filename}a.md)."),
        "pages/about.md": "Title: About\nSlug: about\n\nAbout [a]({filename}../articles/a.md).\n",
    })
    def held() -> list[str]:
        """The articles of this site whose HTML Pelican's memo holds."""
        memo = Content.__dict__["get_content"].cache
        return [c.slug for c, _ in memo if c.source_path.startswith(str(content))]

    held_after_articles: list[str] = []

    def memo_after_articles(_generator: Any, **_kwargs: Any) -> None:
        held_after_articles.extend(held())

    signals.article_writer_finalized.connect(memo_after_articles)
    try:
        out = run_pelican(site_settings(tmp_path, content, production=True,
                                        SITEURL="https://blog.example.org",
                                        SOCIAL_CARDS_WORKERS=False))
    finally:
        signals.article_writer_finalized.disconnect(memo_after_articles)
    # Pelican would have kept all three, and the feeds' articles once more.
    assert held_after_articles == [] and held() == []
    site = "https://blog.example.org"
    page_a = html.fromstring((out / "articles/a/index.html").read_bytes())
    assert page_a.xpath("//div[contains(@class, 'e-content')]//a/@href") == [
        f"{site}/articles/b/"]
    index = html.fromstring((out / "index.html").read_bytes())
    summaries = [" ".join(p.text_content().split())
                 for p in index.xpath("//p[@class='card-summary']")]
    assert summaries[0].startswith("See b. word0 word1")
    assert summaries[1:] == ["B in short.", "Back to a."]
    tag = html.fromstring((out / "tag/shared/index.html").read_bytes())
    assert tag.xpath("//h2[@class='card-title']/a/@href") == [
        f"{site}/articles/{slug}/" for slug in "abc"]
    feed = etree.parse(str(out / "feeds/all.atom.xml")).getroot()
    bodies = feed.xpath("//a:entry/a:content/text()",
                        namespaces={"a": "http://www.w3.org/2005/Atom"})
    assert f'href="{site}/articles/b/"' in bodies[0] and f'href="{site}/articles/a/"' in bodies[2]
    about = html.fromstring((out / "about/index.html").read_bytes())
    assert about.xpath("//a[@aria-current='page']/@href") == [f"{site}/about/"]
    assert about.xpath("//article//div[@class='prose wrap-text']//a/@href") == [
        f"{site}/articles/a/"]


def test_a_summary_cut_from_html_not_shown_here_does_not_keep_it():
    """An article whose page another process rendered (the split render's child) or will
    render later (the live preview): listing it cuts its summary without keeping its HTML, and
    its page being written neither cuts the summary early nor lets go of anything."""
    from pelican.contents import Article, Content

    from article_extras.filters import plain_summary
    from article_extras.release import release_content

    site = "https://blog.example.org"
    context = {"localsiteurl": site, "generated_content": {}, "static_content": {},
               "static_links": set()}
    memo = Content.__dict__["get_content"].cache

    def article() -> Any:
        return Article('<p>Body <a href="https://x.example/">x</a> text</p>',
                       metadata={"title": "T", "date": datetime(2024, 1, 1)},
                       settings=read_settings(None), context=context)

    listed, written = article(), article()
    assert plain_summary(listed) == "Body x text"
    assert (listed, site) not in memo
    release_content("articles/t.html", {"article": written})
    assert "_plain_summary" not in vars(written)
    assert written.content and (written, site) in memo  # rendered now: held until written
    release_content("articles/t.html", {"article": written})
    assert (written, site) not in memo and vars(written)["_plain_summary"] == "Body x text"


def test_without_pelicans_memo_the_html_is_read_as_before(monkeypatch):
    """A Pelican whose get_content keeps no `.cache` must not break the build: nothing is
    forgotten, and the HTML still comes from get_content."""
    import importlib

    from pelican.contents import Content

    from self_promoting_blog.content import html_memo

    class Plain:
        def get_content(self, siteurl):
            return f"<p>at {siteurl}</p>"

    monkeypatch.setattr(Content, "get_content", Plain.get_content)
    try:
        fresh = importlib.reload(html_memo)
        assert fresh._MEMO == {}
        assert fresh.html_once(Plain(), "/site") == "<p>at /site</p>"
        assert not fresh.holds_html(Plain(), "/site")
    finally:
        monkeypatch.undo()
        importlib.reload(html_memo)
