"""The Trino harness itself, with a stand-in launcher: a server that dies or never gets ready
fails with the reason and where its logs are, within the timeout, and leaves no process."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from query_engines.trino_engine import TrinoError, TrinoInstall, TrinoServer, free_port, install


def fake_install(tmp_path: Path, script: str) -> TrinoInstall:
    home = tmp_path / "trino-server-core-476"
    (home / "bin").mkdir(parents=True)
    (home / "plugin" / "iceberg").mkdir(parents=True)
    launcher = home / "bin" / "launcher"
    launcher.write_text("#!/usr/bin/env bash\n" + script, encoding="utf-8")
    launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR)
    return TrinoInstall(home=home, java_home=tmp_path / "jdk")


def test_a_server_that_exits_fails_naming_its_logs(tmp_path: Path) -> None:
    trino = fake_install(tmp_path, 'echo "Error: the JVM said no"; exit 3\n')
    server = TrinoServer(trino, tmp_path / "work", tmp_path, startup_timeout=30)
    with pytest.raises(TrinoError) as raised:
        server.start()
    message = str(raised.value)
    assert "exited with code 3 while starting" in message
    assert str(server.log_path) in message and str(server.console_path) in message
    assert "Error: the JVM said no" in message


def test_a_server_that_never_gets_ready_times_out_and_is_stopped(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    trino = fake_install(tmp_path, f'echo $$ > "{pid_file}"; exec sleep 60\n')
    server = TrinoServer(trino, tmp_path / "work", tmp_path, startup_timeout=2)
    started = time.monotonic()
    with pytest.raises(TrinoError, match=r"did not become ready within 2 s .*its logs: "):
        server.start()
    assert time.monotonic() - started < 15
    pid = int(pid_file.read_text(encoding="utf-8"))
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_the_generated_configuration(tmp_path: Path) -> None:
    trino = fake_install(tmp_path, "exit 0\n")
    server = TrinoServer(trino, tmp_path / "work", tmp_path)
    server.port = free_port()
    etc = server.write_config()
    catalog = (etc / "catalog" / "awsdatacatalog.properties").read_text(encoding="utf-8")
    assert "connector.name=iceberg\n" in catalog and "iceberg.catalog.type=TESTING_FILE_METASTORE\n" in catalog
    assert "iceberg.register-table-procedure.enabled=true\n" in catalog
    assert "fs.native-local.enabled=true\n" in catalog
    assert f"local.location={tmp_path.resolve()}\n" in catalog
    assert "hive.metastore.catalog.dir=local:///work/metastore\n" in catalog
    config = (etc / "config.properties").read_text(encoding="utf-8")
    assert f"http-server.http.port={server.port}\n" in config
    assert "node.bind-ip=127.0.0.1\n" in (etc / "node.properties").read_text(encoding="utf-8")
    assert (tmp_path / "work" / "plugin" / "iceberg").resolve() == (trino.home / "plugin" / "iceberg").resolve()
    with pytest.raises(TrinoError, match="outside the catalog's file system root"):
        server.local_uri(Path("/"))
    # By default the root is /, where the absolute file: paths of Iceberg metadata resolve.
    assert TrinoServer(trino, tmp_path / "work").local_uri(tmp_path / "x") == f"local://{tmp_path.resolve()}/x"


def test_install_reports_a_failing_script(tmp_path: Path) -> None:
    script = tmp_path / "trino.sh"
    script.write_text('echo "trino: error: no JDK 24+" >&2; exit 1\n', encoding="utf-8")
    with pytest.raises(TrinoError, match="no JDK 24"):
        install(script)
