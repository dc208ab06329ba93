"""`tiktok-oms serve` as its own process: binds loopback by default, answers /healthz, refuses a
non-loopback address without --public, and stops cleanly on SIGTERM and on Ctrl+C (SIGINT)."""

import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_cli_against_sandbox import _default_sigint, clean_environment, free_ports

pytestmark = pytest.mark.e2e

START_TIMEOUT = 15.0


def _start(oms_script: Path, tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    # An app of its own: TikTok's real hosts refuse the sandbox's default credentials.
    env = clean_environment(TIKTOK_OMS_DATABASE_URL=f"sqlite:///{tmp_path / 'oms.sqlite'}",
                            TIKTOK_APP_KEY="serve-test-key", TIKTOK_APP_SECRET="serve-test-secret",
                            TIKTOK_SERVICE_ID="serve-test-service")
    subprocess.run([str(oms_script), "db", "upgrade"], env=env, check=True, capture_output=True, timeout=60)
    return subprocess.Popen(
        [str(oms_script), "serve", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=_default_sigint,
    )


def _wait_healthy(process: subprocess.Popen[str], url: str) -> httpx.Response:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early ({process.returncode}): {process.stderr.read() if process.stderr else ''}")
        try:
            return httpx.get(f"{url}/healthz", timeout=2.0)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise AssertionError("serve did not answer within the deadline") from None
            time.sleep(0.1)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_serve_answers_health_and_stops_cleanly(oms_script: Path, tmp_path: Path, stop: signal.Signals) -> None:
    (port,) = free_ports(1)
    process = _start(oms_script, tmp_path, "--port", str(port))
    try:
        response = _wait_healthy(process, f"http://127.0.0.1:{port}")
        assert response.status_code == 200 and response.json()["status"] == "ok"
        process.send_signal(stop)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert f"serving on http://127.0.0.1:{port}" in stderr
    assert "stopped" in stderr
    assert "Traceback" not in stderr


def test_serve_refuses_a_public_address_without_the_flag(oms_script: Path, tmp_path: Path) -> None:
    process = _start(oms_script, tmp_path, "--host", "0.0.0.0")
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "--public" in stderr and "HTTPS" in stderr


def test_serve_on_a_public_address_warns_about_https(oms_script: Path, tmp_path: Path) -> None:
    (port,) = free_ports(1)
    process = _start(oms_script, tmp_path, "--host", "0.0.0.0", "--port", str(port), "--public")
    try:
        _wait_healthy(process, f"http://127.0.0.1:{port}")
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert "HTTPS reverse proxy" in stderr
    assert process.returncode == 0


def test_serve_refuses_to_start_on_the_sandbox_credentials_against_tiktok(oms_script: Path, tmp_path: Path) -> None:
    env = clean_environment(TIKTOK_OMS_DATABASE_URL=f"sqlite:///{tmp_path / 'oms.sqlite'}")
    done = subprocess.run([str(oms_script), "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith("error: set TIKTOK_APP_KEY and TIKTOK_APP_SECRET")


def test_serve_says_when_the_port_is_taken(oms_script: Path, tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        process = _start(oms_script, tmp_path, "--port", str(taken.getsockname()[1]))
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2  # a usage error (issue 12 item 7), checked before anything starts
    assert stderr.startswith("error:") and "is already in use" in stderr
    assert "Traceback" not in stderr
