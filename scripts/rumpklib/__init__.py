"""Shared Python code of Rumpk Lab: used by scripts/, tests/ and (later) gdb/."""
