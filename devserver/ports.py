"""Whether the stack's port is free, and if not, who holds it, said before anything starts.

Without this, a second `make serve` on a busy port starts Redis and a worker, then stops with
"the API exited with code 3" (uvicorn's bind failure) and no word about the port. On Linux the
holder is found as `ss -ltp` finds it: the listening socket's inode in /proc/net/tcp{,6}, then
the process with that inode among its file descriptors (only our own processes are readable;
another user's shows as "another program").
"""

from __future__ import annotations

import contextlib
import errno
import socket
from pathlib import Path

_LISTEN = "0A"  # TCP state in /proc/net/tcp


class PortInUse(RuntimeError):
    pass


def check_free(host: str, port: int) -> None:
    """Raise PortInUse, naming the holder, when nothing could listen on host:port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # As uvicorn binds: connections of a former server in TIME_WAIT do not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise PortInUse(f"port {port} is in use ({holder(port)})") from None


def holder(port: int, proc: Path = Path("/proc")) -> str:
    """`by pid N: <command line>` for the process listening on `port`, or `by another program`."""
    inodes = _listening_inodes(port, proc)
    owners = _owners(inodes, proc) if inodes else []
    if not owners:
        return "by another program"
    # Several share the socket (uvicorn's supervisor and its API processes): name the one whose
    # parent is not among them.
    pids = {pid for pid, _ in owners}
    pid, command = min(owners, key=lambda owner: (_parent(owner[0], proc) in pids, owner[0]))
    return f"by pid {pid}: {command}"


def _listening_inodes(port: int, proc: Path) -> set[str]:
    inodes: set[str] = set()
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for line in (proc / "net" / table).read_text().splitlines()[1:]:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state == _LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                    inodes.add(inode)
    return inodes


def _owners(inodes: set[str], proc: Path) -> list[tuple[int, str]]:
    targets = {f"socket:[{inode}]" for inode in inodes}
    owners = []
    for entry in proc.iterdir():
        if entry.name.isdigit() and targets & _links(entry / "fd"):
            with contextlib.suppress(OSError):  # gone meanwhile
                raw = (entry / "cmdline").read_bytes().rstrip(b"\0").replace(b"\0", b" ")
                owners.append((int(entry.name), raw.decode(errors="replace")))
    return owners


def _links(fds: Path) -> set[str]:
    """What a process's file descriptors point to; nothing when they are not ours to read."""
    links = set()
    with contextlib.suppress(OSError):
        for fd in fds.iterdir():
            with contextlib.suppress(OSError):  # closed meanwhile (the listing's own, say)
                links.add(fd.readlink().as_posix())
    return links


def _parent(pid: int, proc: Path) -> int | None:
    try:
        stat = (proc / str(pid) / "stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])
