"""Another process holding the store never makes an update fail, and readers that only need
to know the current versions (a running server) never take the database lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from redflags.model import EntityBuilder, FtMEntity
from redflags.store import Store, open_catalog


def firms(n: int, tag: str = "") -> list[FtMEntity]:
    out = []
    for i in range(n):
        b = EntityBuilder("Company", f"f-{i}", "l")
        b.add("name", f"Firm {i} {tag}".strip())
        out.append(b.to_dict())
    return out


HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from redflags.store import Store
    st = Store(Path(sys.argv[1]), read_only=True)
    print("held", flush=True)
    sys.stdin.readline()
    st.close()
    print("released", flush=True)
    """
)


def test_writer_waits_for_a_reader_to_let_go(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store(path) as st:
        st.import_entities("l", "ftm", firms(10), checksum="1")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline().strip() == "held"
    done: list[str] = []

    def write() -> None:
        with Store(path, lock_timeout=60) as st:
            done.append(st.import_entities("l", "ftm", firms(10, "b"), checksum="2").list)

    writer = threading.Thread(target=write)
    writer.start()
    assert not done  # still waiting for the lock
    holder.stdin.write("go\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "released"
    writer.join(timeout=60)
    holder.wait(timeout=30)
    assert done == ["l"]


READER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from redflags.store import open_catalog
    catalog = open_catalog(Path(sys.argv[1]))
    print(catalog.origin, ",".join(i.version_id for i in catalog.lists()))
    """
)


def test_catalog_reads_published_versions_without_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store(path) as st:
        report = st.import_entities("l", "ftm", firms(5), checksum="1")
        # this process holds the database open for writing; another reads the catalog
        out = subprocess.run(
            [sys.executable, "-c", READER, str(path)], capture_output=True, text=True, timeout=60
        )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["store", str(report.version_id)]
    assert open_catalog(path).lists()[0].version_id == report.version_id
