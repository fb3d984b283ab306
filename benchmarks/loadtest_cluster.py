"""The servers of `make loadtest`: a private PostgreSQL cluster and gunicorn app servers.

Everything lives in one temporary directory and listens on free loopback ports, so stopping
or killing any of it disturbs nothing else on the machine. ``Processes.close`` takes it all
down again, whatever state it is in.
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HOST = "programmes.loadtest.test"
DATABASE = "loadtest"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> Path:
    """Return the newest installed PostgreSQL's bin directory (PG_BIN overrides it)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: (
            int(Path(path).parent.parent.name) if Path(path).parent.parent.name.isdigit() else 0
        ),
    )
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return Path(pg_ctl).parent
    raise SystemExit("PostgreSQL's server programs (pg_ctl, initdb) were not found: set PG_BIN.")


class PostgresCluster:
    """A throwaway cluster: initdb into a directory, served on a loopback port with pg_ctl.

    PostgreSQL refuses to run as root, so as root it runs as the ``postgres`` user, which
    owns the directory.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "pgdata"
        self.log = directory / "postgres.log"
        self.port = free_port()
        self.bin = postgres_bin()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError as error:
                raise SystemExit(
                    "As root, PostgreSQL runs as the 'postgres' user: add it."
                ) from error
            self.as_user = ["runuser", "-u", "postgres", "--"]
            os.chown(directory, account.pw_uid, account.pw_gid)
        self.started = False

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def run(self, program: str, *args: str, timeout: float = 120) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin / program), *args],
            check=True,
            timeout=timeout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self.directory,
        )

    def create(self) -> None:
        self.run(
            "initdb",
            "--pgdata",
            str(self.data),
            "--username",
            "postgres",
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-sync",
        )
        self.start()
        self.run(
            "createdb", "--host", "127.0.0.1", "--port", str(self.port), "-U", "postgres", DATABASE
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        self.run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options)
        self.started = True

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w")
        self.started = False

    def close(self) -> None:
        if self.started or (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                self.stop("immediate")


class AppServer:
    """One gunicorn instance (a master and its workers) in its own process group."""

    def __init__(self, name: str, directory: Path, env: dict[str, str], workers: int) -> None:
        self.name = name
        self.port = free_port()
        self.env = env
        self.workers = workers
        self.log_path = directory / f"gunicorn-{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "norfolk_connect.wsgi",
                f"--workers={self.workers}",
                f"--bind=127.0.0.1:{self.port}",
                "--forwarded-allow-ips=127.0.0.1",
                "--timeout=60",
                "--graceful-timeout=5",
                # Not the shared default path, which another gunicorn on the machine may hold.
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a kill takes the workers too
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn {self.name} stopped:\n{self.log_path.read_text()}")
            if self.healthy():
                return
            time.sleep(0.2)
        raise SystemExit(f"gunicorn {self.name} did not start:\n{self.log_path.read_text()}")

    def healthy(self) -> bool:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            connection.request("GET", "/health/", headers={"Host": HOST})
            return connection.getresponse().status == 200
        except OSError:
            return False

    def kill(self) -> None:
        """Kill the master and its workers at once (SIGKILL), as a crashed machine would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def close(self) -> None:
        if self.process is None:
            return
        for signal_number in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, signal_number)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                continue
            time.sleep(0.5)  # the workers leave just after their master
