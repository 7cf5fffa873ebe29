"""``hzaddr match``: match free-text addresses to codes."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["register"]


def register(sub: Any) -> None:
    from ._registry import add_city_option

    p = sub.add_parser(
        "match",
        help="match free-text addresses to the most specific code (building, grid, community, town, district)",
        description="Match free-text Hangzhou addresses. Exit status 1 when any text did not match (a blank "
                    "line of '-' gives a no-match row in its place and does not count).",
    )
    p.add_argument("texts", nargs="+", metavar="TEXT", help="addresses; '-' reads one address per line from stdin")
    p.add_argument("--json", action="store_true", help="print one JSON object per line (JSON Lines)")
    p.add_argument("--exact", action="store_true",
                   help="exact mode: names must be spelled as in the registry; default is fuzzy "
                        "(misspelled names are read, with a 'fuzzy:' reason)")
    add_city_option(p)
    p.set_defaults(func=_cmd_match)


def _texts(args: argparse.Namespace) -> list[str]:
    out: list[str] = []
    for t in args.texts:
        if t == "-":
            out.extend(line.rstrip("\r\n") for line in sys.stdin)  # a blank line keeps its place
        else:
            out.append(t)
    return out


def _cmd_match(args: argparse.Namespace) -> int:
    from ..matcher import default_matcher
    from ._registry import open_registry

    matcher = default_matcher(open_registry(args.city))
    if args.texts == ["-"]:  # a stream of addresses: keep the loaded indexes out of the GC's passes
        from ..runtime import freeze_loaded

        freeze_loaded()
    unmatched = 0
    for text in _texts(args):
        r = matcher.match(text, fuzzy=not args.exact)
        if r.code is None and text.strip():
            unmatched += 1
        if args.json:
            doc = {
                "input": r.input, "code": r.code, "level": r.level, "confidence": r.confidence,
                "district_code": r.district_code, "town_code": r.town_code, "community_code": r.community_code,
                "elements": dict(r.elements),
                "candidates": [{"code": c.code, "level": c.level, "name": c.name, "score": c.score}
                               for c in r.candidates],
                "reasons": list(r.reasons),
            }
            print(json.dumps(doc, ensure_ascii=False))
        else:
            head = f"{r.code or '-'}\t{r.level or '-'}\t{r.confidence:.3f}\t{text}"
            print(head)
            for reason in r.reasons:
                print(f"\t  {reason}")
            for c in r.candidates:
                print(f"\t  candidate {c.code} {c.level} {c.name} ({c.score:g})")
    return 1 if unmatched else 0
