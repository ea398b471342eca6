"""Reading settings: defaults merged in, and the checks every part's settings need.

Each check returns the value it accepts or raises the one SettingsError, which names the setting,
its value and the fix. `owner` (the plugin or part reading the setting) starts the message,
`where` names the file it belongs in ("publishconf.py") when that helps the reader find it, and
`error` is the SettingsError subclass to raise (deploy's DeploySettingsError).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from self_promoting_blog.errors import SettingsError


def merged(settings: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """Every setting named in `defaults`, taken from `settings` where it is given."""
    return {name: settings.get(name, default) for name, default in defaults.items()}


def _rule(where: str, rule: str) -> str:
    return f"in {where} {rule}" if where else rule


def whole_number(name: str, value: object, *, fix: str, minimum: int = 0,
                 maximum: int | None = None, owner: str = "", where: str = "",
                 problem: str | None = None, error: type[SettingsError] = SettingsError) -> int:
    """`value` if it is an int from `minimum` to `maximum` (True and False are not numbers).

    `problem` replaces the generated "must be a whole number ..." where a part words its
    messages its own way; its `fix` then says what to give.
    """
    if (isinstance(value, bool) or not isinstance(value, int) or value < minimum
            or (maximum is not None and value > maximum)):
        bounds = f"of at least {minimum}" if maximum is None else f"from {minimum} to {maximum}"
        raise error(name, value, fix, owner=owner,
                    problem=problem or _rule(where, f"must be a whole number {bounds}"))
    return value


def number(name: str, value: object, *, fix: str, minimum: float = 0, owner: str = "",
           where: str = "", error: type[SettingsError] = SettingsError) -> float:
    """`value` as a float if it is an int or a float of at least `minimum` (not NaN, not bool)."""
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or not minimum <= value):
        raise error(name, value, fix, owner=owner,
                    problem=_rule(where, f"must be a number of at least {minimum}"))
    return float(value)


def string_list(name: str, value: object, *, fix: str, owner: str = "", where: str = "",
                error: type[SettingsError] = SettingsError) -> tuple[str, ...]:
    """`value` as a tuple if it is a list (tuple, set) of strings; a lone string is refused."""
    if not isinstance(value, list | tuple | set | frozenset) or not all(
            isinstance(item, str) for item in value):
        raise error(name, value, fix, owner=owner,
                    problem=_rule(where, "must be a list of strings"))
    return tuple(value)


def one_of(name: str, value: object, choices: Collection[str], *, fix: str | None = None,
           owner: str = "", where: str = "", error: type[SettingsError] = SettingsError) -> str:
    """`value` in lower case if that is one of `choices` (written in lower case)."""
    if not isinstance(value, str) or value.lower() not in choices:
        raise error(name, value, fix or f"use one of {', '.join(map(repr, choices))}", owner=owner,
                    problem=_rule(where, "is not one of the choices"))
    return value.lower()
