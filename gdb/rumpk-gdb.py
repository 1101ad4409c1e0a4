# Loads the Rumpk Lab GDB extensions: `source gdb/rumpk-gdb.py` (make debug and
# the tests do this for you, so auto-load safe-path never gets in the way).
import os
import sys

import gdb

_here = os.path.dirname(os.path.abspath(__file__))
if _here not in sys.path:
    sys.path.insert(0, _here)

import rumpk  # noqa: E402,F401  (registers the commands and parameters)
