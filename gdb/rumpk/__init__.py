"""Rumpk Lab's GDB extensions, one module per concept.

Loaded by gdb/rumpk-gdb.py. Everything registers itself on import:

  settings   set/show rumpk color
  utils      cached types, DWARF layouts, memory reads, symbols
  abi        CMD_*/ION_E*/SYSTABLE_* from include/abi/*.h
  siphash    SipHash-2-4 and provenance tags (no gdb: host-testable)
  traps      scause in words, from the kernel's own tables
  ion        the kernel's struct ion_state
  rings      ring, $ring_used()
  packets    pkt
  systable   systable
  abicheck   abi check
  fibers     fiber list / info fibers, fiber bt, $fiber(), $current_fiber()
  tarfs      tarfs ls [DIR]
  usersyms   user symbols [PROGRAM]: a user program's symbols beside the kernel's
  boundary   which side a stop is on (banner, prompt); syscall step/finish;
             set rumpk follow-ecall
  ubreak     ubreak PROGRAM:FUNCTION: breakpoints in programs not running yet
  guards     run/start explain; breakpoints where nothing is mapped warn
  rr         rr where/marks/seek/back: time travel in a replayed recording
  fb         fb [save FILE.png]: the Retina framebuffer
  printers   pretty-printers, registered on the kernel's objfile
"""
from rumpk import settings  # noqa: F401
from rumpk import utils  # noqa: F401
from rumpk import abi, siphash, traps, ion  # noqa: F401
from rumpk import rings, packets, systable, abicheck, fibers  # noqa: F401
from rumpk import tarfs, usersyms  # noqa: F401
from rumpk import boundary, ubreak, guards, rr, fb  # noqa: F401
from rumpk import printers  # noqa: F401
