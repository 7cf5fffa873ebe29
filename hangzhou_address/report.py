"""Self-contained HTML reports of a normalization or a reconciliation (Jinja2 templates, inline SVG).

* :func:`write_report` — the report of :func:`hangzhou_address.ledger.normalize_file`: counts by match
  level, confidence, district and town (tables and bar charts), a map of where the matched buildings are
  and where the rows not matched to a building are (by town), the reasons of the rows for review grouped,
  and the shapes of unmatched texts;
* :func:`write_reconcile_report` — the report of :func:`hangzhou_address.reconciliation.reconcile`:
  the disagreements by kind and by district, and a map of the buildings involved;
* :func:`bar_chart_svg`, :func:`build_map` and :func:`map_svg` — the inline SVG pieces on their own.

The page is one file that works offline: no script, no font, style sheet, image or map tile from
anywhere; the map is drawn from the registry's own division areas, grids and building footprints. The
templates live in ``hangzhou_address/templates/`` (autoescaped); ``lang="zh"`` gives the Chinese page.

Privacy: a report shows counts, division names, masked shapes of texts
(:func:`hangzhou_address._privacy.text_shape`) and masked reasons
(:func:`hangzhou_address._privacy.reason_template`) only — never a row's content (names, phone numbers,
ID numbers, addresses). The map's dots gather the matched buildings into cells of a few hundred metres.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from ._privacy import text_shape
from .i18n import LANGS, LEVELS_ZH
from .i18n import check_lang as _check_lang

__all__ = ["write_report", "write_reconcile_report", "bar_chart_svg", "build_map", "map_svg", "ReportMap", "LANGS",
           "FONT_STACK"]

#: the languages of the report (:data:`hangzhou_address.i18n.LANGS`)
Lang = Literal["en", "zh"]

#: the report's own words, by language (labels of the page, not of the data)
_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "normalize_title": "Ledger normalization",
        "reconcile_title": "Ledger reconciliation",
        "unknown": "(not a known division code)",
        "summary": "Summary", "value": "value", "rows": "rows", "rows_total": "rows",
        "failed": "failed / unreadable rows", "review": "rows for review",
        "conflicts": "text / coordinate conflicts", "time": "time",
        "time_value": "{seconds:.1f} s with {workers} worker(s)",
        "levels": "Match level", "confidence": "Confidence",
        "by_district": "Rows by district", "by_town": "Rows by town",
        "district": "district", "town": "town", "building_rows": "at building level",
        "other_rows": "not at building level", "no_division": "(no district found)",
        "no_town": "(no town found)", "all_towns": "the other {n} towns",
        "map": "Map", "map_caption": ("Blue dots: the matched buildings, gathered into cells of about {cell} m "
                                      "(a bigger dot, more rows). Orange towns: rows not matched to a building, "
                                      "by their town (darker, more rows). Lines: districts, towns{grids}."),
        "map_grids": " and grids", "map_none": "The registry has no division areas: no map.",
        "map_off": "{n:,} row(s) have no town and are not on the map.",
        "legend_buildings": "matched buildings", "legend_towns": "rows not matched to a building",
        "reasons": "Review reasons", "why_review": "why in review", "reason": "reason (masked)",
        "reasons_note": ("Names, numbers and codes in the reasons are masked (… text, # digits); "
                         "a row can give several reasons."),
        "kind_unmatched": "unmatched", "kind_city only": "city level only (several districts)",
        "kind_low confidence": "confidence below {review_conf}", "kind_conflict": "text / coordinate conflict",
        "kind_row problem": "row problem (unreadable, too long...)",
        "patterns": "Top unmatched patterns", "pattern": "pattern",
        "shape_legend": "shapes: 字 CJK character, # digit, a letter, _ space, . other; runs collapsed",
        "disagreements": "Disagreements", "kind": "kind", "counts": "Counts",
        "by_district_rc": "Disagreements by district", "map_caption_rc": (
            "Blue dots: the buildings in a disagreement (same key at different buildings, only in A, only in B, "
            "attribute differences), gathered into cells of about {cell} m. Lines: districts, towns{grids}."),
        "nothing": "(nothing)",
        "footer": ("hangzhou_address report. Counts, division names, masked shapes of texts and reasons, and "
                   "buildings gathered into map cells only: no row content (no names, phone numbers, ID numbers "
                   "or addresses from the ledger)."),
        "level_building": "building", "level_grid": "grid", "level_community": "community", "level_town": "town",
        "level_district": "district", "level_city": "city", "level_none": "none",
        "rc_same key, different building": "same key, different building", "rc_only in A": "only in A",
        "rc_only in B": "only in B", "rc_attribute differences": "attribute differences",
        "rc_unmatched in A": "unmatched in A", "rc_unmatched in B": "unmatched in B",
    },
    "zh": {
        "normalize_title": "台账标准化报告",
        "reconcile_title": "台账比对报告",
        "unknown": "（非已知区划编码）",
        "summary": "概况", "value": "数值", "rows": "行数", "rows_total": "行数",
        "failed": "失败 / 无法读取的行", "review": "需人工复核的行",
        "conflicts": "文本与坐标不一致", "time": "用时",
        "time_value": "{seconds:.1f} 秒，{workers} 个进程",
        "levels": "匹配级别", "confidence": "置信度",
        "by_district": "各区县行数", "by_town": "各镇街行数",
        "district": "区县", "town": "镇街", "building_rows": "匹配到楼栋",
        "other_rows": "未匹配到楼栋", "no_division": "（未识别区县）",
        "no_town": "（未识别镇街）", "all_towns": "其余 {n} 个镇街",
        "map": "地图", "map_caption": ("蓝点：匹配到的楼栋，按约 {cell} 米的格子汇总（点越大，行数越多）。"
                                     "橙色镇街：未匹配到楼栋的行所在的镇街（颜色越深，行数越多）。线：区县、镇街{grids}边界。"),
        "map_grids": "、网格", "map_none": "登记库没有行政区划面，无法绘制地图。",
        "map_off": "{n:,} 行没有识别出镇街，未在地图上显示。",
        "legend_buildings": "匹配到的楼栋", "legend_towns": "未匹配到楼栋的行",
        "reasons": "复核原因", "why_review": "复核类别", "reason": "原因（已脱敏）",
        "reasons_note": "原因中的名称、数字和编码已脱敏（… 表示文字，# 表示数字）；一行可有多个原因。",
        "kind_unmatched": "未匹配", "kind_city only": "仅到市级（跨多个区县）",
        "kind_low confidence": "置信度低于 {review_conf}", "kind_conflict": "文本与坐标不一致",
        "kind_row problem": "行有问题（无法读取、过长等）",
        "patterns": "常见未匹配文本形态", "pattern": "形态",
        "shape_legend": "形态：字 汉字，# 数字，a 字母，_ 空格，. 其他；连续相同合并",
        "disagreements": "不一致", "kind": "类别", "counts": "计数",
        "by_district_rc": "各区县的不一致", "map_caption_rc": (
            "蓝点：存在不一致的楼栋（同一主体不同楼栋、仅在 A、仅在 B、属性不同），按约 {cell} 米的格子汇总。"
            "线：区县、镇街{grids}边界。"),
        "nothing": "（无）",
        "footer": ("hangzhou_address 报告。仅含计数、行政区划名称、脱敏后的文本形态与原因，以及按地图格子汇总的楼栋："
                   "不含任何行内容（台账中的姓名、电话、身份证号或地址）。"),
        **{f"level_{k}": v for k, v in LEVELS_ZH.items()}, "level_none": "未匹配",
        "rc_same key, different building": "同一主体、不同楼栋", "rc_only in A": "仅在 A",
        "rc_only in B": "仅在 B", "rc_attribute differences": "属性不同",
        "rc_unmatched in A": "A 中未匹配", "rc_unmatched in B": "B 中未匹配",
    },
}

#: the CSS font stack: the common CJK fonts of Linux, macOS and Windows first
FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
              '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif')
_LEVELS = ("building", "grid", "community", "town", "district", "city", "none")
#: what a shape may be made of (anything else in a pattern is masked before it is shown)
_SHAPE = re.compile(r"<empty>|[字#a_.]{1,12}…?")
_TOWN_FILLS = ("#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603")


@lru_cache(maxsize=1)
def _env() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("hangzhou_address", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["num"] = lambda v: f"{v:,.0f}" if isinstance(v, (int, float)) else v
    return env


def _render(template: str, **context: Any) -> str:
    return _env().get_template(template).render(font_stack=FONT_STACK, **context)


def bar_chart_svg(items: Iterable[tuple[str, float]], *, width: int = 560, bar_height: int = 18,
                  lang: Lang = "en") -> str:
    """A horizontal bar chart of ``(label, value)`` pairs as an inline SVG string (escaped labels).

    Examples
    --------
    >>> svg = bar_chart_svg([("西湖区", 3), ("<b>", 1)])
    >>> svg.count("<rect"), "&lt;b&gt;" in svg
    (2, True)
    """
    lang = _check_lang(lang)
    return _render("_bars.svg.j2", chart=_bars(list(items), width, bar_height), t=_TEXT[lang])


@dataclass(frozen=True)
class _Bar:
    label: str
    value: float
    y: float
    w: float


@dataclass(frozen=True)
class _Bars:
    width: int
    height: int
    label_w: int
    bar_height: int
    bars: tuple[_Bar, ...]


def _bars(items: list[tuple[str, float]], width: int, bar_height: int) -> _Bars | None:
    if not items:
        return None
    top = max(v for _, v in items) or 1
    longest = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(lab)) for lab, _ in items)
    label_w = int(min(width * 0.4, max(60, 7 * longest + 12)))
    bars = tuple(_Bar(str(lab), v, 5 + i * bar_height, (width - label_w - 80) * v / top)
                 for i, (lab, v) in enumerate(items))
    return _Bars(width, bar_height * len(items) + 10, label_w, bar_height, bars)


# ---------------------------------------------------------------------------------------------- map
@dataclass(frozen=True)
class _Shape:
    d: str
    title: str
    fill: str | None
    #: where its label goes (a point inside it)
    lx: float = 0.0
    ly: float = 0.0


@dataclass(frozen=True)
class _Dot:
    cx: float
    cy: float
    r: float
    n: int


@dataclass(frozen=True)
class ReportMap:
    """What the report's map draws, in SVG pixels (see :func:`build_map`)."""

    width: int
    height: int
    #: metres that one dot cell covers
    cell_m: int
    districts: tuple[_Shape, ...]
    towns: tuple[_Shape, ...]
    grids: tuple[_Shape, ...]
    dots: tuple[_Dot, ...]
    #: rows (buildings or towns) that have no geometry in the registry and are not drawn
    off_map: int
    #: the count classes of the town fills: (lowest count, colour)
    town_classes: tuple[tuple[int, str], ...]


def _path(geom: Any) -> str:
    import shapely

    parts = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = shapely.get_coordinates(ring)
            if len(xy) < 3:
                continue
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + "Z")
    return "".join(parts)


def _town_classes(counts: Iterable[int]) -> tuple[tuple[int, str], ...]:
    top = max(counts, default=0)
    if top <= 0:
        return ()
    # log-spaced lower bounds 1 .. top, at most len(_TOWN_FILLS) classes
    k = min(len(_TOWN_FILLS), max(1, int(math.log10(top) * 2) + 1), top)
    lows = sorted({max(1, round(top ** (i / k))) for i in range(k)})
    return tuple((lo, _TOWN_FILLS[round(j * (len(_TOWN_FILLS) - 1) / max(1, len(lows) - 1))])
                 for j, lo in enumerate(lows))


def _fill(n: int, classes: tuple[tuple[int, str], ...]) -> str | None:
    out = None
    for lo, colour in classes:
        if n >= lo:
            out = colour
    return out


def build_map(registry: Any, buildings: Mapping[str, int], towns: Mapping[str, int], *, width: int = 640,
                cell_px: int = 4, min_cell_m: float = 200.0, max_grids: int = 1500,
              names: Mapping[str, str] | None = None) -> ReportMap | None:
    """Project the registry's areas and the counted buildings / towns to an SVG map.

    Parameters
    ----------
    registry : Registry
        Gives the division areas (district and town polygons), the grids and the building footprints.
    buildings : mapping of building code to rows
        Drawn as dots at the centres of square cells of ``cell_px`` pixels, and of at least
        ``min_cell_m`` metres on the ground (so that a dot never shows where one row's building is).
    towns : mapping of town code to rows
        Towns filled by count (rows not matched to a building).
    width : int, default 640
        The map's width in pixels; its height follows from the area drawn.
    max_grids : int, default 1500
        Grid outlines are drawn when at most this many lie in the area drawn.
    names : mapping of code to name, optional
        Names for the tooltips (default: the registry's).

    Returns
    -------
    ReportMap or None
        None when the registry has no division areas.
    """
    import numpy as np
    import shapely

    areas = registry.division_areas if registry is not None else None
    if areas is None or not len(areas):
        return None
    name_of = (lambda c: names.get(c, c)) if names is not None else (lambda c: registry.name_of(c) or c)
    geographic = areas.crs is None or areas.crs.is_geographic
    points = np.empty((0, 2))
    weights = np.empty(0, dtype=int)
    off = 0
    bt = registry.buildings if buildings else None
    if buildings:
        codes = list(buildings)
        if bt is not None and len(bt):
            b = bt.set_index("code").geometry.reindex(codes)
            if bt.crs is not None and areas.crs is not None and bt.crs != areas.crs:
                b = b.set_crs(bt.crs, allow_override=True).to_crs(areas.crs)
            have = b.notna().to_numpy()
            geoms = b.to_numpy()[have]
            points = shapely.get_coordinates(shapely.centroid(geoms)) if len(geoms) else points
            weights = np.array([buildings[c] for c, h in zip(codes, have) if h], dtype=int)
            off += sum(buildings[c] for c, h in zip(codes, have) if not h)
        else:
            off += sum(buildings.values())
    town_areas = areas[areas["level"] == "town"]
    town_geo = town_areas.set_index("code").geometry
    drawn_towns = [c for c in towns if c in town_geo.index]
    off += sum(n for c, n in towns.items() if c not in town_geo.index)
    # the area drawn: around what is counted (the whole city when nothing is)
    boxes = [shapely.bounds(town_geo.loc[drawn_towns].to_numpy())] if drawn_towns else []
    if len(points):
        boxes.append(np.column_stack([points, points]))
    if boxes:
        bb = np.vstack(boxes)
        minx, miny, maxx, maxy = bb[:, 0].min(), bb[:, 1].min(), bb[:, 2].max(), bb[:, 3].max()
    else:
        minx, miny, maxx, maxy = areas.total_bounds
    span = max(maxx - minx, maxy - miny, 0.02 if geographic else 2000.0)
    cxm, cym = (minx + maxx) / 2, (miny + maxy) / 2
    half_w = max(maxx - minx, span * 0.35) / 2 * 1.06
    half_h = max(maxy - miny, span * 0.35) / 2 * 1.06
    minx, maxx, miny, maxy = cxm - half_w, cxm + half_w, cym - half_h, cym + half_h
    kx = math.cos(math.radians(cym)) if geographic else 1.0
    scale = width / ((maxx - minx) * kx)
    height = max(120, int(round((maxy - miny) * scale)))
    metres_per_unit = 111_320.0 if geographic else 1.0  # along a meridian

    def project(g: Any) -> Any:
        return shapely.transform(g, lambda xy: np.column_stack([(xy[:, 0] - minx) * kx * scale,
                                                                (maxy - xy[:, 1]) * scale]))

    view = shapely.box(minx, miny, maxx, maxy)

    def shapes(frame: Any, fill_of: Any) -> tuple[_Shape, ...]:
        if frame is None or not len(frame):
            return ()
        g = frame.geometry.to_numpy()
        keep = shapely.intersects(g, view)
        out = []
        for code, name, geom in zip(frame["code"].to_numpy()[keep], frame["name"].to_numpy()[keep]
                                    if "name" in frame else frame["code"].to_numpy()[keep], g[keep]):
            geom = shapely.simplify(project(geom), 0.4)
            d = _path(geom)
            if d:
                fill, title = fill_of(code, name)
                p = shapely.point_on_surface(geom)
                out.append(_Shape(d, title, fill, round(p.x, 1), round(p.y, 1)))
        return tuple(out)

    classes = _town_classes(towns.values())
    districts = shapes(areas[areas["level"] == "district"], lambda c, n: (None, str(n)))
    town_shapes = shapes(town_areas, lambda c, n: (
        _fill(towns.get(c, 0), classes), f"{name_of(c[:6]) if len(c) > 6 else ''} {n}: {towns.get(c, 0):,}"))
    grids: tuple[_Shape, ...] = ()
    gt = registry.grids
    if gt is not None and len(gt) and (gt.crs is None or gt.crs == areas.crs):
        inside = shapely.intersects(gt.geometry.to_numpy(), view)
        if 0 < inside.sum() <= max_grids:
            grids = shapes(gt[inside].assign(name=gt["code"][inside]), lambda c, n: (None, str(n)))
    metres_per_px = metres_per_unit / scale
    cell = max(float(cell_px), min_cell_m / metres_per_px)  # never finer than min_cell_m on the ground
    dots: list[_Dot] = []
    if len(points):
        px = (points[:, 0] - minx) * kx * scale
        py = (maxy - points[:, 1]) * scale
        cells: Counter = Counter()
        for x, y, w in zip(px // cell, py // cell, weights):
            cells[(int(x), int(y))] += int(w)
        top = max(cells.values())
        for (i, j), n in sorted(cells.items()):  # a dot sits at its cell's centre, not at a building
            dots.append(_Dot(round((i + 0.5) * cell, 1), round((j + 0.5) * cell, 1),
                             round(1.6 + 3.4 * math.sqrt(n / top), 1), n))
    cell_m = int(round(cell * metres_per_px, -1)) or 10
    return ReportMap(width, height, cell_m, districts, town_shapes, grids, tuple(dots), off, classes)


def map_svg(registry: Any, buildings: Mapping[str, int], towns: Mapping[str, int], *, lang: Lang = "en",
            **options: Any) -> str:
    """The map of :func:`build_map` as an inline SVG string ("" when the registry has no division areas)."""
    lang = _check_lang(lang)
    m = build_map(registry, buildings, towns, **options)
    return "" if m is None else _render("_map.svg.j2", m=m, t=_TEXT[lang])


# ------------------------------------------------------------------------------------------ reports
def _mask_pattern(pattern: Any) -> str:
    """A pattern as it may be shown: a text shape as it is, anything else as its shape."""
    p = str(pattern)
    return p if _SHAPE.fullmatch(p) else text_shape(pattern)


def _division_rows(by_town: Mapping[tuple[str, str, str], int], registry: Any, t: dict[str, str]
                   ) -> tuple[list[tuple[str, int, int, int]], list[tuple[str, str, int, int, int]]]:
    name = (lambda c: registry.name_of(c) or c) if registry is not None else (lambda c: c)
    dist: dict[str, list[int]] = {}
    town: dict[tuple[str, str], list[int]] = {}
    for (d, tc, lv), n in by_town.items():
        b = n if lv == "building" else 0
        for acc, key in ((dist, d), (town, (d, tc))):
            v = acc.setdefault(key, [0, 0, 0])
            v[0] += n
            v[1] += b
            v[2] += n - b
    drows = [(name(d) if d else t["no_division"], *v) for d, v in sorted(dist.items(), key=lambda kv: -kv[1][0])]
    trows = [(name(d) if d else t["no_division"], name(tc) if tc else t["no_town"], *v)
             for (d, tc), v in sorted(town.items(), key=lambda kv: -kv[1][0])]
    return drows, trows


def _write(path: str | Path, doc: str) -> Path:
    from .io._atomic import atomic_write

    with atomic_write(path, "w", encoding="utf-8") as fh:
        fh.write(doc)
    return Path(path)


def write_report(path: str | Path, summary: Any, *, title: str | None = None, registry: Any = None,
                 lang: Lang = "en") -> Path:
    """Write the HTML report of a :class:`~hangzhou_address.ledger.NormalizeSummary` (atomically).

    Parameters
    ----------
    path : str or Path
        The ``.html`` file to write.
    summary : NormalizeSummary
        The counts of the run.
    title : str, optional
        The page's title (default: "Ledger normalization" / "台账标准化报告").
    registry : Registry, optional
        Names the districts and towns and draws the map (default: the embedded registry).
    lang : {"en", "zh"}, default "en"
        The language of the page.

    Returns
    -------
    Path

    Raises
    ------
    InputError
        An unknown ``lang``.
    """
    from .ledger import REVIEW_CONFIDENCE

    lang = _check_lang(lang)
    t = _TEXT[lang]
    if registry is None:
        from .registry import default_registry

        registry = default_registry()
    levels = [(t[f"level_{k}"], summary.levels.get(k, 0)) for k in _LEVELS]
    hist = [(f"{i / 10:.1f}–{(i + 1) / 10:.1f}", n) for i, n in enumerate(summary.confidence_hist)]
    facts = [(t["rows_total"], summary.rows), (t["failed"], summary.failed_rows), (t["review"], summary.review_rows),
             (t["conflicts"], summary.conflicts)]
    if summary.seconds:
        facts.append((t["time"], t["time_value"].format(seconds=summary.seconds, workers=summary.workers)))
    by_town = getattr(summary, "by_town", Counter())
    drows, trows = _division_rows(by_town, registry, t)
    not_building: Counter = Counter()
    no_town = 0
    for (_, tc, lv), n in by_town.items():
        if lv != "building":
            if tc:
                not_building[tc] += n
            else:
                no_town += n
    the_map = build_map(registry, getattr(summary, "buildings", Counter()), not_building)
    patterns: Counter = Counter()
    for p, n in summary.unmatched_patterns.items():
        patterns[_mask_pattern(p)] += n
    kinds = [(t[f"kind_{k}"].format(review_conf=REVIEW_CONFIDENCE), n)
             for k, n in getattr(summary, "review_kinds", Counter()).most_common() if f"kind_{k}" in t]
    from ._privacy import reason_template

    reasons: Counter = Counter()
    for r, n in getattr(summary, "review_reasons", Counter()).items():
        reasons[reason_template(r)] += n  # idempotent on masked reasons; masks anything else
    doc = _render(
        "normalize.html.j2", lang=lang, t=t, title=title or t["normalize_title"], facts=facts,
        levels=_bars(levels, 560, 18), hist=_bars(hist, 560, 18),
        district_bars=_bars([(r[0], r[1]) for r in drows[:25]], 560, 18), districts=drows, towns=trows,
        town_rows=30,
        map=the_map, map_off=no_town + (the_map.off_map if the_map else 0), kinds=kinds,
        reasons=reasons.most_common(30), patterns=patterns.most_common(20))
    return _write(path, doc)


#: the building-code columns of a reconciliation's tables (``--on code``, or ``编码`` for ``--lang zh`` outputs)
_CODE_COLUMNS = ("code_b", "code_a", "code", "编码_b", "编码_a", "编码")


def _code_columns(frame: Any) -> list[str]:
    return [c for c in _CODE_COLUMNS if c in getattr(frame, "columns", ())]


def _row_codes(frame: Any) -> list[Any]:
    """One code per row of a reconciliation table: the first code column that has one (a moved entity counts
    once, at its code in B)."""
    cols = _code_columns(frame)
    if not cols:
        return []
    out = frame[cols[0]].tolist()
    for col in cols[1:]:
        out = [a if isinstance(a, str) and a else b for a, b in zip(out, frame[col].tolist())]
    return out


def write_reconcile_report(path: str | Path, result: Any, *, title: str | None = None, registry: Any = None,
                           lang: Lang = "en") -> Path:
    """Write the HTML report of a :class:`~hangzhou_address.reconciliation.ReconcileResult` (atomically).

    The disagreements by kind (a table and a chart), by district (from the building codes involved) and
    a map of the buildings involved; no value of a row is shown. Parameters as :func:`write_report`.
    """
    lang = _check_lang(lang)
    t = _TEXT[lang]
    if registry is None:
        from .registry import default_registry

        registry = default_registry()
    counts = [(t.get(f"rc_{k}", k), n) for k, n in result.counts().items()]
    buildings: Counter = Counter()
    by_district: dict[str, Counter] = {}
    kinds = [("moved", "same key, different building"), ("only_a", "only in A"), ("only_b", "only in B"),
             ("attribute_diffs", "attribute differences")]
    for attr, label in kinds:
        frame = getattr(result, attr, None)
        if frame is None:
            continue
        for c in _row_codes(frame):
            # only what is a code of the registry's divisions counts (a column named code may hold anything:
            # a phone number's first digits must not appear in the report); the rest is "unknown"
            known = isinstance(c, str) and len(c) >= 6 and registry.name_of(c[:6]) is not None
            by_district.setdefault(c[:6] if known else "", Counter())[label] += 1
            if known and len(c) == 20 and registry.has_table("buildings"):
                buildings[c] += 1
    unknown = t["unknown"]
    name = lambda c: (registry.name_of(c) or unknown) if c else unknown  # noqa: E731
    drows = [(name(d), *(v.get(k, 0) for _, k in kinds)) for d, v in
             sorted(by_district.items(), key=lambda kv: -sum(kv[1].values()))]
    the_map = build_map(registry, buildings, {}) if buildings else None
    doc = _render("reconcile.html.j2", lang=lang, t=t, title=title or t["reconcile_title"],
                  counts=counts, count_bars=_bars(counts, 560, 18), districts=drows,
                  kind_labels=[t.get(f"rc_{k}", k) for _, k in kinds], map=the_map)
    return _write(path, doc)
