"""``python -m negsim``: the command line, the same as the ``negsim`` command."""

from __future__ import annotations

from negsim.cli import main

if __name__ == "__main__":
    main(prog_name="negsim")
