"""The matcher's stages that live in their own modules (``hangzhou_address.matcher.Matcher`` is the
façade users hold and calls them):

* :mod:`~hangzhou_address.matching.similarity` — how alike two place names are: a weighted edit
  distance with pinyin, look-alike and generic-suffix costs;
* :mod:`~hangzhou_address.matching.fuzzy` — the fuzzy look-up: building-number anchors, a character
  and pinyin index of the registry's names, scoped candidates, scoring and the margin rule;
* :mod:`~hangzhou_address.matching.confidence` — the fitted confidence model and its features.

Normalization and the division resolver are in :mod:`hangzhou_address.resolve`, the building part
and the exact look-up in :mod:`hangzhou_address.matcher`.
"""

__all__: list[str] = []
