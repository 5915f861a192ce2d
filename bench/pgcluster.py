"""A throw-away PostgreSQL cluster of Chancery's own: a temporary folder, one loopback port, gone after.

bench/faults.py stops and starts one under load; tests/operations/test_replica.py makes a
primary and a streaming standby of it. The shared server is never touched.

initdb and postgres refuse to run as root: run as root (as CI does), every
server binary runs as the `postgres` user, through runuser, in a folder that
user owns; run as anyone else, as that user.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
HOST = "127.0.0.1"


class ClusterError(Exception):
    pass


def unavailable(pg_bin=PG_BIN):
    """Why no cluster can be made here, or None when one can."""
    for tool in ("initdb", "pg_ctl", "pg_basebackup"):
        if not (pg_bin / tool).exists():
            return f"{pg_bin / tool} is missing: apt-get install postgresql-15"
    if os.geteuid() == 0:
        if not shutil.which("runuser"):
            return "running as root, and runuser is missing to run PostgreSQL as the postgres user"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and there is no postgres user to run PostgreSQL as"
    return None


class Cluster:
    """A data folder and the server options to serve it on `port`, on loopback only; removed by `destroy()`.

    `settings` are postgresql.conf settings, passed on the server's command line.
    Make one with `Cluster.initdb(...)` or `primary.standby(...)`.
    """

    def __init__(self, port, settings=None, pg_bin=PG_BIN):
        reason = unavailable(pg_bin)
        if reason:
            raise ClusterError(reason)
        self.port = port
        self.pg_bin = pg_bin
        self.as_postgres = os.geteuid() == 0
        # Under /tmp, not under a folder of root's that the postgres user could not enter.
        self.folder = Path(tempfile.mkdtemp(prefix="chancery-pg-"))
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        settings = {"listen_addresses": HOST, "fsync": "off", **(settings or {})}
        self.options = f"-p {port} -k {self.folder} " + " ".join(
            f"-c {name}={value}" for name, value in settings.items()
        )

    @classmethod
    def initdb(cls, port, settings=None, pg_bin=PG_BIN):
        """A new cluster, not yet started: superuser `postgres`, every login on loopback trusted."""
        cluster = cls(port, settings, pg_bin)
        try:
            cluster.run(
                "initdb", "-D", str(cluster.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"
            )
        except BaseException:
            cluster.destroy()
            raise
        return cluster

    def standby(self, port, user, settings=None):
        """A streaming standby of this running cluster, not yet started, copied with `pg_basebackup -R`
        as `user` (a role with REPLICATION): it follows this one as soon as it starts."""
        standby = Cluster(port, settings, self.pg_bin)
        try:
            standby.run(
                "pg_basebackup", "-h", HOST, "-p", str(self.port), "-U", user, "-D", str(standby.data),
                "-R", "-X", "stream", "-c", "fast",
            )  # fmt: skip
        except BaseException:
            standby.destroy()
            raise
        return standby

    def run(self, tool, *args, timeout=120):
        """Run one of PostgreSQL's binaries as the cluster's owner; its output, or a ClusterError with it."""
        command = [str(self.pg_bin / tool), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        # From /: runuser complains about a working directory the postgres user cannot read.
        done = subprocess.run(command, cwd="/", capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise ClusterError(f"{tool} {' '.join(args)} failed: {(done.stdout + done.stderr).strip()[-800:]}")
        return done.stdout

    def url(self, database, user="postgres"):
        return f"postgres://{user}@{HOST}:{self.port}/{database}"

    def start(self):
        # -w: returns once the server accepts connections, and fails if it could not bind its port.
        self.run("pg_ctl", "-D", str(self.data), "-o", self.options, "-l", str(self.folder / "log"), "-w", "start")

    def stop(self, mode="fast"):
        # -m fast: open connections are cut, transactions in flight rolled back, as in a crash or a failover.
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def log(self):
        """The server's log so far, to explain a failure."""
        try:
            return (self.folder / "log").read_text(errors="replace")
        except OSError:
            return ""

    def destroy(self):
        if (self.data / "postmaster.pid").exists():
            try:
                # No shutdown checkpoint: the data is about to go. It took seconds on a busy machine.
                self.stop("immediate")
            except ClusterError:
                pass
        shutil.rmtree(self.folder, ignore_errors=True)
