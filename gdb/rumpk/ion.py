"""The kernel's ION state (struct ion_state `ion`), read in one piece.

Where the rings and the SysTable are, who owns the command ring (sender),
its key and the next sequence number: everything the ring, pkt and systable
commands need to place and verify packets.
"""
import gdb

from rumpk import utils

# The rings by the names the monitor's `ion` command uses, and the
# struct ion_state field that points at each.
RING_FIELDS = (("command", "cmd"), ("completion", "completion"), ("input", "input"),
               ("output", "output"))

_state = utils.target_cache({})


def state():
    """struct ion_state `ion`, decoded ({field: value}); cached until the
    next stop. Raises gdb.GdbError without a target (ion is in .bss)."""
    if "ion" not in _state:
        if not utils.have_target():
            raise gdb.GdbError("no target: the ION state lives in the kernel's RAM "
                               "(target remote first, or make debug)")
        address, raw, gtype = utils.read_global("ion")
        decoded = utils.layout(gtype).decode(raw)
        decoded["_address"] = address
        _state["ion"] = decoded
    return _state["ion"]


def ring_addresses():
    """{'command': address, ...} of the four rings (0 before ion_init)."""
    s = state()
    return {name: s[field] for name, field in RING_FIELDS}


def ring_name_at(address):
    """'command' if `address` is ion.cmd (etc.), else None."""
    try:
        for name, addr in ring_addresses().items():
            if addr and addr == address:
                return name
    except gdb.GdbError:
        pass
    return None


def ring_field(name):
    """'cmd' for 'command' or 'cmd'; None when `name` is not a ring name."""
    for ring_name, field in RING_FIELDS:
        if name in (ring_name, field):
            return field
    return None
