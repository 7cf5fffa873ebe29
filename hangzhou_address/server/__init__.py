"""The HTTP service of hangzhou_address (issue #17); :mod:`.page` is the clerk's web page."""
