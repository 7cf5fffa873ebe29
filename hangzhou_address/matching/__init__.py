"""The matcher's stages, one module each (``hangzhou_address.matcher.Matcher`` is the façade users
hold; it runs them in this order):

* :mod:`~hangzhou_address.matching.normalize` — the text normalized (full-width, traditional characters,
  numerals), with offsets back into the text as written; the look-up keys of names;
* the division resolver, :mod:`hangzhou_address.resolve` — stage 1, the scan (the names it looks for, as one
  automaton, in :mod:`~hangzhou_address.matching.gazetteer`; the names of places outside Hangzhou in
  :mod:`~hangzhou_address.matching.outside`, the functional zones read as their district in
  :mod:`~hangzhou_address.matching.zones`); stage 2, the decision, in
  :mod:`~hangzhou_address.matching.division_decision`; stage 3, the notes that depend on the text, in
  :mod:`~hangzhou_address.matching.division_notes`; what it returns in :mod:`~hangzhou_address.matching.resolution`
  (a misspelled or broken-up division name is respelled first by
  :mod:`~hangzhou_address.matching.division_spelling`);
* :mod:`~hangzhou_address.matching.building_part` — the building part read after the names the division
  resolver (:mod:`hangzhou_address.resolve`) found: door, building, group + house number, unit / floor /
  room, and what a reading leaves unexplained;
* :mod:`~hangzhou_address.matching.address_index` — the compact look-up structure over the registry's
  ``addresses`` table;
* :mod:`~hangzhou_address.matching.exact` — the exact look-up: rows consistent with the divisions, one
  building or the deepest level several share, never a neighbour's building;
* :mod:`~hangzhou_address.matching.similarity` — how alike two place names are: a weighted edit
  distance with pinyin, look-alike and generic-suffix costs;
* :mod:`~hangzhou_address.matching.fuzzy` — the fuzzy look-up where the exact one finds no building:
  building-number anchors, scoped candidates, scoring and the margin rule; its candidates come from
  :mod:`~hangzhou_address.matching.name_index`, a character and pinyin index of the registry's names, its
  readings are scored by :mod:`~hangzhou_address.matching.reading`, and the names one slip or two edits from a
  reading that have its number too by :mod:`~hangzhou_address.matching.rivals`;
* :mod:`~hangzhou_address.matching.fuzzy_answer` — what the fuzzy stage answers with a reading: a building, the
  common level of the close candidates, or the exact look-up's answer kept;
* :mod:`~hangzhou_address.matching.overlap` — a doubt for the confidence: the name of the answer starts inside
  a division name of the text that the answer is not in (萧山桥花园 → 山桥花园 of 西湖区);
* :mod:`~hangzhou_address.matching.relative` — a place written relative to the building read (23号对面): a doubt
  for the confidence;
* :mod:`~hangzhou_address.matching.confidence` — the fitted confidence model and its features;
* :mod:`~hangzhou_address.matching.wording` — how an answer's reasons say what was read;
* :mod:`~hangzhou_address.matching.elements` — a parse's elements, the registry's reading merged with the
  statistical tagger's;
* :mod:`~hangzhou_address.matching.results` — the frozen result dataclasses (re-exported by
  :mod:`hangzhou_address.matcher`).
"""

__all__: list[str] = []
