"""Recovery for networks with no idempotency key whose own latest posts can be read (X, Facebook).

After a crash or an unanswered request ``find_existing`` looks for the article's URL among the
account's latest posts. Such a network also refuses an exact repeat of a text; since the text
names the article, a refusal means it went out before. The refusal is saved as the checkpoint
``duplicate`` first, so that "not found" afterwards (now or in a later run) makes the row
``unknown`` and is never taken for "never sent": a refused text is never sent again.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

from self_promoting_blog.promote.adapters.base import Attempt, Message, NetworkAdapter, Posted
from self_promoting_blog.promote.errors import (
    AmbiguousError,
    PermanentError,
    RateLimited,
    TransientError,
)


class OwnPostsAdapter(NetworkAdapter):
    """An adapter that finds its posts again by reading the account's latest ones."""

    can_find_existing = True
    refuses_repeats = True
    posts_owner: ClassVar[str]  # whose posts are read, for messages: "the account", "the Page"
    text_holder: ClassVar[str]  # who refused the repeat, for messages: "X", "the Page"

    @abstractmethod
    def search(self, message: Message) -> Posted | None:
        """The latest post linking the article, or None; errors propagate (see `lookup`)."""

    def lookup(self, message: Message) -> Posted | None:
        """`search`, with any failure to read the posts turned into AmbiguousError."""
        try:
            return self.search(message)
        except (PermanentError, RateLimited, TransientError) as exc:
            raise AmbiguousError(self.name, f"cannot read {self.posts_owner}'s posts to check "
                                 f"whether the article went out ({exc.message})",
                                 exc.status) from None

    def find_existing(self, message: Message, attempt: Attempt) -> Posted | None:
        """Look for the article's URL among the latest posts (unknown after a refusal)."""
        if attempt.progress.get("duplicate"):
            return self._existing_or_unknown(message, attempt)
        return self.lookup(message)

    def refused_as_duplicate(self, refusal: PermanentError, message: Message,
                             attempt: Attempt) -> Posted:
        """The earlier post an exact-repeat refusal points at, remembered before looking."""
        attempt.save("duplicate", refusal.message)
        return self._existing_or_unknown(message, attempt)

    def _existing_or_unknown(self, message: Message, attempt: Attempt) -> Posted:
        """The earlier post a duplicate refusal points at; unknown (never resent) if unseen."""
        why = attempt.progress["duplicate"]
        try:
            found = self.lookup(message)
        except AmbiguousError as exc:
            raise AmbiguousError(self.name, f"{why}; {exc.message}", exc.status) from None
        if found is None:
            raise AmbiguousError(self.name, f"{why}: {self.text_holder} already has this exact "
                                 "text, but it is not among the latest posts; nothing was "
                                 "posted again")
        return found
