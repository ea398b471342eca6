"""Print what `invoke new` created (rich)."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.text import Text

from self_promoting_blog.writing.new_post import NewPost


def print_new_post(post: NewPost, console: Console) -> None:
    """Where the new article is and when it goes live."""
    when = post.date.strftime("%a %-d %b %Y %H:%M %Z")
    if post.status == "draft":
        live = "a draft: set Status: published when it is ready"
    elif post.date > datetime.now(post.date.tzinfo):
        live = f"scheduled: it goes live on {when}"
    else:
        live = f"dated {when}: it goes live with the next publish"
    console.print(Text.assemble(("✔ ", "bold green"), "Created ", (post.shown, "bold"),
                                f", {live}."), soft_wrap=True)
    console.print(f"  Category: {post.category} · Tags: {', '.join(post.tags)} · "
                  f"address: {post.slug}. Edit the Summary line and write below the header; "
                  "`invoke check` checks it.", soft_wrap=True, markup=False)
