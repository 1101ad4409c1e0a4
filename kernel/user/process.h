/*
 * The user program and the Subject fiber that runs it. One program runs at a
 * time (the history's design): the Subject execs it, enters U-mode, and gets
 * control back when the program exits, is killed, or asks to be replaced
 * (exec). Then the Subject respawns the shell.
 */
#ifndef RUMPK_USER_PROCESS_H
#define RUMPK_USER_PROCESS_H

#include <stdint.h>

#include "abi/user.h"
#include "arch/riscv64/trap_frame.h"
#include "core/fiber.h"
#include "fs/vfs.h"
#include "loader/elf_check.h"
#include "mm/vm.h"

#define SUBJECT_SHELL "/bin/nipbox"

struct process {
    uint64_t pid;                   /* also its provenance sender id */
    char path[USER_PATH_MAX];       /* normalized, with a leading '/' */
    pte_t *pagetable;
    uint64_t entry;
    uint64_t user_sp;               /* initial sp (argv on the stack above it) */
    uint64_t argc, argv;            /* initial a0, a1 */
    struct elf_image image;         /* what the loader mapped */
    struct vfs_table files;
    uint64_t pages;                 /* pages this program owns */
};

/* How a run of a user program ended (user_enter's return value). */
enum user_outcome {
    USER_EXITED = 1,    /* CMD_SYS_EXIT; the status is in subject_exit_status */
    USER_KILLED = 2,    /* a fault; the reason was printed */
};

extern struct process *current_process;
extern struct fiber *subject_fiber;

/* Validates and loads `path` as a new process image (nothing changes when
 * it fails). On failure prints `exec: PATH: REASON` and returns a negative
 * ION_E* status. On success returns 0 and *out is ready to run. */
int process_load(const char *path, uint32_t argc, char *const argv[], struct process **out);

/* Frees everything the process owns. */
void process_destroy(struct process *p);

/* Called by the trap handler for traps from U-mode. */
void user_trap(struct trap_frame *tf);

/* Leaves the user program for good (exit or kill): back to the Subject. */
__attribute__((noreturn)) void user_finish(enum user_outcome how, long status);

/* exec succeeded: the Subject drops the caller and runs `next`. */
__attribute__((noreturn)) void subject_replace(struct process *next);

/* Ctrl-C on the console (from the receive interrupt): asks for the running
 * program to be stopped, unless it is the shell. Returns 1 when it did. */
int subject_interrupt(void);

/* Stops the program now if Ctrl-C asked for it (called where a running
 * program can be left: after a timer preemption, while it waits for input). */
void user_poll_interrupt(void);

/* The Subject fiber's entry: runs the shell, and whatever it execs, forever. */
void subject_main(void *arg);

#endif
