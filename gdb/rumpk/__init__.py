"""Rumpk Lab's GDB extensions, one module per concept.

Loaded by gdb/rumpk-gdb.py. Everything registers itself on import.
"""
from rumpk import settings  # noqa: F401
