"""The composer: each network's text within its limit, counted its way; the link never cut."""

from __future__ import annotations

import pytest
import regex

from self_promoting_blog.promote.adapters.base import LinkSpan
from self_promoting_blog.promote.adapters.display_url import display_url
from self_promoting_blog.promote.compose import camel_hashtag, compose, hashtags_for, tagged_url
from self_promoting_blog.promote.errors import SettingsError
from self_promoting_blog.promote.manifest import Entry
from self_promoting_blog.promote.networks import adapter_class
from self_promoting_blog.promote.settings import DEFAULTS, check_template

TEMPLATE = DEFAULTS["PROMOTE_TEMPLATE"]
NETWORKS = ["mastodon", "bluesky", "telegram", "discord"]
# The link as the text shows it where link text may differ from its target (else the URL itself)
SHOWN = {"bluesky": "blog.example/articles/rea..."}  # elsewhere the text shows the full link
FAMILY = "\U0001F469\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"  # one grapheme, 11 UTF-16
E_ACUTE = "e\u0301"                                                     # one grapheme, 2 points


def entry(**fields) -> Entry:
    values = {"url": "https://blog.example/articles/reach/", "slug": "reach",
              "title": "Earned reach", "summary": "Why shares beat ads.",
              "date": "2024-05-01T09:00:00+02:00", "tags": ("content marketing", "SEO"),
              "category": "Strategy", "image": "https://blog.example/cards/reach.png"}
    values.update(fields)
    return Entry(**values)


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def counted(network: str, text: str) -> int:
    """Each network's count, written independently of the adapters."""
    if network == "mastodon":
        return graphemes(regex.sub(r"https?://\S+", "x" * 23, text))
    if network == "bluesky":
        return graphemes(text)
    return utf16(text)


def test_default_message_is_exact_with_utm_link_and_hashtags():
    message = compose(entry(), adapter_class("mastodon"), TEMPLATE)
    link = ("https://blog.example/articles/reach/?utm_source=mastodon&utm_medium=social"
            "&utm_campaign=reach")
    assert message.text == ("Earned reach\n\nWhy shares beat ads.\n\n"
                            f"{link}\n\n#ContentMarketing #SEO")
    assert message.link == link and message.card.url == link
    assert message.card.image_url == "https://blog.example/cards/reach.png"
    assert (message.length, message.limit) == (len(message.text) - len(link) + 23, 500)


@pytest.mark.parametrize("network", NETWORKS)
def test_a_600_character_title_is_cut_at_a_word_and_the_link_survives(network):
    title = " ".join(f"word{i:03d}" for i in range(75)) + "!"
    assert len(title) == 600
    message = compose(entry(title=title, summary="A long summary " * 40), adapter_class(network),
                      TEMPLATE)
    limit = adapter_class(network).text_limit
    assert counted(network, message.text) == message.length <= limit
    [span] = message.links
    assert span.target == message.link
    assert message.text[span.start:span.end] == SHOWN.get(network, message.link)
    assert message.link.endswith("utm_source=" + network + "&utm_medium=social&utm_campaign=reach")
    first_line = message.text.split("\n")[0]
    if first_line != title:  # cut: whole words, then an ellipsis
        assert first_line.endswith("…")
        assert title.startswith(first_line[:-1]) and title[len(first_line) - 1] == " "


@pytest.mark.parametrize("url, shown", [
    ("https://blog.example/articles/why-earned-reach/?utm_source=bluesky",
     "blog.example/articles/why..."),
    ("https://blog.example/", "blog.example"),
    ("https://blog.example/12345678901234", "blog.example/12345678901234"),     # 15: whole
    ("https://blog.example/123456789012345", "blog.example/123456789012..."),  # 16: cut
    ("HTTPS://Blog.Example:443/a?b=c#d", "blog.example/a?b=c#d"),
    ("http://127.0.0.1:8000/x", "127.0.0.1:8000/x"),
    ("https://blog.example/café", "blog.example/caf%C3%A9"),
    ("https://bücher.example/", "xn--bcher-kva.example"),
    ("mailto:editor@blog.example", "mailto:editor@blog.example")])
def test_the_display_form_is_the_bluesky_apps_short_url(url, shown):
    """Worked out by hand from social-app's toShortUrl: WHATWG host + path/query/fragment, whose
    first 13 characters and "..." replace them when they are longer than 15."""
    assert display_url(url) == shown


def test_a_typical_article_keeps_its_whole_summary_on_bluesky():
    slug = "why-earned-reach-beats-paid-ads-for-small-b2b-marketing-teams"
    title = "Why earned reach beats paid ads for small B2B marketing teams"
    summary = ("Paid ads stop the day the budget does. Earned reach compounds: every share "
               "brings readers who share again. Here is how a three-person team built it, and "
               "the numbers behind it.")
    article = entry(url=f"https://blog.example/articles/{slug}/", slug=slug, title=title,
                    summary=summary)
    message = compose(article, adapter_class("bluesky"), TEMPLATE)
    assert message.text == (f"{title}\n\n{summary}\n\nblog.example/articles/why...\n\n"
                            "#ContentMarketing #SEO")
    link = (f"https://blog.example/articles/{slug}/?utm_source=bluesky&utm_medium=social"
            f"&utm_campaign={slug}")
    assert message.links == (LinkSpan(240, 268, link),) and message.link == link
    assert message.text[240:268] == "blog.example/articles/why..."
    assert message.length == graphemes(message.text) == 292
    # Written out in full, the tagged link alone would have left no room for the summary.
    assert graphemes(f"{title}\n\n{summary}\n\n{link}") > 300


def test_link_offsets_are_those_of_the_final_text():
    """Blank lines left by an empty summary collapse; the link's span moves with its text."""
    bare = compose(entry(summary="", tags=()), adapter_class("bluesky"), TEMPLATE)
    assert bare.text == "Earned reach\n\nblog.example/articles/rea..."
    assert bare.links == (LinkSpan(14, 42, bare.link),)
    twice = compose(entry(social="{url} or {url}"), adapter_class("bluesky"), TEMPLATE)
    assert twice.text == "blog.example/articles/rea... or blog.example/articles/rea..."
    assert [(span.start, span.end) for span in twice.links] == [(0, 28), (32, 60)]


def test_summary_is_cut_before_hashtags_before_title():
    message = compose(entry(summary=" ".join(["reach"] * 200)), adapter_class("bluesky"),
                      TEMPLATE)
    lines = message.text.split("\n\n")
    assert lines[0] == "Earned reach"
    assert lines[1].endswith("reach…") and graphemes(message.text) <= 300
    assert lines[3] == "#ContentMarketing #SEO"


def test_hashtags_are_dropped_from_the_end_when_the_summary_is_gone():
    title = " ".join(["t"] * 75)  # 149 graphemes: room for some hashtags, not all
    tags = tuple(f"topic{i}" for i in range(30))
    message = compose(entry(title=title, summary="", tags=tags), adapter_class("bluesky"),
                      TEMPLATE)
    assert message.text.startswith(title + "\n\n")
    assert graphemes(message.text) <= 300
    kept = message.text.rsplit("\n\n", 1)[1].split()
    assert kept == [f"#Topic{i}" for i in range(len(kept))] and 0 < len(kept) < 30


@pytest.mark.parametrize("network", NETWORKS)
def test_emoji_cjk_and_combining_marks_are_counted_the_networks_way(network):
    title = " ".join([FAMILY, "日本語のタイトル", f"caf{E_ACUTE}"] * 60)
    message = compose(entry(title=title, summary=""), adapter_class(network), TEMPLATE)
    assert counted(network, message.text) == message.length <= adapter_class(network).text_limit
    if network == "bluesky":
        assert len(message.text.encode()) <= 3000
    # no grapheme was split: every family emoji and accented e is whole
    assert FAMILY in message.text and E_ACUTE in message.text
    body = message.text.replace(FAMILY, "").replace(E_ACUTE, "")
    assert "\u200D" not in body and "\u0301" not in body


def test_text_without_spaces_is_cut_between_graphemes():
    title = "日本語" * 150
    message = compose(entry(title=title, summary="", tags=()), adapter_class("bluesky"), TEMPLATE)
    first = message.text.split("\n\n")[0]
    assert first.endswith("…") and title.startswith(first[:-1])
    assert graphemes(message.text) == 300 or graphemes(message.text) == 299


@pytest.mark.parametrize("network", NETWORKS)
def test_a_long_cjk_run_after_a_short_word_is_cut_inside_not_dropped(network):
    title = "🚀 " + "日本語" * 1500
    message = compose(entry(title=title, summary="", tags=()), adapter_class(network), TEMPLATE)
    first = message.text.split("\n\n")[0]
    assert first.startswith("🚀 日本語日本語") and first.endswith("…")
    assert title.startswith(first[:-1])
    assert counted(network, message.text) <= adapter_class(network).text_limit


def test_bluesky_byte_cap_applies_to_wide_graphemes():
    message = compose(entry(title=" ".join([FAMILY] * 290), summary="", tags=()),
                      adapter_class("bluesky"), TEMPLATE)
    assert len(message.text.encode()) <= 3000 and message.text.count(FAMILY) > 50


def test_hashtags_are_camel_cased_and_deduplicated():
    tags = ("content marketing", "SEO", "seo", "e-mail", "2024", "iPhone tips")
    assert hashtags_for(entry(tags=tags)) == ["#ContentMarketing", "#SEO", "#EMail",
                                              "#IPhoneTips"]
    assert hashtags_for(entry(hashtags=("growth", "B2B"))) == ["#Growth", "#B2B"]
    assert camel_hashtag("réseaux sociaux") == "RéseauxSociaux"


def test_social_overrides_replace_the_message_per_network():
    article = entry(social="Read this {not a field}", social_by_network={
        "bluesky": "Short take for Bluesky: {url} — worth it"})
    mastodon = compose(article, adapter_class("mastodon"), TEMPLATE)
    assert mastodon.text == f"Read this {{not a field}}\n\n{mastodon.link}"
    bluesky = compose(article, adapter_class("bluesky"), TEMPLATE)
    assert bluesky.text == "Short take for Bluesky: blog.example/articles/rea... — worth it"
    assert bluesky.links == (LinkSpan(24, 52, bluesky.link),)


def test_explicit_hashtags_follow_a_social_text():
    article = entry(social="New: the reach report", hashtags=("reach",))
    message = compose(article, adapter_class("bluesky"), TEMPLATE)
    assert message.text == "New: the reach report\n\nblog.example/articles/rea...\n\n#Reach"


def test_discord_escapes_markdown_in_writer_text_only():
    message = compose(entry(title="*Bold* claims_and [links](x)", summary="# Not a heading"),
                      adapter_class("discord"), TEMPLATE)
    assert message.text.startswith("\\*Bold\\* claims\\_and \\[links\\]\\(x\\)\n\n\\# Not")
    assert message.link in message.text  # the URL itself is untouched


def test_utm_keeps_an_existing_query_and_can_be_off():
    url = "https://blog.example/a/?ref=home&utm_source=old"
    assert tagged_url(url, "bluesky", "a") == ("https://blog.example/a/?ref=home&utm_source="
                                                "bluesky&utm_medium=social&utm_campaign=a")
    assert tagged_url(url, "bluesky", "a", utm=False) == url


@pytest.mark.parametrize("template, problem", [
    ("{title} {link}", "unknown field {link}"), ("{title}", "has no {url}"),
    ("{title {url}", "cannot be read")])
def test_a_bad_template_names_the_setting_and_the_fix(template, problem):
    with pytest.raises(SettingsError) as caught:
        check_template(template)
    assert "PROMOTE_TEMPLATE" in str(caught.value) and problem in str(caught.value)
