from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from lytt.cli import main
from lytt.web.serve import charts_interval, default_workers, listen_problem, public_url

ROOT = Path(__file__).resolve().parents[2]


def test_public_url() -> None:
    assert public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert public_url("0.0.0.0", 80) == "http://127.0.0.1:80/"
    assert public_url("::1", 8080) == "http://[::1]:8080/"


def test_default_workers_is_bounded() -> None:
    assert 1 <= default_workers() <= 4


def test_charts_interval_from_minutes() -> None:
    assert charts_interval("15") == 900
    assert charts_interval("0.5") == 30
    assert charts_interval("0") is None
    assert charts_interval("-1") is None
    with pytest.raises(ValueError, match="LYTT_CHARTS_MINUTES"):
        charts_interval("often")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.django_db  # (the command checks that the database can be used first)
def test_a_port_in_use_stops_serve_before_anything_starts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []
    monkeypatch.setattr("lytt.web.serve.prepare", lambda sample=True: started.append("prepare"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        in_use = f"cannot listen on 127.0.0.1:{port}: Address already in use"
        assert listen_problem("127.0.0.1", port) == in_use
        assert main(["serve", "--host", "127.0.0.1", "--port", str(port), "--no-crawl"]) == 1
    err = capsys.readouterr().err
    assert f"lytt: cannot listen on 127.0.0.1:{port}: Address already in use" in err
    assert "--port" in err
    assert started == []
    assert listen_problem("127.0.0.1", port) is None  # free again once closed
    assert listen_problem("no-such-host.invalid", port) is not None


@pytest.mark.slow
def test_lytt_serve_end_to_end(tmp_path: Path) -> None:
    """`lytt serve` on an empty data directory: migrates, loads the sample, prints the URL, serves pages,
    crawls in a child process, and takes that child down with it on SIGTERM."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LYTT_DATABASE_URL", "LYTT_TEST"))}
    env.update(LYTT_DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT / "src"))
    process = subprocess.Popen(
        [sys.executable, "-m", "lytt.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 90
        response = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.get(url + "podcast/insight-myanmar/", timeout=5)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        assert response is not None, "lytt serve did not answer within 90 s"
        assert response.status_code == 200
        assert "The Great Escape" in response.text
        assert response.headers["server"] == "granian"
        _check_sample_audio(url)
        assert _crawlers_in_group(process.pid), "lytt serve started no crawler"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate(timeout=20)
    assert f"Lytt is running at http://127.0.0.1:{port}/" in output.decode()
    assert not _crawlers_in_group(process.pid)


def _check_sample_audio(url: str) -> None:
    """Granian serves the generated sample audio with byte ranges (seekable audio needs them)."""
    api = httpx.get(url + "api/v1/shows", timeout=5).json()
    show = next(s for s in api["items"] if s["title"] == "Insight Myanmar")
    episodes = httpx.get(url + f"api/v1/shows/{show['id']}/episodes", timeout=5).json()["items"]
    great_escape = next(e for e in episodes if e["title"] == "The Great Escape")
    audio_url, size = great_escape["enclosure_url"], great_escape["enclosure_length"]
    assert audio_url == url + "sample/audio/tone-a/4512.wav"
    head = httpx.head(audio_url, timeout=5)
    assert (head.status_code, head.headers["content-length"], head.content) == (200, str(size), b"")
    tail = httpx.get(audio_url, headers={"Range": "bytes=-100"}, timeout=5)
    assert (tail.status_code, tail.headers["content-range"]) == (206, f"bytes {size - 100}-{size - 1}/{size}")
    assert len(tail.content) == 100
    beyond = httpx.get(audio_url, headers={"Range": f"bytes={size}-"}, timeout=5)
    assert (beyond.status_code, beyond.headers["content-range"]) == (416, f"bytes */{size}")
    with httpx.stream("GET", audio_url, timeout=5) as whole:
        assert (whole.status_code, whole.headers["content-length"]) == (200, str(size))
        assert next(whole.iter_bytes())[:4] == b"RIFF"


def _crawlers_in_group(group: int) -> list[int]:
    """Live `lytt crawl` processes in the process group `group`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if command[1:4] == [b"-m", b"lytt.cli", b"crawl"] and int(state[2]) == group and state[0] != "Z":
            found.append(int(entry.name))
    return found
