"""A header that says yes or no (``Promote:``, ``Evergreen:``, ``Responses:``): the words for
each, in one place for promote, which acts on them, and check, which names a value that is
neither."""

from __future__ import annotations

YES = frozenset({"yes", "true", "1", "on"})
NO = frozenset({"no", "false", "0", "off"})


def yes_no(value: object) -> bool | None:
    """A header's value as yes (True, also when absent or empty) or no (False), in any case;
    None: neither. A value Pelican gives as a list (a repeated key) is its items, a line each."""
    text = "\n".join(map(str, value)) if isinstance(value, (list, tuple)) else \
        "" if value is None else str(value)
    word = text.strip().lower() or "yes"
    return True if word in YES else False if word in NO else None
