"""``hzaddr code`` and ``hzaddr divisions``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["register"]


def register(sub: Any) -> None:
    from ._registry import add_city_option

    p = sub.add_parser("code", help="validate and explain building / division codes")
    p.add_argument("codes", nargs="+", metavar="CODE", help="codes to check (4, 6, 9, 12, 15 or 20 characters)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    add_city_option(p)
    p.set_defaults(func=_cmd_code)

    d = sub.add_parser("divisions", help="look up official divisions by name or code")
    d.add_argument("query", nargs="?", metavar="NAME|CODE", help="a name (西湖, 西溪街道...) or a code; omit to list districts")
    d.add_argument("--level", choices=("city", "district", "town", "community"))
    d.add_argument("--include-retired", action="store_true", help="also list pre-2021 (retired) divisions")
    d.add_argument("--json", action="store_true", help="print JSON")
    add_city_option(d)
    d.set_defaults(func=_cmd_divisions)


def _cmd_code(args: argparse.Namespace) -> int:
    from ..codes import explain
    from ._registry import open_registry

    reg = open_registry(args.city)
    results = [explain(c, registry=reg) for c in args.codes]
    if args.json:
        json.dump(results, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for r in results:
            if r["valid"]:
                chain = " / ".join(f"{lv['name'] or '?'} ({lv['code']})" for lv in r["levels"])
                print(f"{r['code']}  valid {r['level']}: {chain}")
            elif r.get("lifecycle"):  # issued once, re-coded or retired since
                print(f"{r['code']}  NOT CURRENT ({r['reason']}): {r['detail']}")
            else:
                print(f"{r.get('code', r['input'])}  INVALID ({r['reason']}): {r['detail']}")
            if r["valid"] and r.get("lifecycle"):
                print(f"  {r['lifecycle']['summary']}")
    return 0 if all(r["valid"] for r in results) else 1


def _division_dict(reg: Any, div: Any) -> dict[str, Any]:
    out = {"code": div.code, "level": div.level, "name": div.name, "status": div.status,
           "parent_code": div.parent_code}
    if div.level in ("district", "town", "community"):
        h = reg.history(div.code)
        if h.editions:
            out["editions"] = list(h.editions)
        if h.former_names:
            out["former_names"] = [{"name": n, "editions": e.split()} for n, e in h.former_names]
        if not div.is_active:
            out["successors"] = [{"code": c, "name": reg.name_of(c), "reason": r}
                                 for c, r in zip(h.successors, h.reasons)]
            out["history"] = h.describe({c: reg.name_of(c) for c in h.successors})
    elif not div.is_active:
        out["successors"] = [{"code": c, "name": reg.name_of(c)} for c in reg.current(div.code)]
    return out


def _cmd_divisions(args: argparse.Namespace) -> int:
    from ..codes import code_to_children, normalize_code
    from ._registry import open_registry

    reg = open_registry(args.city)
    q = args.query
    if q is None:
        rows = []
        for code in reg.codes("district"):
            towns = code_to_children(code, registry=reg)
            n_comm = sum(len(code_to_children(t, registry=reg)) for t in towns)
            rows.append({"code": code, "name": reg.name_of(code), "towns": len(towns), "communities": n_comm})
        if args.json:
            json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            for r in rows:
                print(f"{r['code']}  {r['name']}\t{r['towns']} towns/streets, {r['communities']} communities")
        return 0
    q = q.strip()
    code = None
    try:
        cand = normalize_code(q)
        if cand.isdigit():
            code = cand
    except Exception:  # noqa: BLE001 - not a code: treat as a name
        code = None
    if code is not None:
        div = reg.lookup(code)
        if div is None:
            print(f"hzaddr: error: no division with code {code!r}", file=sys.stderr)
            return 1
        doc = _division_dict(reg, div)
        doc["ancestors"] = [_division_dict(reg, a) for a in reg.ancestors(code)[:-1]]
        kids = code_to_children(code, registry=reg, include_retired=args.include_retired or not div.is_active)
        doc["children"] = [{"code": c, "name": reg.name_of(c)} for c in kids]
        if args.json:
            json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            chain = " / ".join(a["name"] for a in doc["ancestors"] + [doc])
            print(f"{div.code}  {div.level}  {chain}  [{div.status}]")
            _print_history(doc, "  ")
            for c in doc["children"]:
                print(f"  {c['code']}  {c['name']}")
        return 0
    hits = reg.find(q, level=args.level, include_retired=True)
    if not args.include_retired:
        active = [h for h in hits if h.is_active]
        hits = tuple(active) if active else hits  # a retired-only name is still shown, flagged
    if not hits:
        print(f"hzaddr: error: no division named {q!r}; try a shorter form or a code", file=sys.stderr)
        return 1
    docs = []
    for h in hits:
        doc = _division_dict(reg, h)
        doc["path"] = " / ".join(a.name for a in reg.ancestors(h.code))
        docs.append(doc)
    if args.json:
        json.dump(docs, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for d in docs:
            flag = "" if d["status"] == "active" else "  [retired]"
            print(f"{d['code']}  {d['level']}\t{d['path']}{flag}")
            _print_history(d, "    ")
    return 0


def _print_history(doc: dict[str, Any], indent: str) -> None:
    """A retired division's editions, successors and their reasons (or "successor unknown"); a current one's
    former names."""
    if doc["status"] == "active":
        for f in doc.get("former_names", []):
            print(f"{indent}formerly: {f['name']}" + (f" ({' '.join(f['editions'])})" if f["editions"] else ""))
        return
    if doc.get("editions"):
        print(f"{indent}editions: {' '.join(doc['editions'])}")
    for s in doc.get("successors", []):
        why = f" ({s['reason']})" if s.get("reason") else ""
        print(f"{indent}now: {s['code']} {s['name']}{why}")
    if not doc.get("successors"):
        print(f"{indent}{doc.get('history', 'successor unknown')}")
