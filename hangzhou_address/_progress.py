"""Progress bars for long jobs (city build, ledger load, normalize, reconcile, locate of a file).

One helper, :func:`progress_bar`, wraps `tqdm <https://tqdm.github.io>`_: the bar goes to stderr only,
shows counts and rates (never row content), and is silent unless asked for or stderr is a terminal
(pipes, CI logs and ``--quiet`` get nothing).
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["progress_bar", "progress_wanted"]


def progress_wanted(enabled: bool | None) -> bool:
    """``enabled`` when given, else whether stderr is a terminal.

    Examples
    --------
    >>> progress_wanted(False), progress_wanted(True)
    (False, True)
    """
    if enabled is not None:
        return bool(enabled)
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stderr
        return False


def progress_bar(*, total: float | None = None, desc: str, unit: str = "rows", enabled: bool | None = None,
                 **kwargs: Any) -> Any:
    """A tqdm bar on stderr, disabled unless ``enabled`` (default: stderr is a terminal).

    Parameters
    ----------
    total : float, optional
        The count at the end (rows, or 1.0 for a fraction); None when unknown.
    desc : str
        What is being done, e.g. ``"normalize"`` (never row content).
    unit : str, default "rows"
    enabled : bool, optional
        True / False force it on / off; None: on when stderr is a terminal.

    Returns
    -------
    tqdm.tqdm
        Use as a context manager; ``update(n)`` adds ``n``. A disabled bar writes nothing.

    Examples
    --------
    >>> with progress_bar(total=3, desc="demo", enabled=False) as bar:
    ...     bar.update(3)
    """
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not progress_wanted(enabled),
                dynamic_ncols=True, mininterval=0.5, leave=True, **kwargs)
