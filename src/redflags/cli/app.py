"""Assembles the Typer application from the command modules."""

from __future__ import annotations

import typer

from redflags import __version__
from redflags.cli import check_cmd, graph_cmd, lists_cmds, screen_cmd, serve_cmds

app = typer.Typer(
    name="redflags",
    help="Screen organisations and listed persons against official sanctions and "
    "restricted-party lists, with evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# The everyday job first, then the lists, then the other ways in.
app.command()(screen_cmd.screen)
app.command()(check_cmd.check)
app.command()(lists_cmds.lists)
app.command()(lists_cmds.update)
app.command("import")(lists_cmds.import_)
app.command()(lists_cmds.versions)
app.command()(lists_cmds.diff)
app.command()(lists_cmds.export)
app.command()(graph_cmd.graph)
app.command()(serve_cmds.serve)
app.add_typer(serve_cmds.keys_app, name="keys")


@app.command()
def version() -> None:
    """Print the redflags version."""
    typer.echo(__version__)
