"""API keys (hangzhou_address.server.keys) and `hzaddr keys add`."""

from __future__ import annotations

import stat

import pytest

from hangzhou_address.errors import InputError
from hangzhou_address.server.keys import KeyStore, RateLimiter, hash_secret, parse_rate


def test_key_file_holds_salted_hashes_never_the_key(tmp_path):
    path = tmp_path / "keys.toml"
    store = KeyStore(path)
    k1 = store.add("a", scope="read")
    k2 = store.add("b", scope="edit", rate="5/s")
    text = path.read_text(encoding="utf-8")
    assert k1 not in text and k2 not in text
    assert k1.split("_", 2)[2] not in text and k2.split("_", 2)[2] not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = KeyStore(path)
    a, b = again.get("a"), again.get("b")
    assert a.salt != b.salt and a.hash != b.hash
    assert a.hash == hash_secret(k1.split("_", 2)[2], bytes.fromhex(a.salt))
    assert again.verify(k1).name == "a" and again.verify(k2).scope == "edit"


def test_verify_refuses_wrong_keys():
    store = KeyStore()
    key = store.add("a")
    kid = key.split("_")[1]
    assert store.verify(key).name == "a"
    for bad in (None, "", key + "x", key[:-1], f"hz_{kid}_", "hz_ffffffff_" + key.split("_", 2)[2], "x" * 500,
                key.replace("hz_", "xx_", 1)):
        assert store.verify(bad) is None, bad


def test_scopes_and_names():
    store = KeyStore()
    store.add("ed", scope="edit")
    assert store.get("ed").allows("read") and store.get("ed").allows("edit")
    store.add("rd")
    assert not store.get("rd").allows("edit")
    with pytest.raises(InputError, match="exists already"):
        store.add("rd")
    with pytest.raises(InputError, match="scope"):
        store.add("x", scope="admin")
    with pytest.raises(InputError, match="key name"):
        store.add("../etc")


@pytest.mark.parametrize("text,per_s", [("50/s", 50.0), ("120/min", 2.0), ("3600/h", 1.0), (" 2.5 / s ", 2.5)])
def test_parse_rate(text, per_s):
    assert parse_rate(text) == per_s


@pytest.mark.parametrize("bad", ["50", "0/s", "-1/s", "5/day", "a/s", ""])
def test_parse_rate_refuses(bad):
    with pytest.raises(InputError, match="N/s"):
        parse_rate(bad)


def test_token_bucket():
    now = [0.0]
    rl = RateLimiter(clock=lambda: now[0])
    assert [rl.take("k", 2.0) for _ in range(3)] == [0.0, 0.0, 0.5]
    assert rl.take("other", 2.0) == 0.0  # per key
    now[0] = 0.5
    assert rl.take("k", 2.0) == 0.0
    assert RateLimiter.retry_after(0.01) == "1" and RateLimiter.retry_after(2.2) == "3"


def test_cli_keys_add_prints_the_key_once_on_the_last_line(tmp_path, capsys):
    from hangzhou_address.cli import main

    path = tmp_path / "keys.toml"
    assert main(["keys", "add", "land-bureau", "--scope", "edit", "--rate", "20/s", "--keys", str(path)]) == 0
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    key = lines[-1]
    assert out.count(key) == 1 and key.startswith("hz_")
    store = KeyStore(path)
    assert store.verify(key).name == "land-bureau" and store.get("land-bureau").rate == "20/s"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert main(["keys", "add", "land-bureau", "--keys", str(path)]) == 1
    assert main(["keys", "list", "--keys", str(path)]) == 0
    listed = capsys.readouterr().out
    assert "land-bureau\tedit\t20/s" in listed and key not in listed


def test_cli_serve_refuses_a_missing_key_file(tmp_path, capsys):
    from hangzhou_address.cli import main

    assert main(["serve", "--keys", str(tmp_path / "none.toml")]) == 1
    assert "hzaddr keys add" in capsys.readouterr().err


def test_a_share_of_the_rate_per_worker():
    """RateLimiter(share=1/2): this process spends half of each key's rate (two workers: the key's rate in all)."""
    import pytest

    now = [0.0]
    half = RateLimiter(clock=lambda: now[0], share=0.5)
    assert [half.take("k", 10.0) for _ in range(6)] == [0.0] * 5 + [pytest.approx(0.2)]  # burst 5, 5 tokens a second
    now[0] += 1.0
    assert sum(half.take("k", 10.0) == 0.0 for _ in range(10)) == 5
    with pytest.raises(ValueError):
        RateLimiter(share=0.0)


def test_concurrent_first_requests_with_one_key_cost_one_scrypt(monkeypatch):
    """The first requests of a client's many connections arrive together: one of them checks the secret
    (scrypt, ~0.1 s of CPU), the others wait for that answer instead of each checking it again."""
    import threading

    from hangzhou_address.server import keys as keys_module

    store = KeyStore()
    key = store.add("a")
    calls = []
    real = keys_module.hash_secret

    def slow_hash(secret, salt):
        calls.append(1)
        return real(secret, salt)

    monkeypatch.setattr(keys_module, "hash_secret", slow_hash)
    start = threading.Barrier(8)
    got = []

    def ask():
        start.wait()
        got.append(store.verify(key))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [k.name for k in got] == ["a"] * 8
    assert len(calls) == 1
    assert store.verify(key[:-1] + ("x" if key[-1] != "x" else "y")) is None  # a wrong secret still checked
    assert len(calls) == 2
