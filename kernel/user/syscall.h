/* The commands that act on the calling user program: its memory (through
 * copy_from_user/copy_to_user), its files, its life. */
#ifndef RUMPK_USER_SYSCALL_H
#define RUMPK_USER_SYSCALL_H

#include <stdint.h>

#include "abi/ion.h"

/* Runs a command ion.c does not handle itself. Returns an ION_* status.
 * CMD_SYS_EXIT and a successful CMD_SYS_EXEC do not return. */
int user_command(const CmdPacket *p, int64_t *result);

#endif
