"""The one table of share intents: network -> compose URL, its parameters, label and icon.

Facts and sources: shared/networks/share-intents.md. Each parameter value is a template over
{title}, {url} (canonical), {text} (description), {image} (absolute) and {via}; every value is
percent-encoded as a URL component, and a parameter whose value comes out empty is left out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Intent:
    """How one network (or a script-driven action) shares an article."""

    label: str  # visible text
    name: str  # accessible name, which contains the label (WCAG 2.5.3)
    icon: str  # file stem in icons/
    base: str = ""  # compose URL before "?"; {instance} is the Mastodon server
    params: tuple[tuple[str, str], ...] = ()
    action: str = "link"  # link | mastodon (script asks for the server) | copy | native
    needs_image: bool = False


def _share(label: str, icon: str, base: str, *params: tuple[str, str], **extra: object) -> Intent:
    return Intent(label, f"Share on {label}", icon, base, params, **extra)  # type: ignore[arg-type]


INTENTS: dict[str, Intent] = {
    "bluesky": _share("Bluesky", "brand-bluesky", "https://bsky.app/intent/compose",
                      ("text", "{title}\n\n{url}")),
    "mastodon": _share("Mastodon", "brand-mastodon", "https://{instance}/share",
                       ("text", "{title} {url}"), action="mastodon"),
    "linkedin": _share("LinkedIn", "brand-linkedin",
                       "https://www.linkedin.com/sharing/share-offsite/", ("url", "{url}")),
    "x": _share("X", "brand-x", "https://x.com/intent/tweet",
                ("text", "{title}"), ("url", "{url}"), ("via", "{via}")),
    "facebook": _share("Facebook", "brand-facebook", "https://www.facebook.com/sharer/sharer.php",
                       ("u", "{url}")),
    "threads": _share("Threads", "brand-threads", "https://www.threads.com/intent/post",
                      ("text", "{title}"), ("url", "{url}")),
    "reddit": _share("Reddit", "brand-reddit", "https://www.reddit.com/submit",
                     ("url", "{url}"), ("title", "{title}")),
    "hackernews": _share("Hacker News", "brand-ycombinator",
                         "https://news.ycombinator.com/submitlink",
                         ("u", "{url}"), ("t", "{title}")),
    "telegram": _share("Telegram", "brand-telegram", "https://t.me/share/url",
                       ("url", "{url}"), ("text", "{title}")),
    "whatsapp": _share("WhatsApp", "brand-whatsapp", "https://wa.me/", ("text", "{title}\n{url}")),
    "pinterest": _share("Pinterest", "brand-pinterest", "https://www.pinterest.com/pin/create/button/",
                        ("url", "{url}"), ("media", "{image}"), ("description", "{title}"),
                        needs_image=True),
    "email": Intent("Email", "Share by email", "mail", "mailto:",
                    (("subject", "{title}"), ("body", "{text}\n\n{url}"))),
    "copy": Intent("Copy link", "Copy link", "link", action="copy"),
    "native": Intent("More…", "More ways to share", "share", action="native"),
}
