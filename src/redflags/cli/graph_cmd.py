"""`redflags graph`: an entity's owners and holdings as a tree, and as an SVG for reports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from redflags.cli.common import (
    StoreOption,
    console,
    err_console,
    existing_store,
    friendly_errors,
)
from redflags.errors import RedflagsError

if TYPE_CHECKING:
    from redflags.screening.engine import Engine


@friendly_errors
def graph(
    entity: Annotated[str, typer.Argument(help="An entity id, or a name to look up.")],
    store: StoreOption = None,
    svg_path: Annotated[
        Path | None, typer.Option("--svg", help="Write the drawing here (default: <id>.svg).")
    ] = None,
    depth: Annotated[int, typer.Option(help="Levels of owners and holdings to show.")] = 4,
) -> None:
    """Show an entity's owners and holdings (with shares, sources, dates) and write an SVG."""
    from redflags.ownership.render import svg, tree
    from redflags.screening.engine import load_engine

    engine = load_engine(existing_store(store), on_build=lambda m: err_console.print(m))
    layer = engine.ownership
    if layer is None:
        raise RedflagsError(
            "no ownership or link data in the loaded lists; import some with "
            "`redflags import FILE --list NAME --format bods|gleif|uk-psc|ownership-csv`"
        )
    found = [entity] if entity in layer.graph else _candidates(engine, entity)
    ident = found[0] if found else None
    if ident is None or ident not in layer.graph:
        raise RedflagsError(f"{entity!r} has no known owners, holdings or links")
    if ident != entity:
        others = found[1:]
        err_console.print(f"showing {layer.graph.name(ident)} ({ident})" + (
            "; others of that name: " + ", ".join(
                f"{layer.graph.name(o)} ({o})" for o in others[:4]) if others else ""))
    console.print(tree(ident, layer.graph, max_depth=depth, listed=layer.listed))
    out = svg_path or Path(f"{ident.replace('/', '_')}.svg")
    out.write_text(svg(ident, layer.graph, max_depth=min(depth, 3), listed=layer.listed),
                   encoding="utf-8")
    err_console.print(f"wrote {out}")


def _candidates(engine: Engine, text: str) -> list[str]:
    """The graph's parties that match a name, best first: listed ones, then the user's
    (a name may open another party than meant: "Sberbank" is also its Kazakh subsidiary,
    said when it happens)."""
    layer = engine.ownership
    if layer is None:
        return []
    query = {"schema": "LegalEntity", "properties": {"name": [text]}}
    out = [str(h.entity["id"]) for h in engine.screen(query, limit=5, derived=False)
           if h.match and h.entity["id"] in layer.graph]
    node_screener = engine.node_screener()
    if node_screener is not None:
        out += [str(h.entity["id"]) for h in node_screener.screen(query, limit=3) if h.match]
    return list(dict.fromkeys(out))
