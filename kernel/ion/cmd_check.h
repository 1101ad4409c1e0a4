/*
 * The checks every CmdPacket passes before the kernel runs it, in order:
 * the layout (_pad must be zero: the first sign of a sender with another
 * idea of the struct), the provenance tag (from this sender, with this
 * sequence number), and a known kind. Pure, so the host tests and the fuzzer
 * run exactly what the kernel runs.
 */
#ifndef RUMPK_ION_CMD_CHECK_H
#define RUMPK_ION_CMD_CHECK_H

#include <stdint.h>

#include "abi/ion.h"

/* ION_OK, or ION_EPAD / ION_ETAG / ION_EKIND with *why set to a phrase for the log. */
int cmd_check(const CmdPacket *p, const uint8_t key[16], uint64_t sender, uint64_t seq,
              const char **why);

/* "CMD_SYS_EXEC", ... or NULL for a kind the kernel does not know. */
const char *cmd_kind_name(uint32_t kind);

#endif
