"""Batch normalization of department ledgers: every row gets a code, a level, a confidence and reasons.

* :func:`normalize_frame` — a pandas (or Dask) DataFrame in, the same frame with result columns out;
* :func:`normalize_file` — CSV / XLSX / XLS / Parquet in, CSV / XLSX / Parquet out, streamed in chunks with
  bounded memory, optionally on several processes, written atomically, with a summary, an HTML report and a
  review file of the rows that need a human.

``lang="zh"`` gives the result columns Chinese headers, level values and reasons (:mod:`hangzhou_address.i18n`);
the default ``"en"`` is what programs read.

Privacy: ledgers hold personal data. Nothing of a row's content is logged: the summary on stderr, its
JSON and the HTML report show only counts and the *shapes* of unmatched texts (character classes, see
:func:`hangzhou_address._privacy.text_shape`); errors name columns only when the first row looks like a
header (:func:`hangzhou_address._privacy.columns_hint`); row content goes only into the output and review
files the user asked for.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import sys
import time
from collections.abc import Iterator
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._privacy import columns_hint, reason_template, text_shape
from .errors import InputError

__all__ = [
    "RESULT_COLUMNS",
    "NormalizeSummary",
    "normalize_frame",
    "normalize_file",
    "REVIEW_CONFIDENCE",
    "MAX_CELL_CHARS",
]

RESULT_COLUMNS = ("code", "level", "confidence", "district_code", "district_name", "town_code", "town_name",
                  "community_code", "community_name", "reasons")
#: rows below this confidence go to the review file
REVIEW_CONFIDENCE = 0.6
#: longer cells are truncated before matching (with a reason)
MAX_CELL_CHARS = 300
_LEVELS = ("building", "grid", "community", "town", "district", "city", "none")


def _names(registry: Any, codes: np.ndarray, cache: dict[str, str | None]) -> np.ndarray:
    out = np.empty(len(codes), dtype=object)
    for i, c in enumerate(codes):
        if c is None or (isinstance(c, float) and c != c):
            out[i] = None
            continue
        if c not in cache:
            cache[c] = registry.name_of(c)
        out[i] = cache[c]
    return out


def _process(texts: list[Any], matcher: Any, registry: Any, xs: Any = None, ys: Any = None, crs: Any = None,
             name_cache: dict | None = None, fuzzy: bool = True) -> pd.DataFrame:
    """Match one block of texts (and optional coordinates) → the result columns (+ point columns)."""
    cleaned, extra = [], []
    for t in texts:
        if isinstance(t, str) and len(t) > MAX_CELL_CHARS:
            cleaned.append(t[:MAX_CELL_CHARS])
            extra.append(f"cell longer than {MAX_CELL_CHARS} characters: truncated for matching")
        else:
            cleaned.append(t if isinstance(t, str) else ("" if t is None else str(t)))
            extra.append(None)
    res = matcher.match_many(cleaned, fuzzy=fuzzy)
    name_cache = {} if name_cache is None else name_cache
    cols: dict[str, Any] = {}
    for col in ("code", "level", "confidence", "district_code", "town_code", "community_code"):
        cols[col] = res[col].to_numpy(dtype=object)
    for level in ("district", "town", "community"):
        cols[f"{level}_name"] = _names(registry, cols[f"{level}_code"], name_cache)
    reasons = res["reasons"].fillna("").astype(str).to_numpy(dtype=object)
    reasons = np.array([r if e is None else (f"{r}; {e}" if r else e) for r, e in zip(reasons, extra)], dtype=object)
    if xs is not None:
        from .spatial import locate

        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            grid = locate(pd.to_numeric(pd.Series(xs), errors="coerce").to_numpy(dtype=float),
                          pd.to_numeric(pd.Series(ys), errors="coerce").to_numpy(dtype=float),
                          crs=crs or "EPSG:4490", registry=registry)
        cols["point_grid_code"] = grid
        codes = cols["code"]
        for i, (c, g) in enumerate(zip(codes, grid)):
            if isinstance(c, str) and isinstance(g, str):
                n = min(len(c), 15)
                if c[:n] != g[:n]:
                    msg = f"conflict: text gives {c}, coordinates give grid {g}"
                    reasons[i] = f"{reasons[i]}; {msg}" if reasons[i] else msg
            elif isinstance(c, str) and g is None:
                msg = "coordinates missing or outside every grid"
                reasons[i] = f"{reasons[i]}; {msg}" if reasons[i] else msg
    cols["reasons"] = reasons
    names = list(RESULT_COLUMNS) + (["point_grid_code"] if xs is not None else [])
    # object dtype everywhere: keeps None as None (pandas 3 would infer str and turn None into NaN)
    return pd.DataFrame({c: pd.Series(cols[c], dtype=object) for c in names})


def normalize_frame(df: Any, column: str, matcher: Any = None, *, x: str | None = None, y: str | None = None,
                    crs: Any = None, registry: Any = None, fuzzy: bool = True, lang: str = "en") -> Any:
    """Add code / level / confidence / division names / reasons to a frame of addresses.

    Parameters
    ----------
    df : pandas.DataFrame or dask.dataframe.DataFrame
        The ledger; its columns are kept unchanged.
    column : str
        The address column.
    matcher : Matcher, optional
        Default: the cached matcher of ``registry`` (or of the embedded default registry).
    x, y, crs : optional
        Coordinate columns: rows are also located and text/point conflicts are reported.
    registry : Registry, optional
        The registry whose cached matcher is used when ``matcher`` is not given.
    fuzzy : bool, default True
        Fuzzy mode: misspelled road / compound / village names (homophones, look-alikes...) are
        read where no exact name finds the building, with a reason starting ``fuzzy:``. False is
        the exact mode: names must be spelled as in the registry. Overrides the matcher's own mode.
    lang : {"en", "zh"}, default "en"
        "zh": the appended columns get Chinese headers (编码, 匹配级别, 置信度, 区县, 镇街, 村社, 原因 ...),
        level values (楼栋, 网格, 村社, 镇街, 区县, 市) and reasons (:mod:`hangzhou_address.i18n`).

    Returns
    -------
    Same type as ``df`` with :data:`RESULT_COLUMNS` appended (and ``point_grid_code`` with x/y).

    Raises
    ------
    InputError
        A missing column, a result column already in the ledger, a ``fuzzy`` that is not a bool, or a
        ``lang`` other than "en" / "zh".

    Examples
    --------
    >>> import pandas as pd
    >>> out = normalize_frame(pd.DataFrame({"地址": ["杭州市西湖区西溪街道"]}), "地址", lang="zh")
    >>> out[["匹配级别", "镇街"]].values.tolist()
    [['镇街', '西溪街道']]
    """
    from .i18n import check_lang, localize_frame
    from .matcher import _check_fuzzy

    fuzzy = _check_fuzzy(fuzzy)
    lang = check_lang(lang)
    if type(df).__module__.startswith("dask"):
        from .dask import normalize_dask

        out = normalize_dask(df, column, x=x, y=y, crs=crs, registry=registry, matcher=matcher, fuzzy=fuzzy)
        if lang == "en":
            return out
        cols = _result_names(x is not None)
        return out.map_partitions(localize_frame, lang, cols, meta=localize_frame(out._meta, lang, cols))
    if column not in df.columns:
        raise InputError(f"column {column!r} not found; {columns_hint(df.columns)}")
    for c in (x, y):
        if c is not None and c not in df.columns:
            raise InputError(f"coordinate column {c!r} not found; {columns_hint(df.columns)}")
    from .matcher import default_matcher

    if matcher is None:
        matcher = default_matcher(registry)
    reg = matcher.registry if hasattr(matcher, "registry") else registry
    res = _process(df[column].tolist(), matcher, reg, df[x].tolist() if x else None, df[y].tolist() if y else None,
                   crs, fuzzy=fuzzy)
    out = df.copy()
    _check_clash(list(res.columns), out.columns, lang)
    for c in res.columns:  # object dtype: keep None (pandas would turn it into NaN in a str column)
        out[c] = pd.Series(res[c].to_numpy(dtype=object), index=out.index, dtype=object)
    return localize_frame(out, lang, list(res.columns))


def _result_names(with_point: bool) -> list[str]:
    return list(RESULT_COLUMNS) + (["point_grid_code"] if with_point else [])


# ---------------------------------------------------------------------------------------- files
@dataclass
class NormalizeSummary:
    """What a normalization run did (all counts, no row content)."""

    rows: int = 0
    failed_rows: int = 0
    review_rows: int = 0
    levels: Counter = field(default_factory=Counter)
    confidence_hist: list = field(default_factory=lambda: [0] * 10)
    unmatched_patterns: Counter = field(default_factory=Counter)
    conflicts: int = 0
    seconds: float = 0.0
    workers: int = 1
    #: rows by (district code, town code, level); "" where the row has no such division
    by_town: Counter = field(default_factory=Counter)
    #: rows matched at building level, by building code (the report's map)
    buildings: Counter = field(default_factory=Counter)
    #: rows for review by why they are there ("unmatched", "city only", "low confidence", "conflict", "row problem")
    review_kinds: Counter = field(default_factory=Counter)
    #: the reasons of rows for review, masked (:func:`hangzhou_address._privacy.reason_template`)
    review_reasons: Counter = field(default_factory=Counter)

    def text(self) -> str:
        lines = [f"rows: {self.rows:,}   failed/unreadable: {self.failed_rows:,}   for review: {self.review_rows:,}"
                 f"   text/coordinate conflicts: {self.conflicts:,}"]
        if self.seconds:
            lines.append(f"time: {self.seconds:.1f} s ({self.rows / max(self.seconds, 1e-9):,.0f} rows/s, "
                         f"{self.workers} worker(s))")
        lines.append("match level: " + ", ".join(f"{k} {self.levels.get(k, 0):,}" for k in _LEVELS))
        hist = " ".join(f"{i / 10:.1f}-:{n:,}" for i, n in enumerate(self.confidence_hist))
        lines.append(f"confidence histogram: {hist}")
        if self.unmatched_patterns:
            lines.append(f"top unmatched patterns ({SHAPE_LEGEND}):")
            for p, n in self.unmatched_patterns.most_common(10):
                lines.append(f"  {n:>8,}  {p}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "failed_rows": self.failed_rows, "review_rows": self.review_rows,
                "levels": dict(self.levels), "confidence_hist": list(self.confidence_hist),
                "unmatched_patterns": self.unmatched_patterns.most_common(20), "conflicts": self.conflicts,
                "seconds": self.seconds, "workers": self.workers,
                "by_town": [[d, t, lv, n] for (d, t, lv), n in sorted(self.by_town.items())],
                "buildings": len(self.buildings), "review_kinds": dict(self.review_kinds),
                "review_reasons": self.review_reasons.most_common(20)}


#: how to read the shapes of unmatched texts (summary and report)
SHAPE_LEGEND = "shapes: 字 CJK character, # digit, a letter, _ space, . other; runs collapsed"


def mask_pattern(text: Any) -> str:
    """A privacy-safe pattern of an unmatched text: its shape (:func:`hangzhou_address._privacy.text_shape`).

    Examples
    --------
    >>> mask_pattern("王小明家 电话13800001111")
    '字_字#'
    """
    return text_shape(text)


def _update_summary(s: NormalizeSummary, texts: list, res: pd.DataFrame, problems: dict[int, str],
                    first_row: int) -> np.ndarray:
    """Update counts; return the mask of rows needing review."""
    level = res["level"].to_numpy(dtype=object)
    conf = pd.to_numeric(res["confidence"], errors="coerce").fillna(0).to_numpy(dtype=float)
    s.rows += len(res)
    for lv in level:
        s.levels[lv if isinstance(lv, str) else "none"] += 1
    hist = np.bincount(np.minimum((conf * 10).astype(int), 9), minlength=10)
    s.confidence_hist = [a + int(b) for a, b in zip(s.confidence_hist, hist)]
    reasons = res["reasons"].astype(str).to_numpy(dtype=object)
    conflict = np.array(["conflict:" in r for r in reasons])
    s.conflicts += int(conflict.sum())
    bad = np.zeros(len(res), dtype=bool)
    for r in problems:
        bad[r - first_row] = True
    s.failed_rows += int(bad.sum())
    unmatched = np.array([not isinstance(lv, str) for lv in level])
    for i in np.flatnonzero(unmatched):
        s.unmatched_patterns[mask_pattern(texts[i])] += 1
    city_only = level == "city"  # a compound in several districts: only a person can say which
    low = conf < REVIEW_CONFIDENCE
    review = unmatched | city_only | low | conflict | bad
    s.review_rows += int(review.sum())
    def text_or(values: Any, empty: str = "") -> list[str]:
        return [v if isinstance(v, str) else empty for v in values]

    s.by_town.update(zip(text_or(res["district_code"]), text_or(res["town_code"]), text_or(level, "none")))
    code = res["code"].to_numpy(dtype=object)
    s.buildings.update(c for c, lv in zip(code, level) if lv == "building" and isinstance(c, str))
    for kind, mask in (("unmatched", unmatched), ("city only", city_only), ("low confidence", low & ~unmatched),
                       ("conflict", conflict), ("row problem", bad)):
        if mask.any():
            s.review_kinds[kind] += int(mask.sum())
    for i in np.flatnonzero(review):
        parts = [p for p in reasons[i].split("; ") if p.strip() and p != "None"]
        if i + first_row in problems:
            parts.append("row problem")  # its text may quote the row: kept out of the report
        for p in dict.fromkeys(reason_template(p) for p in parts) if parts else ("<no reason given>",):
            s.review_reasons[p] += 1
    return review


#: per-process state of pool workers (set once by the pool initializer in each child process)
_WORKER: dict[str, Any] = {}


def _worker_init(registry_dir: str | None) -> None:  # pragma: no cover - runs in child processes
    from .matcher import default_matcher
    from .runtime import freeze_loaded
    from .registry import default_registry

    reg = default_registry() if registry_dir is None else _open(registry_dir)
    _WORKER["matcher"] = default_matcher(reg)
    _WORKER["registry"] = reg
    _WORKER["names"] = {}
    reg.release("addresses")  # the matcher's index holds what it needs (~250 MB less per worker)
    freeze_loaded()  # the registry and indexes live as long as the worker: keep them out of GC passes


def _open(directory: str) -> Any:
    """A city directory with the embedded official divisions and lineage — unless changes were applied to
    it (version > 1, :mod:`hangzhou_address.lifecycle`): then its own divisions and lineage, which hold them."""
    from .io.city import open_city, read_manifest
    from .io.embedded import load_official_divisions
    from .io.versions import version_metadata

    if int(version_metadata(directory, read_manifest(directory)).get("version", 1)) > 1:
        return open_city(directory)
    divisions, lineage = load_official_divisions()
    return open_city(directory, divisions=divisions, lineage=lineage)


def _worker_run(args: tuple) -> pd.DataFrame:  # pragma: no cover - runs in child processes
    texts, xs, ys, crs, fuzzy = args
    return _process(texts, _WORKER["matcher"], _WORKER["registry"], xs, ys, crs, _WORKER["names"], fuzzy)


def normalize_file(
    input_path: str | Path,
    output_path: str | Path,
    *,
    column: str,
    x: str | None = None,
    y: str | None = None,
    crs: Any = None,
    encoding: str | None = None,
    sheet: str | None = None,
    workers: int = 1,
    chunk_rows: int = 20_000,
    registry_dir: str | Path | None = None,
    review_path: str | Path | None = None,
    report_path: str | Path | None = None,
    progress: bool | None = None,
    freeze_gc: bool = False,
    fuzzy: bool = True,
    raw_cells: bool = False,
    lang: str = "en",
) -> NormalizeSummary:
    """Normalize a ledger file; returns a :class:`NormalizeSummary`.

    The input is never modified; the output (``.csv`` UTF-8 with BOM for Excel, ``.xlsx`` or ``.parquet``) and
    the review / report files are written atomically. Re-running on the same input gives byte-identical output.
    Memory is bounded by ``chunk_rows`` × (workers + 2) rows in flight. Worker processes freeze
    their loaded indexes out of the garbage collector (:func:`hangzhou_address.runtime.freeze_loaded`);
    ``freeze_gc=True`` does the same in this process when ``workers == 1`` (the CLI does).

    Parameters
    ----------
    input_path : str or Path
        The ledger: ``.csv`` (UTF-8, UTF-8 with BOM, GBK/GB18030), ``.xlsx``, ``.xls`` or ``.parquet``.
    output_path : str or Path
        ``.csv``, ``.xlsx`` or ``.parquet``; no output may be the input, and no two outputs the same file.
        In ``.xlsx`` every text is a text cell (ID numbers and codes keep all their digits) and only the
        confidence is a number; see :class:`hangzhou_address.io.ledger_write.XlsxWriter`.
    column : str
        The address column.
    x, y, crs : optional
        Coordinate columns and their CRS: rows are also located and text/point conflicts reported.
    encoding, sheet : str, optional
        CSV encoding (default: detected) and XLSX sheet (default: the first).
    workers : int, default 1
        Processes on this machine.
    chunk_rows : int, default 20000
        Rows per chunk (the memory bound).
    registry_dir : str or Path, optional
        City directory to match against (default: the embedded registry).
    review_path, report_path : str or Path, optional
        The rows that need a human (``.xlsx`` for an Excel file, else CSV); HTML report.
    progress : bool, optional
        Draw a progress bar on stderr (default: when stderr is a terminal; never row content).
    freeze_gc : bool, default False
        Freeze the loaded indexes out of the garbage collector when ``workers == 1``.
    fuzzy : bool, default True
        Fuzzy mode (misspelled names are read, with a ``fuzzy:`` reason); False is the exact mode:
        names must be spelled as in the registry.
    raw_cells : bool, default False
        CSV outputs (output and review file) neutralize cells a spreadsheet would run as a formula
        (``=``, ``+``, ``-``, ``@``, tab, line break first: a ``'`` is put in front; plain numbers are
        kept); True writes every cell as it is (for machine pipelines). Parquet is always raw. XLSX
        follows the same rule, and never stores a text as a formula.
    lang : {"en", "zh"}, default "en"
        "zh": the result columns of the output and review files get Chinese headers, level values and
        reasons (see :func:`normalize_frame`); the ledger's own columns are unchanged.

    Returns
    -------
    NormalizeSummary

    Raises
    ------
    InputError
        An output (``output_path``, ``review_path``, ``report_path``) that is the input or another
        output (compared as files: symlinks and hard links count), an output of an unsupported type,
        a missing column, ``workers < 1``, a ``fuzzy`` / ``raw_cells`` that is not a bool, a ``lang`` other
        than "en" / "zh", or an ``.xlsx`` output of more than 1,048,575 rows.
    DataError
        The input cannot be read (not found, empty, undecodable, corrupt, too large dimensions).
    """
    from ._progress import progress_bar
    from .i18n import check_lang
    from .io._atomic import atomic_path, check_outputs
    from .io.ledger_io import iter_ledger

    input_path, output_path = Path(input_path), Path(output_path)
    inputs: dict[str, Any] = {"the input ledger": input_path}
    if registry_dir is not None and Path(registry_dir).is_dir():  # the city's tables are inputs too
        inputs.update({f"the city directory's {p.name}": p for p in Path(registry_dir).iterdir() if p.is_file()})
    check_outputs(inputs, {"the output": output_path, "the review file": review_path, "the report": report_path})
    if output_path.suffix.lower() not in _OUTPUT_KINDS:
        raise InputError(f"output must be {', '.join(_OUTPUT_KINDS)}, got {output_path.suffix!r}")
    if review_path is not None and Path(review_path).suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(f"the review file must be .csv or .xlsx, got {Path(review_path).suffix or 'no suffix'!r}")
    for what, p in (("the output", output_path), ("the review file", review_path), ("the report", report_path)):
        if p is not None and Path(p).is_dir():
            raise InputError(f"{what} {p} is a directory; give a file name")
    if workers < 1:
        raise InputError(f"workers must be >= 1, got {workers}")
    from .matcher import _check_fuzzy

    fuzzy = _check_fuzzy(fuzzy)
    from .io.ledger_write import check_raw_cells

    raw_cells = check_raw_cells(raw_cells)
    lang = check_lang(lang)
    # the ledger is read once: its first chunk gives the header the columns are checked against
    chunks = iter_ledger(input_path, chunk_rows=chunk_rows, encoding=encoding, sheet=sheet)
    first_chunk = next(chunks, None)
    cols = [] if first_chunk is None else list(first_chunk.frame.columns)
    for c, what in ((column, "address"), (x, "x"), (y, "y")):
        if c is not None and c not in cols:
            raise InputError(f"{what} column {c!r} not found; {columns_hint(cols)}")
    summary = NormalizeSummary(workers=workers)
    t0 = time.perf_counter()
    reg_dir = None if registry_dir is None else str(registry_dir)
    result_names = _result_names(x is not None)

    def all_chunks() -> Iterator[Any]:
        if first_chunk is not None:
            yield first_chunk
            yield from chunks

    def blocks():
        for chunk in all_chunks():
            f = chunk.frame
            yield chunk, (f[column].tolist(), f[x].tolist() if x else None, f[y].tolist() if y else None, crs, fuzzy)

    if workers == 1:
        from .matcher import default_matcher
        from .runtime import freeze_loaded
        from .registry import default_registry

        reg = default_registry() if reg_dir is None else _open(reg_dir)
        matcher, names = default_matcher(reg), {}
        if freeze_gc:
            freeze_loaded()  # long-lived indexes: keep them out of the garbage collector's passes
        results: Any = ((chunk, _process(args[0], matcher, reg, args[1], args[2], args[3], names, args[4]))
                        for chunk, args in blocks())
    else:
        if reg_dir is not None:
            # opened here first (the manifest and divisions only): a bad directory is one error in this
            # process, not a pool whose initializer fails and is restarted in every worker forever
            _open(reg_dir)
        results = _parallel(blocks(), workers, reg_dir)

    bar = progress_bar(total=100, desc=f"normalize {input_path.name}", unit="%", enabled=progress,
                       bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}{postfix}]")
    with bar, atomic_path(output_path) as out_tmp, _review_writer(review_path, raw_cells, lang) as review:
        writer = _OutputWriter(out_tmp, output_path.suffix.lower(), raw_cells)
        try:
            _write_results(results, writer, review, summary, bar, column, lang, result_names)
        except BaseException:
            writer.discard()
            raise
        writer.close()
        bar.update(max(0.0, 100 - bar.n))
    summary.seconds = time.perf_counter() - t0
    if report_path is not None:
        from .report import write_report

        if workers != 1:  # the workers had the registry: load it here for the report's names and map
            from .registry import default_registry

            reg = default_registry() if reg_dir is None else _open(reg_dir)
        title = f"{input_path.name} 台账标准化报告" if lang == "zh" else f"Normalization of {input_path.name}"
        write_report(report_path, summary, title=title, registry=reg, lang=lang)
    return summary


def _check_clash(result_columns: list[str], ledger_columns: Any, lang: str) -> None:
    """Refuse a ledger that already has a column the result adds (by its name in ``lang``: ``编码`` for
    ``--lang zh``): the output would hold two columns of one name, and a later reader would take the wrong one."""
    from .i18n import COLUMNS_ZH

    have = set(map(str, ledger_columns))
    clash = [n for c in result_columns for n in ((COLUMNS_ZH.get(c, c),) if lang == "zh" else (c,)) if n in have]
    if clash:
        raise InputError(f"the ledger already has column(s) {clash} that the result adds; rename them before "
                         "normalizing")


def _write_results(results: Any, writer: Any, review: Any, summary: NormalizeSummary, bar: Any, column: str,
                   lang: str, result_names: list[str]) -> None:
    """Write every matched chunk to the output (and review) files, counting into ``summary``."""
    from .i18n import localize_frame

    for chunk, res in results:
        frame = chunk.frame.reset_index(drop=True)
        _check_clash(list(res.columns) + (["row"] if review is not None else []), frame.columns, lang)
        full = pd.concat([frame, res.reset_index(drop=True)], axis=1)
        for r, why in chunk.problems.items():
            i = r - chunk.first_row
            prev = full.at[i, "reasons"]
            full.at[i, "reasons"] = f"{prev}; row problem: {why}" if prev else f"row problem: {why}"
        writer.write(localize_frame(full, lang, result_names))
        if not len(full):  # a header-only ledger: the output has the header, nothing to count
            continue
        need = _update_summary(summary, frame[column].tolist(), res, chunk.problems, chunk.first_row)
        if review is not None and need.any():
            rv = full[need].copy()
            rv.insert(0, "row", np.flatnonzero(need) + chunk.first_row)
            review.write(localize_frame(rv, lang, ["row"] + result_names))
        bar.update(max(0.0, 100 * chunk.progress - bar.n))
        bar.set_postfix_str(f"{summary.rows:,} rows", refresh=False)


def _parallel(blocks: Any, workers: int, reg_dir: str | None):
    """Ordered results from a process pool with a bounded window of chunks in flight."""
    ctx = mp.get_context("spawn" if sys.platform == "win32" else "forkserver")
    with ctx.Pool(workers, initializer=_worker_init, initargs=(reg_dir,)) as pool:
        pending: list = []
        for chunk, args in blocks:
            pending.append((chunk, pool.apply_async(_worker_run, (args,))))
            if len(pending) >= workers * 2:
                c, fut = pending.pop(0)
                yield c, fut.get()
        for c, fut in pending:
            yield c, fut.get()


#: output types of :func:`normalize_file`
_OUTPUT_KINDS = (".csv", ".xlsx", ".parquet")


class _OutputWriter:
    """The output file, chunk by chunk: CSV through :mod:`.io.ledger_write` (quoting, neutralization), XLSX
    (:class:`~hangzhou_address.io.ledger_write.XlsxWriter`: text cells, neutralization) or Parquet (raw values)."""

    def __init__(self, path: Path, kind: str, raw_cells: bool = False) -> None:
        self.path, self.kind, self.raw_cells = path, kind, raw_cells
        self.fh: Any = None
        self.pq: Any = None
        self.xlsx: Any = None
        self.first = True

    def write(self, df: pd.DataFrame) -> None:
        df = df.astype(object).where(df.notna(), None)
        if self.kind == ".csv":
            if self.fh is None:
                self.fh = open(self.path, "w", encoding="utf-8-sig", newline="")
            from .io.ledger_write import write_csv_chunk

            write_csv_chunk(self.fh, df, header=self.first, raw_cells=self.raw_cells)
        elif self.kind == ".xlsx":
            if self.xlsx is None:
                from .i18n import COLUMNS_ZH
                from .io.ledger_write import XlsxWriter

                self.xlsx = XlsxWriter(self.path, raw_cells=self.raw_cells,
                                       number_columns={"confidence", "row", COLUMNS_ZH["confidence"], COLUMNS_ZH["row"]})
            self.xlsx.write(df, header=self.first)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(df.astype(str).where(df.notna(), None), preserve_index=False)
            if self.pq is None:
                self.pq = pq.ParquetWriter(self.path, table.schema, compression="zstd")
            self.pq.write_table(table.cast(self.pq.schema))
        self.first = False

    def discard(self) -> None:
        """Release what an unfinished write holds (after an error; the temporary is removed by the caller)."""
        import contextlib

        with contextlib.suppress(Exception):
            if self.fh is not None:
                self.fh.close()
        with contextlib.suppress(Exception):
            if self.pq is not None:
                self.pq.close()
        if self.xlsx is not None:
            self.xlsx.discard()

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
        if self.pq is not None:
            self.pq.close()
        if self.xlsx is not None:
            self.xlsx.close()
        if self.fh is None and self.pq is None and self.xlsx is None:  # empty input: still a valid (empty) file
            if self.kind == ".xlsx":
                from .io.ledger_write import XlsxWriter

                XlsxWriter(self.path).close()
            else:
                Path(self.path).write_text("", encoding="utf-8")


class _review_writer:
    """Context manager writing the review file atomically (``.xlsx`` or CSV; nothing without a path)."""

    def __init__(self, path: str | Path | None, raw_cells: bool = False, lang: str = "en") -> None:
        self.path = None if path is None else Path(path)
        self.raw_cells, self.lang = raw_cells, lang
        self._ctx: Any = None
        self.writer: Any = None
        self.first = True

    def __enter__(self) -> Any:
        if self.path is None:
            return None
        from .io._atomic import atomic_path

        self._ctx = atomic_path(self.path)
        tmp = self._ctx.__enter__()
        self.writer = _OutputWriter(tmp, ".xlsx" if self.path.suffix.lower() == ".xlsx" else ".csv", self.raw_cells)
        return self

    def write(self, df: pd.DataFrame) -> None:
        self.writer.write(df)
        self.first = False

    def __exit__(self, *exc: Any) -> bool:
        if self._ctx is None:
            return False
        if exc[0] is None:
            if self.first:  # no row needs review: header only
                from .i18n import COLUMNS_ZH

                self.writer.write(pd.DataFrame(columns=[COLUMNS_ZH["row"] if self.lang == "zh" else "row"]))
            try:
                self.writer.close()
            except BaseException as e:
                self.writer.discard()
                self._ctx.__exit__(type(e), e, e.__traceback__)
                raise
        else:
            self.writer.discard()
        return bool(self._ctx.__exit__(*exc))


def summary_json(summary: NormalizeSummary) -> str:
    return json.dumps(summary.to_dict(), ensure_ascii=False, indent=2)

