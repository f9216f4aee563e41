"""Build the bundled default snapshot (src/redflags/data/default) from the official files.

Reproducible: the same input files give byte-identical output (sorted entities, gzip with a
fixed mtime). Only public-domain US lists, the UN list and the OGL UK list are bundled;
OpenSanctions-curated files (CC BY-NC) are refused.

    python scripts/build_bundle.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import shutil
import sys
import tempfile
from pathlib import Path

from redflags import __version__
from redflags.sources import ParseContext, get_parser
from redflags.sources.registry import LISTS
from redflags.store.bundle import ALLOWED_LICENCES, bundle_path
from redflags.store.duck import list_date_of, parser_version

# list name -> (format, file under the data folder, list date when the file does not say)
SOURCES: dict[str, tuple[str, str, str | None]] = {
    "us_ofac_sdn": ("ofac-csv", "ofac/sdn_2024-05-03/sdn.csv", "2024-05-03"),
    "us_ofac_cons": ("ofac-csv", "ofac/cons_2025-12/cons_prim.csv", "2025-12-19"),
    "us_bis_entity_list": ("us-json", "us_lists_2026-07/bis_entity_list.json", None),
    "us_bis_meu": ("us-json", "us_lists_2026-07/bis_meu.json", None),
    "us_bis_dpl": ("us-json", "us_lists_2026-07/bis_dpl.json", None),
    "us_dhs_uflpa": ("us-json", "us_lists_2026-07/dhs_uflpa.json", None),
    "us_fcc_covered": ("us-json", "us_lists_2026-07/fcc_covered.json", None),
    "us_dod_1260h": ("us-json", "us_lists_2026-07/dow_1260h.json", None),
    "us_ofac_nscmic": ("us-json", "us_lists_2026-07/ofac_nscmic.json", None),
    "un_sc": ("un-xml", "un/un_consolidated_2026-02.xml", None),
    "gb_ofsi": ("uk-ofsi", "uk/ofsi_conlist_2025-04-14.xlsx", None),
}
# Files read beside a list's own, from another snapshot. The newest whole SDN primary file
# obtainable (sdn.csv of 2024-05-03) came without its aliases and addresses; those of
# 2025-12-24 (whose sdn.csv is not obtainable) are joined to it by OFAC's entry number, a
# stable id: 7,086 of its 14,965 entries gain their a.k.a.s (SEPAH PASDARAN for the IRGC),
# 14,241 their addresses and countries. An entry delisted in between keeps none, an alias
# added in between is one OFAC gave the same party (97 % of the entries with aliases in both
# the 2021 and the 2025 files have the same ones). Not sdn_comments.csv: it continues the
# remarks of its own sdn.csv, not of another's.
SUPPLEMENTS: dict[str, tuple[str, ...]] = {
    "us_ofac_sdn": ("ofac/sdn_2025-12_partial/add.csv", "ofac/sdn_2025-12_partial/alt.csv"),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def json_list_date(path: Path) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None
    return data.get("extracted") if isinstance(data, dict) else None


def build(data: Path, out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, (fmt, rel, fallback_date) in SOURCES.items():
        spec = LISTS[name]
        if not any(ok in spec.licence for ok in ALLOWED_LICENCES):
            raise SystemExit(f"{name}: licence {spec.licence!r} may not be bundled")
        src = data / rel
        extra = [data / r for r in SUPPLEMENTS.get(name, ())]
        if any("opensanctions" in str(p).lower() for p in (src, *extra)):
            raise SystemExit(f"{name}: OpenSanctions data is never bundled")
        list_date = list_date_of(fmt, src) or json_list_date(src) or fallback_date
        ctx = ParseContext(list_name=name, source_url=spec.info_url or next(
            iter(spec.urls.values()), None))
        with tempfile.TemporaryDirectory() as tmp:
            if extra:  # the list's file and its supplements side by side, as one set
                for path in (src, *extra):
                    shutil.copyfile(path, Path(tmp) / path.name)
            parsed = get_parser(fmt)(Path(tmp) / src.name if extra else src, ctx)
            entities = sorted(parsed, key=lambda e: e["id"])
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
            for entity in entities:
                gz.write((json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n").encode())
        target = out / f"{name}.ftm.jsonl.gz"
        target.write_bytes(buf.getvalue())
        counts: dict[str, int] = {}
        for entity in entities:
            counts[entity["schema"]] = counts.get(entity["schema"], 0) + 1
        digest = hashlib.sha256(buf.getvalue()).hexdigest()
        entries.append(
            {
                "list": name,
                "title": spec.title,
                "format": fmt,
                "source_file": rel,
                "source_sha256": sha256(src),
                **({"supplement_files": [
                    {"file": r, "sha256": sha256(data / r)} for r in SUPPLEMENTS[name]]}
                   if name in SUPPLEMENTS else {}),
                "file": target.name,
                "sha256": digest,
                "version": f"{name}@bundle-{list_date}-{digest[:8]}",
                "list_date": list_date,
                "entity_count": len(entities),
                "counts": counts,
                "parser_version": parser_version(fmt),
                "source_url": ctx.source_url,
                "licence": spec.licence,
                "publisher": spec.publisher,
            }
        )
        print(f"{name:22} {len(entities):7d} entities  {list_date}  {target.stat().st_size:>9d} B")
    dates = sorted(str(e["list_date"]) for e in entries if e["list_date"])
    manifest: dict[str, object] = {
        "snapshot_date": dates[-1] if dates else None,
        "built_with": f"redflags {__version__}",
        "lists": entries,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    default_data = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("--data", type=Path, default=default_data)
    parser.add_argument("--out", type=Path, default=bundle_path())
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"data folder not found: {args.data}", file=sys.stderr)
        return 1
    build(args.data, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
