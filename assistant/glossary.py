"""Alliance jargon that managers type and documents spell out; queries are expanded before retrieval.

Only the query changes: the spelled-out words are appended so both forms can match.
"""

from __future__ import annotations

import re

GLOSSARY: dict[str, str] = {
    "steerco": "steering committee",
    "steercos": "steering committees",
    "jsc": "joint steering committee",
    "jbr": "joint business review",
    "jbrs": "joint business reviews",
    "qbr": "quarterly business review",
    "qbrs": "quarterly business reviews",
    "exec": "executive",
    "execs": "executives",
    "kpi": "metric scorecard",
    "kpis": "metrics scorecard",
    "okr": "objectives metrics",
    "okrs": "objectives metrics",
    "cro": "contract research organization",
    "cros": "contract research organizations",
    "bd": "business development",
    "gtm": "go-to-market",
    "mdf": "market development funds",
    "prm": "partner relationship management",
    "isv": "independent software vendor",
    "isvs": "independent software vendors",
    "msp": "managed service provider",
    "msps": "managed service providers",
    "hyperscaler": "cloud provider",
    "hyperscalers": "cloud providers",
    "coopetition": "alliance with a competitor",
    "pull the plug": "exit end the alliance",
    "wind down": "exit wind-down",
    "fall": "autumn",
}
_PATTERN = re.compile(r"\b(" + "|".join(sorted(map(re.escape, GLOSSARY), key=len, reverse=True)) + r")\b", re.I)


def expand(query: str) -> str:
    extra = list(dict.fromkeys(GLOSSARY[m.group(1).lower()] for m in _PATTERN.finditer(query)))
    return f"{query} ({'; '.join(extra)})" if extra else query
