"""A throwaway PostgreSQL cluster for a test: Debian's server binaries, run as an ordinary process.

``Postgres()`` makes a cluster with ``initdb`` in its own temporary folder and starts it with
``pg_ctl`` on a free port of 127.0.0.1 (its Unix socket in that folder too); ``stop()`` stops it
and removes the folder. Trust authentication, no fsync: it holds nothing worth keeping. The server
refuses to run as root, so under root (CI containers) it runs as Debian's ``postgres`` user, in a
folder of its own outside pytest's (which only root may enter).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.fakes.s3 import free_ports

SETUP = "bash .ci/setup --test"
# Debian's postgresql package: /usr/lib/postgresql/<major>/bin, the newest one installed.
_BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                   key=lambda path: int(path.parent.parent.name) if
                   path.parent.parent.name.isdigit() else 0)


def missing_postgres() -> str | None:
    """Why no cluster can start here, with the command that installs the server; None when it
    can."""
    if not _BINARIES:
        return f"PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/pg_ctl): " \
               f"run `{SETUP}`"
    if os.geteuid() == 0 and not _has_user("postgres"):
        return "PostgreSQL refuses to run as root and there is no `postgres` user to run it " \
               f"as: run `{SETUP}` (Debian's postgresql package creates it)"
    return None


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class Postgres:
    """A running throwaway cluster; `url` reaches its `postgres` database as `postgres`."""

    def __init__(self) -> None:
        problem = missing_postgres()
        if problem:
            raise RuntimeError(problem)
        self.bin = _BINARIES[-1].parent
        self.folder = Path(tempfile.mkdtemp(prefix="test-postgres-"))
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.folder, "postgres", "postgres")
        self.data, self.log = self.folder / "data", self.folder / "server.log"
        port = free_ports(1)[0]
        try:
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                      "--encoding=UTF8", "--no-sync", "--no-instructions")
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                      "-o", f"-p {port} -c listen_addresses=127.0.0.1 "
                      f"-c unix_socket_directories={self.folder} -c fsync=off "
                      "-c synchronous_commit=off -c full_page_writes=off", "start")
        except RuntimeError:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run([*self._as, str(self.bin / program), *args], capture_output=True,
                              text=True, timeout=90, check=False)
        if done.returncode != 0:
            log = self.log.read_text() if self.log.is_file() else ""
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stdout}"
                               f"{done.stderr}{log[-2000:]}")

    def stop(self) -> None:
        """Stop the server at once (nothing to flush) and remove its folder."""
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
