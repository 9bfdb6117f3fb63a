"""The busy port, said with who holds it."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from devserver.embedded_redis import free_port
from devserver.ports import PortInUse, check_free, holder


def test_a_free_port_passes() -> None:
    check_free("127.0.0.1", free_port())


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux's /proc")
def test_a_busy_port_names_its_holder() -> None:
    command = Path(f"/proc/{os.getpid()}/cmdline").read_bytes().rstrip(b"\0").replace(b"\0", b" ")
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        with pytest.raises(PortInUse) as caught:
            check_free("127.0.0.1", port)
    assert str(caught.value) == f"port {port} is in use (by pid {os.getpid()}: {command.decode()})"


def test_a_holder_that_cannot_be_seen_is_another_program(tmp_path: Path) -> None:
    """A socket listed in /proc/net/tcp whose process is not readable (another user's)."""
    (tmp_path / "net").mkdir()
    header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid"
    row = "   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0 0 4242"
    (tmp_path / "net" / "tcp").write_text(f"{header}  timeout inode\n{row} 1 0\n")
    assert holder(8000, proc=tmp_path) == "by another program"
