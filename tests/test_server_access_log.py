"""The service's access log (hangzhou_address.server.access_log): where ``hzaddr serve --access-log`` sends it."""

from __future__ import annotations

import logging
import logging.config

import pytest

pytest.importorskip("fastapi")

from hangzhou_address.server.access_log import (  # noqa: E402
    FORMAT,
    configure_access_log,
    uvicorn_log_config,
)
from hangzhou_address.server.app import ACCESS_LOGGER  # noqa: E402


@pytest.fixture
def restore_logger():
    log = logging.getLogger(ACCESS_LOGGER)
    saved = (list(log.handlers), log.level, log.propagate)
    yield log
    for h in list(log.handlers):
        log.removeHandler(h)
        h.close()
    log.handlers[:], log.level, log.propagate = saved[0], saved[1], saved[2]


def test_a_file_gets_one_line_per_record_and_is_appended_to(tmp_path, restore_logger):
    path = tmp_path / "access.log"
    path.write_text("an earlier line\n", encoding="utf-8")
    configure_access_log(str(path))
    restore_logger.info("key=%s route=%s %s status=%d", "clerk", "GET", "/v1/match", 200)
    for h in restore_logger.handlers:
        h.flush()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "an earlier line"
    assert lines[1].endswith("key=clerk route=GET /v1/match status=200") and len(lines) == 2
    assert not restore_logger.propagate  # never also in the application's own log


def test_none_discards_and_stderr_is_the_default(tmp_path, restore_logger, capsys):
    configure_access_log("none")
    restore_logger.info("key=a route=GET /healthz status=200")
    assert capsys.readouterr().err == ""
    configure_access_log("-")
    restore_logger.info("key=b route=GET /healthz status=200")
    assert "key=b route=GET /healthz status=200" in capsys.readouterr().err


def test_uvicorn_config_keeps_uvicorn_and_adds_the_access_log(tmp_path, restore_logger):
    cfg = uvicorn_log_config(str(tmp_path / "a.log"))
    assert {"uvicorn", "uvicorn.error", "uvicorn.access"} <= set(cfg["loggers"])
    assert cfg["loggers"][ACCESS_LOGGER] == {"handlers": ["hzaddr_access"], "level": "INFO", "propagate": False}
    assert cfg["handlers"]["hzaddr_access"]["filename"] == str(tmp_path / "a.log")
    assert cfg["formatters"]["hzaddr_access"]["format"] == FORMAT
    only_ours = {"version": 1, "disable_existing_loggers": False, "formatters": cfg["formatters"],
                 "handlers": {"hzaddr_access": cfg["handlers"]["hzaddr_access"]},
                 "loggers": {ACCESS_LOGGER: cfg["loggers"][ACCESS_LOGGER]}}
    logging.config.dictConfig(only_ours)  # a valid configuration (uvicorn's own loggers left as they are)
    restore_logger.info("key=c route=GET /healthz status=200")
    for h in restore_logger.handlers:
        h.flush()
    assert (tmp_path / "a.log").read_text(encoding="utf-8").rstrip().endswith("key=c route=GET /healthz status=200")
