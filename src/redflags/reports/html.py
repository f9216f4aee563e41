"""A self-contained HTML report: one card per hit with what matched, why, and the list entry
as published. Inline CSS and JS only — it is mailed, archived and opened offline, so it must
never fetch anything. Rendered by streaming the results JSON lines, so size is no concern.
"""

from __future__ import annotations

import html
import json
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from redflags.matching.glossary import describe, entries
from redflags.reports.check import NOT_GIVEN
from redflags.reports.context import RunContext
from redflags.reports.explain import compared as explained
from redflags.reports.explain import derived_summary
from redflags.reports.results import read_results, read_results_by_score
from redflags.screening.checkpoint import Checkpoint

# Entity properties shown as identifiers on a card (FtM names -> label).
IDENTIFIER_PROPS = {
    "registrationNumber": "Registration no.", "leiCode": "LEI", "isinCode": "ISIN",
    "taxNumber": "Tax no.", "innCode": "INN", "ogrnCode": "OGRN", "uscCode": "USCC",
    "idNumber": "ID no.", "passportNumber": "Passport", "swiftBic": "SWIFT/BIC",
    "imoNumber": "IMO", "dunsCode": "DUNS", "vatCode": "VAT", "okpoCode": "OKPO",
    "kppCode": "KPP", "npiCode": "NPI", "icijId": "ICIJ id", "wikidataId": "Wikidata",
}
DETAIL_PROPS = {
    "alias": "Also known as", "weakAlias": "Weak alias", "previousName": "Previous name",
    "country": "Country", "nationality": "Nationality", "birthDate": "Born",
    "incorporationDate": "Incorporated", "address": "Address",
    "notes": "Remarks", "summary": "Summary", "description": "Description",
}
SANCTION_PROPS = {
    "authority": "Authority", "program": "Program", "listingDate": "Listed on",
    "startDate": "Effective", "endDate": "Ends", "reason": "Reason", "provisions": "Provisions",
    "summary": "Federal Register / citation", "sourceUrl": "Source", "authorityId": "List record",
    "status": "Status",
}

# A row label (th:only-of-type: the one th of a label/value row) keeps to one line and its
# width: values break anywhere (long URLs), and a label squeezed to its narrowest read
# "Li st ver sio n" at 1300 px.
_CSS = """
:root{--ink:#1c2430;--mute:#5b6675;--line:#d9dee5;--red:#b3261e;--amber:#a15c00;--bar:#3a6ea5}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;
color:var(--ink);margin:0;background:#f5f6f8}header,main,footer{max-width:1100px;margin:auto;
padding:16px 20px}h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:18px 0 8px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;
border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{color:var(--mute);font-weight:600}th:only-of-type{white-space:nowrap;width:1%}
.counts{display:flex;gap:12px;flex-wrap:wrap;margin:10px 0}.count{background:#fff;
border:1px solid var(--line);border-radius:8px;padding:8px 14px}.count b{font-size:20px;
display:block}.stale{color:var(--amber);font-weight:600}.card{background:#fff;
border:1px solid var(--line);border-left:5px solid var(--red);border-radius:8px;margin:14px 0;
padding:12px 16px}.card h3{margin:0 0 4px;font-size:16px}.score{float:right;font-weight:700;
color:var(--red);font-size:18px}.mute{color:var(--mute)}.grid{display:grid;
grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px}
@media(max-width:800px){.grid{grid-template-columns:1fr}}
.bar{background:#e8edf3;height:10px;border-radius:5px;min-width:80px}.bar>span{display:block;
height:10px;border-radius:5px;background:var(--bar)}.bar.neg>span{background:var(--red)}
.tag{display:inline-block;background:#eef1f5;border-radius:4px;padding:0 6px;margin:0 4px 2px 0;
font-size:12px}#filter{width:100%;padding:8px;font-size:14px;border:1px solid var(--line);
border-radius:6px}.hidden{display:none}code{font-size:12px}
"""

_JS = """
(function(){
  var box=document.getElementById('filter');
  var cards=Array.prototype.slice.call(document.querySelectorAll('.card'));
  var shown=document.getElementById('shown');
  function apply(){
    var q=(box.value||'').toLowerCase(), n=0;
    cards.forEach(function(c){
      var hit=!q||c.textContent.toLowerCase().indexOf(q)>=0;
      c.classList.toggle('hidden',!hit); if(hit){n++;}
    });
    if(shown){shown.textContent=String(n);}
  }
  if(box){box.addEventListener('input',apply);} apply();
})();
"""


@dataclass
class Evidence:
    """The published records behind the hits: Sanction entities by the entity they list,
    and the Address entities hits refer to."""

    sanctions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    addresses: dict[str, dict[str, Any]] = field(default_factory=dict)


def collect_evidence(
    entities: Iterable[Mapping[str, Any]], hit_ids: set[str], address_ids: set[str]
) -> Evidence:
    """One pass over a catalog (~60k entities) keeping only what the hits need."""
    ev = Evidence()
    for ent in entities:
        schema = ent.get("schema")
        if schema == "Sanction":
            for target in (ent.get("properties") or {}).get("entity", []):
                if target in hit_ids:
                    ev.sanctions.setdefault(target, []).append(dict(ent))
        elif schema == "Address" and ent.get("id") in address_ids:
            ev.addresses[str(ent["id"])] = dict(ent)
    return ev


def hit_ids_in(results_path: Path) -> tuple[set[str], set[str]]:
    """Ids of every hit entity, and of the Address entities they reference."""
    ids: set[str] = set()
    addrs: set[str] = set()
    for row in read_results(results_path):
        for h in row.get("hits") or []:
            ids.add(str(h["entity_id"]))
            addrs.update(h.get("properties", {}).get("addressEntity", []))
    return ids, addrs


def write_report(
    results_path: Path,
    out_path: Path,
    ctx: RunContext,
    ck: Checkpoint,
    evidence: Evidence | None = None,
    *,
    interrupted: bool = False,
) -> int:
    """Write the report; returns the number of hit cards."""
    evidence = evidence or Evidence()
    tmp = out_path.with_name(out_path.name + ".tmp")
    cards = 0
    rows: list[tuple[Any, ...]] = []
    with open(tmp, "w", encoding="utf-8") as fh, \
            tempfile.TemporaryFile("w+", encoding="utf-8") as body:
        _head(fh, ctx, ck, interrupted)
        for row in read_results_by_score(results_path):
            hits = row.get("hits") or []
            rows.append(_summary_row(row, hits))
            for rank, hit in enumerate(hits, start=1):
                cards += 1
                sanctions = evidence.sanctions.get(hit["entity_id"], [])
                _card(body, row, rank, hit, sanctions, evidence.addresses)
        _summary(fh, rows)
        fh.write('<h2>Hits (<span id="shown">0</span> shown)</h2>'
                 '<input id="filter" type="search" placeholder="Filter hits by any text…" '
                 'aria-label="Filter hits">')
        body.seek(0)
        shutil.copyfileobj(body, fh)
        if cards == 0:
            fh.write('<p id="no-hits">No row of the input matched any list entry at this '
                     "threshold.</p>")
        _foot(fh, ctx, cards)
    tmp.replace(out_path)
    return cards


def _summary_row(row: Mapping[str, Any], hits: list[dict[str, Any]]) -> tuple[Any, ...]:
    best = hits[0]
    lists = sorted({lst for h in hits for lst in h.get("lists") or []})
    return (row["line"], row.get("name"), best["score"], best.get("caption"),
            bool(best.get("derived")), lists, len(hits))


def _summary(fh: IO[str], rows: list[tuple[Any, ...]]) -> None:
    """One line per flagged input row, strongest first, each linked to its cards, with an
    empty column for the reviewer's decision: 29 cards for 10 suppliers (five for one
    Hikvision) were no page to hand a manager."""
    if not rows:
        return
    fh.write(f"<h2>Rows with hits ({len(rows)})</h2><table id=\"summary\"><tr><th>line</th>"
             "<th>input name</th><th>best score</th><th>listed as</th><th>lists (all hits)"
             "</th><th>hits</th><th>decision</th></tr>")
    for line, name, score, caption, derived, lists, n in rows:
        how = " (through ownership or a link)" if derived else ""
        fh.write(f'<tr><td><a href="#hit-{_e(line)}-1">{_e(line)}</a></td><td>{_e(name)}</td>'
                 f"<td>{float(score):.2f}</td><td>{_e(caption)}{how}</td>"
                 f"<td>{_e(', '.join(lists))}</td><td>{n}</td>"
                 '<td class="decision">☐ match ☐ false positive</td></tr>')
    fh.write("</table>")


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _link(url: str | None) -> str:
    if url and url.startswith(("https://", "http://")):
        return f'<a href="{_e(url)}" rel="noreferrer noopener">{_e(url)}</a>'
    return _e(url)


def _head(fh: IO[str], ctx: RunContext, ck: Checkpoint, interrupted: bool) -> None:
    generated = ctx.generated_at or datetime.now(UTC).isoformat(timespec="seconds")
    fh.write("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
             "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
             f"<title>redflags screening — {_e(Path(ctx.input).name)}</title>"
             f"<style>{_CSS}</style></head><body><header>")
    fh.write(f"<h1>Screening report: {_e(Path(ctx.input).name)}</h1>")
    fh.write(f'<div class="mute">Generated {_e(generated)} · lists: {_e(ctx.catalog)} · '
             f"algorithm <b>{_e(ctx.algorithm)} {_e(ctx.algorithm_version)}</b> · threshold "
             f"<b>{ctx.threshold:g}</b> · up to {ctx.limit} results per row</div>")
    if interrupted:
        fh.write(f'<p class="stale">This run was interrupted after {ck.rows_done} rows: the '
                 "report covers those rows only.</p>")
    fh.write('<div class="counts">')
    for label, n, ident in (
        ("rows read", ck.rows_done, "rows-read"), ("screened", ck.screened, "rows-screened"),
        ("rejected", ck.rejected, "rows-rejected"), ("rows with hits", ck.rows_with_hits,
                                                      "rows-hit"),
        ("hits", ck.hits, "hits"),
    ):
        fh.write(f'<div class="count" id="{ident}"><b>{n}</b>{_e(label)}</div>')
    fh.write("</div>")
    fh.write("<h2>Lists used</h2><table><tr><th>list</th><th>title</th><th>list date</th>"
             "<th>age</th><th>entities</th><th>version</th></tr>")
    for info in ctx.lists:
        age = info.get("age_days")
        age_txt = f"{age} days" if age is not None else "?"
        if info.get("stale"):
            age_txt = f'<span class="stale">{_e(age_txt)} — stale</span>'
        else:
            age_txt = _e(age_txt)
        fh.write(f"<tr><td>{_e(info['name'])}</td><td>{_e(info.get('title'))}</td>"
                 f"<td>{_e(info.get('list_date') or '?')}</td><td>{age_txt}</td>"
                 f"<td>{_e(info.get('entity_count'))}</td><td><code>"
                 f"{_e(info.get('version'))}</code></td></tr>")
    fh.write("</table>")
    if ck.hits_by_list:
        fh.write("<h2>Hits by list</h2><p>" + " ".join(
            f'<span class="tag">{_e(k)}: {v}</span>'
            for k, v in sorted(ck.hits_by_list.items(), key=lambda kv: -kv[1])
        ) + "</p>")
    fh.write("</header><main>")


def _card(
    fh: IO[str], row: Mapping[str, Any], rank: int, hit: Mapping[str, Any],
    sanctions: list[dict[str, Any]], addresses: Mapping[str, Any],
) -> None:
    query = row.get("query") or {}
    qprops = query.get("properties") or {}
    lists = hit.get("lists") or []
    fh.write(f'<section class="card" id="hit-{_e(row["line"])}-{rank}" '
             f'data-entity="{_e(hit["entity_id"])}" data-line="{_e(row["line"])}">')
    fh.write(f'<span class="score" title="score">{hit["score"]:.2f}</span>')
    kind = " (derived)" if hit.get("derived") else ""
    fh.write(f"<h3>{_e(row['name'])} → {_e(hit['caption'])}{kind}</h3>")
    fh.write(f'<div class="mute">input line {_e(row["line"])} (id {_e(row.get("row_id"))}, '
             f'{_e(query.get("schema"))}) · listed {_e(hit.get("schema"))} '
             f"<code>{_e(hit['entity_id'])}</code> · "
             + "".join(f'<span class="tag">{_e(x)}</span>' for x in lists) + "</div>")
    fh.write('<div class="grid"><div><h4>What matched and why</h4>')
    fh.write(f"<p>Matched name <b>{_e(hit.get('matched_name'))}</b> for "
             f"<b>{_e(hit.get('query_name') or row['name'])}</b>.</p>")
    fh.write("<table><tr><th>feature</th><th>value</th><th>contribution</th><th>compared"
             "</th></tr>")
    feats = hit.get("explanation") or []
    # contributions are in the scorer's own units (often log-odds): bars are relative to the
    # largest one in this card, the signed number beside each is the real value.
    scale = max((abs(float(f.get("contribution") or 0.0)) for f in feats), default=0.0) or 1.0
    for feat in feats:
        contrib = float(feat.get("contribution") or 0.0)
        if contrib == 0 and not feat.get("value") and feat["name"] != "name_align":
            continue  # a feature that did not fire says nothing (name_align: names differ)
        width = 100.0 * abs(contrib) / scale
        neg = " neg" if contrib < 0 else ""
        compared = " ≈ ".join(_e(v) for v in (feat.get("query_value"),
                                              feat.get("candidate_value")) if v)
        # features on properties (countries, dates...) carry no pair: show what they read
        compared = compared or _e(explained(feat["name"], qprops, hit.get("properties") or {}))
        detail = _e(feat.get("detail"))
        fh.write(f'<tr><td title="{_e(describe(feat["name"]))}">{_e(feat["name"])}</td>'
                 f"<td>{float(feat['value']):.2f}</td>"
                 f'<td><div class="bar{neg}" title="{contrib:+.3f}"><span style="width:'
                 f'{width:.0f}%"></span></div>{contrib:+.2f}</td><td>{compared}'
                 f'{"<br><span class=mute>" + detail + "</span>" if detail else ""}</td></tr>')
    if "baseline" in hit:
        # the model starts from a baseline for the kind of pair: with it the column adds up
        base = float(hit["baseline"])
        total = base + sum(float(f.get("contribution") or 0.0) for f in feats)
        fh.write(f'<tr class="mute"><td>baseline (this kind of pair)</td><td></td>'
                 f"<td>{base:+.2f}</td><td></td></tr>"
                 f'<tr class="mute"><td>sum → score {float(hit["score"]):.2f}</td><td></td>'
                 f"<td>{total:+.2f}</td><td></td></tr>")
    fh.write("</table>")
    if qprops:
        fh.write("<h4>Input row</h4><table>")
        for prop, vals in qprops.items():
            fh.write(f"<tr><th>{_e(prop)}</th><td>{_e('; '.join(vals))}</td></tr>")
        fh.write("</table>")
    if row.get("notes"):
        fh.write(f'<p class="mute">Notes: {_e("; ".join(row["notes"]))}</p>')
    fh.write("</div><div><h4>List entry as published</h4><table>")
    _tr(fh, "List", ", ".join(lists))
    _tr(fh, "List version", hit.get("list_version"))
    _tr(fh, "List record", hit.get("record_id"))
    _tr(fh, "Programs", ", ".join(hit.get("programs") or []))
    _tr(fh, "Listed on", hit.get("listed_on") or NOT_GIVEN)  # BIS, OFAC SDN: no date
    if hit.get("source_url"):
        fh.write(f"<tr><th>Source</th><td>{_link(hit['source_url'])}</td></tr>")
    for cite in hit.get("citations") or []:
        _tr(fh, "Federal Register", cite)
    props = hit.get("properties") or {}
    for prop, label in IDENTIFIER_PROPS.items():
        for val in props.get(prop, []):
            _tr(fh, label, val)
    added = set(hit.get("enriched_aliases") or [])
    for prop, label in DETAIL_PROPS.items():
        vals = [v for v in props.get(prop, []) if prop != "alias" or v not in added]
        if vals:
            _tr(fh, label, "; ".join(vals[:12]) + (" …" if len(vals) > 12 else ""))
        if prop == "alias" and added:
            # the entry "as published" holds only what the list published: the own-script
            # names redflags matched with are shown apart, with where they come from
            _tr(fh, "Added by redflags (not in the list)",
                "; ".join(sorted(added)) + f" — {hit.get('enrichment_source') or 'enrichment'}")
    shown = {a.casefold() for a in props.get("address", [])}
    for addr_id in props.get("addressEntity", []):
        addr = addresses.get(addr_id)
        full = [f for f in (addr or {}).get("properties", {}).get("full", [])
                if f.casefold() not in shown]
        if full:
            _tr(fh, "Address", "; ".join(full))
    fh.write("</table>")
    for ev in hit.get("evidence") or []:
        if isinstance(ev, Mapping) and ev.get("kind") == "derived":
            _derived(fh, ev)
    for sanction in sanctions:
        sprops = sanction.get("properties") or {}
        fh.write('<h4>Sanction record</h4><table class="sanction">')
        for prop, label in SANCTION_PROPS.items():
            for val in sprops.get(prop, []):
                if prop == "sourceUrl":
                    fh.write(f"<tr><th>{_e(label)}</th><td>{_link(val)}</td></tr>")
                else:
                    _tr(fh, label, val)
        fh.write("</table>")
    fh.write("</div></div></section>\n")


def _derived(fh: IO[str], ev: Mapping[str, Any]) -> None:
    """A derived hit's reason: the rule, its verdict, and each ownership hop with its source."""
    fh.write('<h4>Derived through ownership or control</h4>')
    fh.write(f"<p><strong>{_e(derived_summary(ev))}</strong></p>")
    fh.write('<table class="derived">')
    _tr(fh, "Rule", ev.get("rule_title") or ev.get("rule"))
    _tr(fh, "Rule status", ev.get("rule_status"))
    _tr(fh, "Verdict", ev.get("verdict"))
    _tr(fh, "Relation", ev.get("relation"))
    _tr(fh, "Effective share", ev.get("share"))
    _tr(fh, "Listed party", ev.get("listed_name"))
    _tr(fh, "Note", ev.get("note"))
    fh.write("</table>")
    for path in ev.get("paths") or []:
        fh.write('<ol class="path">')
        for hop in path:
            src = ", ".join(str(x) for x in (hop.get("source"), hop.get("date")) if x)
            fh.write(f"<li>{_e(hop.get('owner_name'))} → {_e(hop.get('owned_name'))} "
                     f"({_e(hop.get('kind'))} {_e(hop.get('share_text'))})"
                     f'{" <span class=mute>" + _e(src) + "</span>" if src else ""}</li>')
        fh.write("</ol>")


def _tr(fh: IO[str], label: str, value: Any) -> None:
    if value not in (None, "", []):
        fh.write(f"<tr><th>{_e(label)}</th><td>{_e(value)}</td></tr>")


def _foot(fh: IO[str], ctx: RunContext, cards: int) -> None:
    fh.write("</main><footer class=\"mute\"><h2>Run</h2><table>")
    _tr(fh, "Input", ctx.input)
    _tr(fh, "Columns", ctx.columns)
    _tr(fh, "Hit cards", cards)
    _tr(fh, "Options", json.dumps(ctx.options, ensure_ascii=False, default=str))
    _tr(fh, "List versions", "; ".join(f"{i['name']}={i.get('version')}" for i in ctx.lists))
    fh.write("</table><h2>What the features measure</h2><table>")
    for name, text in entries():
        _tr(fh, name, text)
    fh.write("</table><p>A feature's contribution is its value times its fitted weight; with "
             "the baseline for the kind of pair they sum to the logit the score is read "
             "from.</p>")
    fh.write("<p>Produced by redflags. A hit is a lead to review, not a finding: "
             "check the list entry and the identifiers before acting.</p></footer>")
    fh.write(f"<script>{_JS}</script></body></html>\n")
