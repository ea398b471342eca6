"""The network adapters: one module per network, named as ``PROMOTE_NETWORKS`` and ``--network``
name it, holding one ``NetworkAdapter`` subclass whose ``name`` is the module's name.

The modules found here are the one list of networks: ``known_networks`` lists them without
importing any, and a network's module is imported only when that network is used, so one
adapter's import problem never hides the others. What else names the networks (the
``Social_<network>`` header keys, the CI workflow's variables, docs/networks/) is derived from
the adapters (``python -m self_promoting_blog.derived``).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

from self_promoting_blog.promote.errors import SettingsError

if TYPE_CHECKING:
    from self_promoting_blog.promote.adapters.base import NetworkAdapter


def known_networks() -> list[str]:
    """The valid network names, sorted: the adapter modules of this package."""
    return sorted(module.name for module in pkgutil.iter_modules(__path__)
                  if not module.ispkg and not module.name.startswith("_"))


def metadata_keys() -> tuple[str, ...]:
    """The article header keys that override the text per network: ``social_<network>``."""
    return tuple(f"social_{name}" for name in known_networks())


def check_network_name(name: str, setting: str = "PROMOTE_NETWORKS") -> str:
    """Return the normalised name, or raise SettingsError listing the valid ones."""
    key = name.strip().lower()
    networks = known_networks()
    if key not in networks:
        raise SettingsError(setting, f"unknown network {name!r}",
                            f"Use one of: {', '.join(networks)}.")
    return key


def adapter_class(name: str) -> type[NetworkAdapter]:
    """Import the module of network `name` and return its adapter class."""
    # Imported here: the build names the networks (metadata_keys) but never needs an adapter,
    # and adapters.base imports the HTTP client.
    from self_promoting_blog.promote.adapters.base import NetworkAdapter

    key = check_network_name(name)
    module = importlib.import_module(f"{__name__}.{key}")
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, NetworkAdapter) and \
                value.__module__ == module.__name__ and getattr(value, "name", None) == key:
            return value
    raise ImportError(f"{module.__name__} holds no NetworkAdapter subclass named {key!r}")
