"""Reaching a scheduler (:mod:`sim.scheduler`): something that is not a Dask scheduler at the
address fails within seconds with one line (exit 1, nothing written), and a malformed
address quotes the value and says where it came from (exit 2).

The servers below run in this process's threads on free ports of 127.0.0.1; the handshake's
time limit is lowered to 1 s so that each case costs about a second.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest

from sim import scheduler
from sim.errors import SimError
from tests.cluster.test_cluster import BUNDLED, sim
from tests.conftest import messages

pytest.importorskip("distributed")


class Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's name
        pass


def web_server() -> tuple[str, object]:
    """A web server (``python -m http.server``): answers Dask's handshake with error 400."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop():
        server.shutdown()
        server.server_close()

    return f"tcp://127.0.0.1:{server.server_address[1]}", stop


def listener(greeting: bytes | None) -> tuple[str, object]:
    """A socket that accepts connections and, given a ``greeting``, sends it and closes (a
    frame Dask reads as exabytes long), else never answers."""
    sock = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve():
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:  # closed: the test is over
                return
            if greeting is None:
                held.append(conn)
            else:
                conn.sendall(greeting)
                conn.close()

    threading.Thread(target=serve, daemon=True).start()

    def stop():
        sock.close()
        for conn in held:
            conn.close()

    return f"tcp://127.0.0.1:{sock.getsockname()[1]}", stop


SILENT = "accepted the connection but did not answer as a Dask scheduler within 1 s"
GARBAGE = "answered but is not a Dask scheduler"


@pytest.mark.parametrize(
    ("make", "whats"),
    [
        # its error page may come before or after Dask gives up reading its own handshake
        (web_server, [GARBAGE, SILENT]),
        (lambda: listener(None), [SILENT]),
        (lambda: listener(b"HTTP/1.0 400 Bad request\r\n\r\n" * 4), [GARBAGE]),
    ],
    ids=["http-server", "silent-listener", "garbage-answer"],
)
def test_something_else_at_the_address_fails_within_seconds(
    capsys, tmp_path, monkeypatch, make, whats
):
    monkeypatch.setattr(scheduler, "CONNECT_TIMEOUT", 1.0)
    address, stop = make()
    try:
        started = time.perf_counter()
        code, _, err = sim(capsys, "run", BUNDLED, "--runs", 100, "--no-charts",
                           "--scheduler", address, "--out", tmp_path / "x")  # fmt: skip
        took = time.perf_counter() - started
    finally:
        stop()
    assert messages(err) in [
        [
            f"--scheduler {address}: something at {address} {what} (is it the dashboard "
            "port 8787? the scheduler listens on 8786 by default)"
        ]
        for what in whats
    ]
    assert code == 1 and took < 10  # a hang is the failure this guards against
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("from_environment", [False, True], ids=["option", "SIM_SCHEDULER"])
def test_a_malformed_address_is_quoted_with_its_origin(capsys, tmp_path, monkeypatch,
                                                        from_environment):  # fmt: skip
    args = ["run", BUNDLED, "--runs", 100, "--out", tmp_path / "x"]
    if from_environment:
        monkeypatch.setenv("SIM_SCHEDULER", "not an address")
    else:
        args += ["--scheduler", "not an address"]
    code, _, err = sim(capsys, *args)
    origin = " (from SIM_SCHEDULER)" if from_environment else ""
    assert code == 2
    assert (
        f"Error: Invalid value for '--scheduler'{origin}: 'not an address' is not a Dask "
        "scheduler address; give local:N" in " ".join(err.split())
    )
    assert not (tmp_path / "x").exists()


def test_local_asks_for_at_most_four_workers_a_core(monkeypatch):
    monkeypatch.setattr(scheduler.os, "cpu_count", lambda: 2)
    assert scheduler.max_local_workers() == 8
    assert scheduler.check_address("local:8") == "local:8"
    with pytest.raises(SimError) as caught:
        scheduler.check_address("local:100000")  # a slip: once grew 20 MB a second, for ever
    assert str(caught.value) == (
        "'local:100000' asks for 100,000 worker processes on a machine with 2 cores; give "
        "local:N with N from 1 to 8"
    )


@pytest.mark.parametrize(
    ("address", "scheme", "host"),
    [("http://127.0.0.1:8787/status", "http://", "127.0.0.1"), ("ws://h:1", "ws://", "h"),
     ("ucx://10.0.0.5:1", "ucx://", "10.0.0.5"), ("inproc://x", "inproc://", "x")],
)  # fmt: skip
def test_only_tcp_and_tls_schemes_are_addresses(address, scheme, host):
    # each once ended in "internal error" and a Dask traceback after 10 s
    with pytest.raises(SimError) as caught:
        scheduler.check_address(address)
    assert str(caught.value) == (
        f"'{address}' is not a Dask scheduler address: the scheme must be tcp:// or tls://, "
        f"not {scheme} (a dashboard's web address is http://HOST:8787; its scheduler's is "
        f"tcp://{host}:8786)"
    )
    for good in ("tcp://10.0.0.5:8786", "tls://h:8786", "h:8786", "h"):
        assert scheduler.check_address(good) == good
