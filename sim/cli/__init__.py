"""The ``sim`` command line: one module per command, heavy imports inside the commands.

:func:`main` is the ``sim`` command's entry point: it imports the command line only once it
can catch a Ctrl-C, so an interrupt while the modules import ends the command like one
during it (one line, exit status 130), not with a traceback.
"""

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Run the ``sim`` command (:func:`sim.cli.main.main`); exit 130 on a Ctrl-C that comes
    before the command handles its own."""
    import sys

    try:
        from sim.signals import redeliver_swallowed

        sys.unraisablehook = redeliver_swallowed  # a Ctrl-C in an import's clean-up is not lost
        from sim.cli.main import main as run

        run(argv)
    except SystemExit:
        from sim.signals import after_the_end

        after_the_end()  # the command is over: a signal now says so, with no traceback
        raise
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; nothing was written\n")
        sys.exit(130)
