"""The names of velocity signals, shared by the counters that fill them and the rules that
read them: `velocity.<subject>_<window>` and, on an entity, `e.<subject>_<window>`."""

from __future__ import annotations

WINDOWS = {"1m": 60, "10m": 600, "1h": 3600, "1d": 86400}  # name: seconds
LONGEST_WINDOW = max(WINDOWS.values())
ACTOR_SUBJECTS = ("user", "ip", "net", "email_domain", "signups_ip", "ip_accounts")
# near_users: distinct users who posted a near duplicate of a text (0 for other kinds).
ENTITY_SUBJECTS = ("posts", "users", "near_users")

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
WINDOW_PATTERN = r"^[1-9][0-9]{0,3}[smhdw]$"


def windows_with(extra: tuple[str, ...]) -> dict[str, int]:
    """The default windows and `extra` ones ("5m", "1w"...), shortest first."""
    found = dict(WINDOWS)
    for name in extra:
        found[name] = int(name[:-1]) * _UNIT_SECONDS[name[-1]]
    return dict(sorted(found.items(), key=lambda item: item[1]))
