"""Synthetic blogs for the bench: N realistic Markdown articles, the same for every seed and size.

Each article has about 800 words: an intro, four to five `##` sections, a bulleted and a numbered
list, links to other articles (`{filename}`, so Pelican resolves them) and to outside sites, a
fenced code block, a Summary, one of 8 categories and 2-4 of 60 tags. Dates are spread over the
past ten years, so a production build (WITH_FUTURE_DATES False) keeps every article. Two pages
(About, Privacy) complete the site.
"""

from __future__ import annotations

import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path

# Bump when the generated text changes, so a cached site is written again.
GENERATOR_VERSION = 2
CATEGORIES = ["Strategy", "Social Media", "Measurement", "Distribution", "SEO", "Email",
              "Video", "Community"]
TAGS = [f"{a} {b}" for a in ("content", "social", "email", "video", "search", "brand")
        for b in ("reach", "metrics", "planning", "writing", "audience", "tools", "growth",
                  "testing", "design", "teams")]
WORDS = ("audience reach signal content channel measure share headline editor network story "
         "reader campaign brand search evergreen analytics community newsletter format post "
         "click referral conversion funnel budget calendar draft publish schedule trust voice "
         "thread reply follower link summary image video clip caption hook benchmark team "
         "quarter experiment result insight pattern habit workflow template brief outline "
         "source quote example chart report dashboard metric ratio baseline growth retention "
         "the a of to and in for with on that is it you your we our this by from at as").split()
HEADINGS = ["Why it matters", "What the numbers say", "A simple method", "Common mistakes",
            "How to start", "Measuring the result", "Tools that help", "What to do next",
            "An example", "The trade-offs"]
CODE = '''```python
def share_rate(shares: int, views: int) -> float:
    """Shares per thousand views, rounded to one decimal."""
    if views == 0:
        return 0.0
    return round(1000 * shares / views, 1)
```'''
START = datetime(2016, 1, 4, 9, 0)


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(9, 18))
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def _article(n: int, count: int, rng: random.Random) -> str:
    """One article's Markdown, header included (about 800 words)."""
    title = " ".join(rng.choices(WORDS, k=rng.randint(5, 9))).capitalize() + f" ({n})"
    date = START + timedelta(hours=n * 87600 // max(count, 1) + rng.randint(0, 5))
    tags = ", ".join(rng.sample(TAGS, rng.randint(2, 4)))
    other = [rng.randrange(count) for _ in range(2)]
    links = (f"See [{_sentence(rng)[:30].strip()}]({{filename}}/articles/post-{other[0]:05d}.md) "
             f"and [the earlier note]({{filename}}/articles/post-{other[1]:05d}.md); the "
             f"[original study](https://example.org/research/{n}) has the data.")
    sections = []
    for heading in rng.sample(HEADINGS, rng.randint(4, 5)):
        sections.append(f"## {heading}\n\n{_paragraph(rng, 5)}\n\n{_paragraph(rng, 4)}")
    bullets = "\n".join(f"- **{rng.choice(WORDS).capitalize()}:** {_sentence(rng)}"
                        for _ in range(4))
    steps = "\n".join(f"{i}. {_sentence(rng)}" for i in range(1, 4))
    sections[1] += f"\n\n{bullets}"
    sections[2] += f"\n\n{steps}\n\n{CODE}"
    sections[-1] += f"\n\n{links}"
    return (f"Title: {title}\nDate: {date:%Y-%m-%d %H:%M}\nCategory: {CATEGORIES[n % 8]}\n"
            f"Tags: {tags}\nSlug: post-{n:05d}\nSummary: {_sentence(rng)}\n\n"
            f"{_paragraph(rng, 5)}\n\n" + "\n\n".join(sections) + "\n")


PAGES = {
    "about.md": "Title: About\nSlug: about\n\nA synthetic blog written by the bench.\n",
    "privacy.md": "Title: Privacy\nSlug: privacy\n\nNo cookies, no analytics.\n",
}


def write_site(folder: Path, count: int, seed: int = 2024) -> Path:
    """Write `count` articles and two pages under folder/content (reused when already written)."""
    content = folder / "content"
    stamp = content / ".bench-site"
    wanted = f"{GENERATOR_VERSION} {count} {seed}"
    if stamp.is_file() and stamp.read_text() == wanted:
        return content
    shutil.rmtree(content, ignore_errors=True)
    (content / "articles").mkdir(parents=True)
    (content / "pages").mkdir()
    (content / "images").mkdir()
    rng = random.Random(seed)
    for n in range(count):
        (content / "articles" / f"post-{n:05d}.md").write_text(_article(n, count, rng),
                                                                encoding="utf-8")
    for name, text in PAGES.items():
        (content / "pages" / name).write_text(text, encoding="utf-8")
    stamp.write_text(wanted)
    return content


def edit_article(content: Path, run: int) -> Path:
    """Change one article's text (a writer's fix), different for every run; return its file."""
    path = content / "articles" / "post-00001.md"
    text = path.read_text(encoding="utf-8").split("\n\nUpdated in edit ")[0].rstrip("\n")
    path.write_text(f"{text}\n\nUpdated in edit {run}: one more sentence for the readers.\n",
                    encoding="utf-8")
    return path


def word_count(content: Path) -> float:
    """Mean words per article body (header left out), to check the generator stays realistic."""
    files = sorted((content / "articles").glob("*.md"))[:50]
    counts = [len(f.read_text(encoding="utf-8").split("\n\n", 1)[1].split()) for f in files]
    return sum(counts) / max(len(counts), 1)
