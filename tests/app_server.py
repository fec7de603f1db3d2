"""Launch the real app (``python app.py``) on a free port, for the app and browser tests
(and the benchmarks, which import :func:`serve_app`).

The app runs in a subprocess exactly as a user starts it, with saved runs
in a temporary folder; its log is kept and shown if it fails to come up.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 120  # generous: the CPUs this runs on are shared


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def serve_app(workdir: Path, **env_extra: str) -> Iterator[str]:
    """Run ``python app.py`` on a free port; yield its URL; stop it afterwards.

    The URL is yielded once the page is served (an HTTP 200); the seconds that took are in
    ``serve_app.last_start_s``.
    """
    port = free_port()
    env = dict(
        os.environ,
        GRADIO_SERVER_NAME="127.0.0.1",
        GRADIO_SERVER_PORT=str(port),
        GANLAB_RUNS=str(workdir / "runs"),
        GRADIO_ANALYTICS_ENABLED="False",
        PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        **env_extra,
    )
    log_path = workdir / "app.log"
    started = time.monotonic()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}/"
    serve_app.last_pid = proc.pid  # for benchmarks that watch the server's memory
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _up(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"app did not start; log:\n{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
        serve_app.last_start_s = time.monotonic() - started
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass(frozen=True)
class Served:
    url: str
    workdir: Path

    @property
    def runs(self) -> Path:
        """Where the launched app saves runs (its GANLAB_RUNS)."""
        return self.workdir / "runs"


@pytest.fixture(scope="module")
def app_server(tmp_path_factory) -> Iterator[Served]:
    workdir = tmp_path_factory.mktemp("app")
    with serve_app(workdir) as url:
        yield Served(url, workdir)


@contextmanager
def session(url: str, stop_api: str) -> Iterator:
    """A gradio_client session that stops its own run afterwards (``stop_api``, e.g. "/stop")."""
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(url, verbose=False)
    try:
        yield client
    finally:
        try:
            client.predict(api_name=stop_api)
        except AppError:
            pass  # this session never trained
        client.close()


@pytest.fixture
def train_client(app_server):  # noqa: F811  (a test module imports app_server beside it)
    """A session on the launched app whose Train-tab run is stopped afterwards."""
    with session(app_server.url, "/stop") as c:
        yield c


def wait_status(client, predicate, timeout: float = 60.0, api_name: str = "/status") -> dict:
    """Poll a status endpoint until ``predicate(status)`` holds; fail with the last status."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        status = client.predict(api_name=api_name)
        if predicate(status):
            return status
        assert time.monotonic() < deadline, f"timed out; last status {status}"
        time.sleep(0.2)
