# Rumpk Lab. `make run` boots the kernel, `make test` runs every test; both
# install what is missing first (make deps). See README.md.

VERSION := 0.1.0
BUILD   ?= build
CROSS   ?= riscv64-unknown-elf-
PYTHON  ?= /usr/bin/python3
QEMU    ?= qemu-system-riscv64
HOSTCC  ?= gcc
# Boot arguments for the kernel (QEMU -append), extra QEMU options, pytest options.
APPEND      ?=
QEMU_EXTRA  ?=
# More files for the initrd: DIR/bin/x becomes /bin/x.
ROOTFS_EXTRA ?=
# The archive to embed (tests embed a deliberately cut one to see the boot check fail).
INITRD_EMBED ?= $(BUILD)/initrd.tar
# An archive to use as it is instead of packing one (tests embed malformed archives,
# which then pass the size and checksum check and meet the tar parser).
INITRD_ARCHIVE ?=
PYTEST_ARGS ?=

CC      := $(CROSS)gcc
NM      := $(CROSS)nm
OBJDUMP := $(CROSS)objdump

# -fno-omit-frame-pointer: panics and GDB walk the s0 chain.
# -fno-tree-loop-distribute-patterns: keep GCC from turning memcpy's own loop
#   into a call to memcpy.
# -Og (KERNEL_OPT, below): code that steps line by line in GDB the way it reads;
#   the labs need that more than speed, except on the few hot paths.
# V=1 shows the full commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif
msg = @printf '  %-7s %s\n' $(1) $(2)

# --no-relax: gp is never used as a base register, so it needs no set-up and
#   user programs cannot confuse the kernel through it.
# -Og everywhere but the hot paths that make bench measures (docs/performance.md),
# which -O2 makes up to twice as fast. `make KERNEL_HOT=` builds those at -Og
# too, for stepping through them line by line.
KERNEL_OPT ?= -Og
KERNEL_HOT ?= kernel/lib/siphash.c kernel/lib/string.c kernel/ion/provenance.c \
	kernel/mm/page_pool.c kernel/core/fiber.c kernel/ion/ion.c kernel/ion/cmd_check.c \
	kernel/core/bench.c kernel/mm/vm.c kernel/ion/packet_pool.c
kernel_opt = $(if $(filter $(1),$(KERNEL_HOT)),-O2,$(KERNEL_OPT))
KERNEL_CFLAGS := -march=rv64gc -mabi=lp64d -mcmodel=medany -ffreestanding -nostdlib \
	-fno-builtin-printf -fno-common -fno-stack-protector -fno-pie \
	-fno-omit-frame-pointer -fno-tree-loop-distribute-patterns \
	-std=c11 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Ikernel -Iinclude -MMD -MP
KERNEL_ASFLAGS := -march=rv64gc -mabi=lp64d -mcmodel=medany -g -Ikernel -Iinclude -MMD -MP
KERNEL_LDFLAGS := -nostdlib -static -no-pie -Wl,--no-relax \
	-Wl,-T,kernel/arch/riscv64/kernel.ld -Wl,--build-id=none

HOST_CFLAGS := -std=c11 -g -O1 -Wall -Wextra -Werror -Wshadow -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all -Ikernel -Iinclude -Itests/host -MMD -MP

KERNEL_C   := $(sort $(wildcard kernel/*/*.c kernel/*/*/*.c))
KERNEL_S   := $(sort $(wildcard kernel/*/*.S kernel/*/*/*.S))
KERNEL_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(KERNEL_C)) $(patsubst %.S,$(BUILD)/%.o,$(KERNEL_S)) \
	$(BUILD)/gen/version.o $(BUILD)/gen/initrd_info.o

.PHONY: all kernel run test check host-tests deps clean help FORCE labs lab lab-check lab-debug fuzz fuzz-targets soak bench doctor record replay lab-record lab-replay
.DEFAULT_GOAL := all

all: kernel initrd userland $(BUILD)/abi-check.ok
kernel: $(BUILD)/kernel.elf
initrd: $(BUILD)/initrd.tar

help:
	@echo "make run        build and boot the kernel under QEMU (quit: Ctrl-A X, or 'halt')"
	@echo "make run-gui    make run with a VirtIO GPU: the console also in a window (docs/retina.md)"
	@echo "make debug      boot halted under QEMU with GDB attached (GDB_ARGS='-batch -ex \"fiber list\"')"
	@echo "make test       install what is missing, build, run every test"
	@echo "make            build build/kernel.elf"
	@echo "make deps       install the Debian packages the project needs"
	@echo "make tools      build what scripts/elf-explain needs (docs/tools.md: abi-check, initrd-check, elf-explain, memmap)"
	@echo "make bench      instructions per operation (exact, -icount) beside their floors, boot and GDB latency; build/bench.json"
	@echo "make doctor     check the tools, Python modules, stale QEMUs and GDB set-up; one line per problem, with the fix"
	@echo "make record     record a run under QEMU's record mode (RR_INPUT='hello;ls' types for you); make replay: replay it under GDB, backwards too"
	@echo "make soak       the long soak: 10,000 exec/exit cycles, 1,000,000 console packets"
	@echo "Variables: APPEND='selftest=list' (boot arguments), QEMU_EXTRA='...', PYTEST_ARGS='-k boot'"

# --- kernel -----------------------------------------------------------------

# Rewritten only when the flags change (KERNEL_OPT=, KERNEL_HOT=), so that
# objects built with other flags are rebuilt.
KERNEL_FLAGS_STAMP := $(BUILD)/kernel/flags.txt
$(KERNEL_FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(KERNEL_CFLAGS) | $(KERNEL_OPT) | $(KERNEL_HOT)' | cmp -s - $@ || \
		echo '$(KERNEL_CFLAGS) | $(KERNEL_OPT) | $(KERNEL_HOT)' > $@

$(BUILD)/kernel/%.o: kernel/%.c $(KERNEL_FLAGS_STAMP)
	@mkdir -p $(@D)
	$(call msg,CC,$<)
	$(Q)$(CC) $(KERNEL_CFLAGS) $(call kernel_opt,$<) -c $< -o $@

$(BUILD)/kernel/%.o: kernel/%.S
	@mkdir -p $(@D)
	$(call msg,AS,$<)
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

# --- initrd -----------------------------------------------------------------
# Packed on every build (cheap) but rewritten only when its bytes change, so
# an unchanged tree does not relink.
ROOTFS_TREES := rootfs $(BUILD)/rootfs-bin $(BUILD)/rootfs-bad $(ROOTFS_EXTRA)

# /bad/: the malformed-ELF corpus (scripts/gen-bad-elves.py, one file per
# loader check plus nasty combinations, and a MANIFEST of the expected
# refusals), so anyone can `exec /bad/x86-64.elf` and read the refusal.
$(BUILD)/rootfs-bad/bad/MANIFEST: scripts/gen-bad-elves.py tests/host/data/good-user.elf
	$(call msg,GEN,$(BUILD)/rootfs-bad/bad)
	$(Q)rm -rf $(BUILD)/rootfs-bad
	$(Q)$(PYTHON) scripts/gen-bad-elves.py tests/host/data/good-user.elf $(BUILD)/rootfs-bad/bad >/dev/null

# userland: the programs are staged in $(BUILD)/rootfs-bin before packing.
$(BUILD)/initrd.tar $(BUILD)/gen/initrd_info.S &: FORCE userland $(BUILD)/rootfs-bad/bad/MANIFEST
	@mkdir -p $(BUILD)/gen
	$(Q)$(PYTHON) scripts/mkinitrd.py --out $(BUILD)/initrd.tar.new \
		--info $(BUILD)/gen/initrd_info.S.new \
		$(if $(INITRD_ARCHIVE),--from-archive $(INITRD_ARCHIVE),$(ROOTFS_TREES))
	$(Q)for f in $(BUILD)/initrd.tar $(BUILD)/gen/initrd_info.S; do \
		if cmp -s $$f.new $$f; then rm -f $$f.new; \
		else mv $$f.new $$f; printf '  %-7s %s\n' PACK $$f; fi; done

# .incbin is invisible to -MD: the archive is listed by hand.
$(BUILD)/kernel/fs/initrd_blob.o: kernel/fs/initrd_blob.S $(INITRD_EMBED)
	@mkdir -p $(@D)
	$(call msg,AS,$<)
	$(Q)$(CC) $(KERNEL_ASFLAGS) -DINITRD_PATH='"$(INITRD_EMBED)"' -c $< -o $@

# The revision is re-read on every build; the file changes only when it does.
$(BUILD)/gen/version.c: FORCE
	@mkdir -p $(@D)
	@scripts/gen-version.sh $@ $(VERSION)

$(BUILD)/gen/version.o: $(BUILD)/gen/version.c
	$(call msg,CC,$<)
	$(Q)$(CC) $(KERNEL_CFLAGS) $(KERNEL_OPT) -c $< -o $@

$(BUILD)/gen/ksyms_empty.S: scripts/gen-ksyms.py
	@mkdir -p $(@D)
	$(Q)$(PYTHON) scripts/gen-ksyms.py --nm $(NM) --empty $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.S
	$(call msg,AS,$<)
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

# Two link passes: the first without symbol names, the second with the table
# of the first's functions (placed last, so no address moves; --same checks).
$(BUILD)/kernel.pass1.elf: $(KERNEL_OBJ) $(BUILD)/gen/ksyms_empty.o kernel/arch/riscv64/kernel.ld
	$(call msg,LD,$@)
	$(Q)$(CC) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJ) $(BUILD)/gen/ksyms_empty.o -lgcc

$(BUILD)/gen/ksyms.S: $(BUILD)/kernel.pass1.elf scripts/gen-ksyms.py
	$(call msg,KSYMS,$@)
	$(Q)$(PYTHON) scripts/gen-ksyms.py --nm $(NM) $< $@

$(BUILD)/kernel.elf: $(KERNEL_OBJ) $(BUILD)/gen/ksyms.o kernel/arch/riscv64/kernel.ld
	$(call msg,LD,$@)
	$(Q)$(CC) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJ) $(BUILD)/gen/ksyms.o -lgcc
	$(Q)$(PYTHON) scripts/gen-ksyms.py --nm $(NM) --same $(BUILD)/kernel.pass1.elf $@

# --- userland ---------------------------------------------------------------
# User programs (docs/userland.md), linked at USER_BASE by userland/user.ld:
# libnexus (crt0, the system-call membrane, a small libc; it compiles the
# pure kernel sources it shares with the kernel: the printf engine, the
# string functions, SipHash and provenance tags), NipBox (the shell) and one
# program per userland/programs/*.c.
#   $(BUILD)/userland/NAME.elf      with debug info, for GDB
#   $(BUILD)/rootfs-bin/bin/NAME    the same without it (objcopy --strip-debug),
#                                   packed into the initrd as /bin/NAME
# No floating point (rv64imac/lp64): user programs run with sstatus.FS off.
# -fno-tree-loop-distribute-patterns: memset's own loop must not become a
# call to memset.
USER_CFLAGS := -march=rv64imac -mabi=lp64 -mcmodel=medany -ffreestanding -nostdlib \
	-fno-builtin -fno-common -fno-stack-protector -fno-pie -fno-tree-loop-distribute-patterns \
	-g -O2 -Wall -Wextra -Werror -Wshadow -std=c11 -fno-omit-frame-pointer \
	-Iinclude -Ikernel -Iuserland/libnexus -MMD -MP
USER_ASFLAGS := -march=rv64imac -mabi=lp64 -mcmodel=medany -g -Iinclude -Ikernel -MMD -MP
USER_LDFLAGS := -march=rv64imac -mabi=lp64 -nostdlib -static -no-pie \
	-T userland/user.ld -Wl,--build-id=none
USER_OBJCOPY := $(CROSS)objcopy
USER_AR      := $(CROSS)ar

USER_DIR      := $(BUILD)/userland
LIBNEXUS_SHARED := kernel/lib/format.c kernel/lib/string.c kernel/lib/siphash.c kernel/ion/provenance.c
LIBNEXUS_OBJ  := $(patsubst userland/%.c,$(USER_DIR)/%.o,$(filter-out %/crt0.S,$(wildcard userland/libnexus/*.c))) \
	$(patsubst kernel/%.c,$(USER_DIR)/kernel/%.o,$(LIBNEXUS_SHARED))
LIBNEXUS      := $(USER_DIR)/libnexus.a
USER_CRT0     := $(USER_DIR)/libnexus/crt0.o
NIPBOX_OBJ    := $(patsubst userland/%.c,$(USER_DIR)/%.o,$(sort $(wildcard userland/nipbox/*.c)))
USER_PROGRAMS := $(sort $(patsubst userland/programs/%.c,%,$(wildcard userland/programs/*.c)) nipbox)
USER_ELFS     := $(addprefix $(USER_DIR)/,$(addsuffix .elf,$(USER_PROGRAMS)))
USER_STAGED   := $(addprefix $(BUILD)/rootfs-bin/bin/,$(USER_PROGRAMS))

.PHONY: userland userland-host-tests
# Then a program whose source is gone leaves the initrd too.
userland: $(USER_ELFS) $(USER_STAGED)
	$(Q)for f in $(BUILD)/rootfs-bin/bin/*; do \
		case " $(USER_PROGRAMS) " in *" $${f##*/} "*) ;; *) rm -f "$$f"; printf '  %-7s %s\n' RM "$$f";; esac; \
	done

$(USER_DIR)/%.o: userland/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$<)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(USER_DIR)/%.o: userland/%.S
	@mkdir -p $(@D)
	$(call msg,AS,$<)
	$(Q)$(CC) $(USER_ASFLAGS) -c $< -o $@

# The kernel's pure sources, compiled again with the user flags.
$(USER_DIR)/kernel/%.o: kernel/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$<)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

# Made through pattern rules, but worth keeping (GDB, incremental builds).
.SECONDARY: $(patsubst userland/%.c,$(USER_DIR)/%.o,$(wildcard userland/programs/*.c))

$(LIBNEXUS): $(LIBNEXUS_OBJ)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(USER_AR) rcs $@ $^

# Every ELF is checked after the link: PT_LOAD segments only (R E, R, RW),
# entry at _start (userland/check-elf.sh).
USER_LINK = $(CC) $(USER_LDFLAGS) -o $@ $(USER_CRT0) $(1) $(LIBNEXUS) -lgcc && \
	userland/check-elf.sh $(CROSS) $@

$(USER_DIR)/nipbox.elf: $(NIPBOX_OBJ) $(USER_CRT0) $(LIBNEXUS) userland/user.ld userland/check-elf.sh
	$(call msg,LD,$@)
	$(Q)$(call USER_LINK,$(NIPBOX_OBJ))

$(USER_DIR)/%.elf: $(USER_DIR)/programs/%.o $(USER_CRT0) $(LIBNEXUS) userland/user.ld userland/check-elf.sh
	$(call msg,LD,$@)
	$(Q)$(call USER_LINK,$<)

# --- the ABI check ----------------------------------------------------------
# Every structure that crosses the kernel/user boundary must have the same
# layout in the DWARF of the kernel and of every user program
# (scripts/abi-check, docs/tools.md). The stamp is written only when they
# agree, so a drifted build fails here, and again on the next make.
ABI_CHECK_DEPS := scripts/abi-check scripts/rumpklib/dwarf_layout.py \
	scripts/rumpklib/dwarf_quick.py scripts/rumpklib/elfutil.py

$(BUILD)/abi-check.ok: $(BUILD)/kernel.elf $(USER_ELFS) $(ABI_CHECK_DEPS)
	$(call msg,ABICHK,$@)
	$(Q)rm -f $@
	$(Q)$(PYTHON) scripts/abi-check --quiet --kernel $(BUILD)/kernel.elf $(USER_ELFS)
	$(Q)touch $@

$(BUILD)/rootfs-bin/bin/%: $(USER_DIR)/%.elf
	@mkdir -p $(@D)
	$(call msg,STRIP,$@)
	$(Q)$(USER_OBJCOPY) --strip-debug $< $@ && chmod 755 $@

# The pure parts of userland (the allocator, the line editor, the word
# splitter, the membrane against a model kernel) under ASan and UBSan on the
# host; built and run.
USER_HOST_TESTS := $(patsubst userland/tests/test_%.c,%,$(wildcard userland/tests/test_*.c))
USER_HOST_SRCS_arena    := userland/libnexus/arena.c
USER_HOST_SRCS_args     := userland/nipbox/args.c
USER_HOST_SRCS_lineedit := userland/nipbox/lineedit.c
USER_HOST_SRCS_membrane := userland/libnexus/membrane.c userland/libnexus/console.c \
	kernel/ion/provenance.c kernel/lib/siphash.c
# libnexus's write() must not replace libc's inside the test binary.
USER_HOST_FLAGS_membrane := -Dwrite=nexus_write

.SECONDEXPANSION:
$(USER_DIR)/host/test_%: userland/tests/test_%.c $$(USER_HOST_SRCS_$$*) tests/host/check.h
	@mkdir -p $(@D)
	$(call msg,HOSTCC,$<)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(USER_HOST_FLAGS_$*) -Iuserland/libnexus -Iuserland/nipbox \
		-o $@ $< $(USER_HOST_SRCS_$*)

userland-host-tests: $(addprefix $(USER_DIR)/host/test_,$(USER_HOST_TESTS))
	$(Q)for t in $^; do $$t || exit 1; done

# --- host unit tests --------------------------------------------------------
# Each tests/host/test_NAME.c is linked with the pure kernel sources it names
# in HOST_SRCS_NAME, built for the host with ASan and UBSan.

HOST_TESTS := $(patsubst tests/host/test_%.c,%,$(wildcard tests/host/test_*.c))
HOST_SRCS_format        := kernel/lib/format.c
HOST_SRCS_fdt           := kernel/lib/fdt.c
HOST_SRCS_bootargs      := kernel/lib/bootargs.c
HOST_SRCS_page_pool     := kernel/mm/page_pool.c
HOST_SRCS_ksyms         := kernel/lib/ksyms.c
HOST_SRCS_cmd_check     := kernel/ion/cmd_check.c kernel/ion/provenance.c kernel/lib/siphash.c
HOST_SRCS_crc32         := kernel/lib/crc32.c
HOST_SRCS_trap_describe := kernel/core/trap_describe.c kernel/lib/format.c
HOST_SRCS_ion_ring        :=
HOST_SRCS_packet_pool     := kernel/ion/packet_pool.c
HOST_SRCS_siphash       := kernel/lib/siphash.c kernel/ion/provenance.c
HOST_SRCS_path            := kernel/fs/path.c
HOST_SRCS_tar             := kernel/fs/tar.c kernel/fs/path.c
HOST_SRCS_vfs             := kernel/fs/vfs.c kernel/fs/tar.c kernel/fs/path.c
HOST_SRCS_elf_check       := kernel/loader/elf_check.c
HOST_SRCS_string          := kernel/lib/string.c
# The kernel's memcpy and friends under other names, beside libc's.
HOST_FLAGS_string         := -fno-builtin -Dmemcpy=k_memcpy -Dmemset=k_memset -Dmemmove=k_memmove \
	-Dmemcmp=k_memcmp -Dstrlen=k_strlen -Dstrnlen=k_strnlen -Dstrcmp=k_strcmp -Dstrncmp=k_strncmp

.SECONDEXPANSION:
$(BUILD)/host/test_%: tests/host/test_%.c $$(HOST_SRCS_$$*) tests/host/check.h
	@mkdir -p $(@D)
	$(call msg,HOSTCC,$<)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(HOST_SRCS_$*) $(HOST_FLAGS_$*)

host-tests: $(addprefix $(BUILD)/host/test_,$(HOST_TESTS))

# --- inspection tools (docs/tools.md) ---------------------------------------
# scripts/elf-explain takes its verdict from the kernel's own validator,
# compiled for the host with a small front end that prints each check.
.PHONY: tools
tools: $(BUILD)/host/elf_check_cli

$(BUILD)/host/elf_check_cli: scripts/elf_check_cli.c kernel/loader/elf_check.c
	@mkdir -p $(@D)
	$(call msg,HOSTCC,$<)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ scripts/elf_check_cli.c kernel/loader/elf_check.c

# --- fuzzing ------------------------------------------------------------------
# libFuzzer targets (clang) over the same pure sources the kernel uses, with
# ASan and UBSan. `make fuzz` runs each for FUZZ_SECONDS; `make test` replays
# the seed corpus and runs each for a few seconds (tests/fuzz/test_fuzz.py).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := elf tar path cmd fdt
FUZZ_SRCS_elf  := kernel/loader/elf_check.c
FUZZ_SRCS_tar  := kernel/fs/tar.c kernel/fs/path.c
FUZZ_SRCS_path := kernel/fs/path.c
FUZZ_SRCS_cmd  := kernel/ion/cmd_check.c kernel/ion/provenance.c kernel/lib/siphash.c
FUZZ_SRCS_fdt  := kernel/lib/fdt.c
FUZZ_CFLAGS := -std=c11 -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Ikernel -Iinclude

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_$$*)
	@mkdir -p $(@D)
	$(call msg,FUZZCC,$<)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRCS_$*)

fuzz-targets: $(addprefix $(BUILD)/fuzz/fuzz_,$(FUZZ_TARGETS))

fuzz: fuzz-targets
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$t; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/$$t- $(BUILD)/fuzz/corpus-$$t tests/fuzz/corpus/$$t \
			> $(BUILD)/fuzz/$$t.log 2>&1; rc=$$?; \
		grep -E "stat::number_of_executed_units|ERROR|SUMMARY" $(BUILD)/fuzz/$$t.log; \
		[ $$rc -eq 0 ] || { echo "fuzz: $$t crashed: see $(BUILD)/fuzz/$$t.log"; exit 1; }; \
	done

# --- the two commands -------------------------------------------------------

deps:
	@scripts/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	$(PYTHON) scripts/run-qemu.py --kernel $(BUILD)/kernel.elf --append "$(APPEND)" -- $(QEMU_EXTRA)

# make run with a VirtIO GPU (Retina, docs/retina.md): the console mirrored in
# a window (gtk or sdl) when $DISPLAY is set, headless otherwise.
.PHONY: run-gui
run-gui: deps
	@$(MAKE) --no-print-directory all
	$(PYTHON) scripts/run-qemu.py --gpu --kernel $(BUILD)/kernel.elf --append "$(APPEND)" -- $(QEMU_EXTRA)

# QEMU halted, GDB attached with the extensions; the console on a socket (docs/gdb.md).
# GDB_ARGS reaches GDB exactly as typed (read with $(value), so GDB's $ needs no $$).
.PHONY: debug
debug: all
	$(PYTHON) scripts/debug.py --kernel $(BUILD)/kernel.elf --append "$(APPEND)" --gdb-args '$(subst ','\'',$(value GDB_ARGS))' -- $(QEMU_EXTRA)

test: deps
	@$(MAKE) --no-print-directory all host-tests fuzz-targets tools
	$(PYTHON) -m pytest $(PYTEST_ARGS) tests

# `check` runs the tests without the package check (for a machine already set up).
check: all host-tests fuzz-targets tools
	$(PYTHON) -m pytest $(PYTEST_ARGS) tests

# --- record / replay (docs/time-travel.md) ------------------------------------
# make record [RR_INPUT='hello;ls'] [APPEND=...]: record a run (interactive
# without RR_INPUT; `halt` ends it); make replay [GDB_ARGS=...]: replay it
# under GDB, forwards and backwards. RR_DIR keeps several recordings apart.
RR_DIR   ?= $(BUILD)/rr
RR_INPUT ?=
RR_SECONDS ?= 10
record: deps
	@$(MAKE) --no-print-directory all
	$(PYTHON) scripts/rr.py record --dir $(RR_DIR) --kernel $(BUILD)/kernel.elf \
		--append "$(APPEND)" --seconds $(RR_SECONDS) $(if $(RR_INPUT),--input '$(RR_INPUT)')

replay:
	$(PYTHON) scripts/rr.py replay --dir $(RR_DIR) --gdb-args '$(subst ','\'',$(value GDB_ARGS))'

# A lab's broken variant: recorded and replayed in its workspace.
lab-record:
	@$(PYTHON) scripts/lab.py record $(N) $(if $(RR_INPUT),--input '$(RR_INPUT)')

lab-replay:
	@$(PYTHON) scripts/lab.py replay $(N) --gdb-args '$(subst ','\'',$(value GDB_ARGS))'

# --- doctor -----------------------------------------------------------------
# Checks the toolchain, Python modules, stale QEMUs and GDB's auto-load set-up
# (docs/tools.md); one line per problem, with the fix.
doctor:
	@$(PYTHON) scripts/doctor.py

# --- bench ------------------------------------------------------------------
# Instructions per operation under -icount (exact), beside their floors, and
# the wall-clock figures of the edit-build-boot-look loop (docs/performance.md).
# BENCH_ARGS=--quick is what make test runs.
BENCH_ARGS ?=
bench: deps
	@$(MAKE) --no-print-directory all
	$(PYTHON) bench/bench.py $(BENCH_ARGS)

# --- soak -------------------------------------------------------------------
# The long soak: 10,000 exec/exit cycles and 1,000,000 console packets in one
# boot each, nothing leaked, no byte lost (make test runs a short one).
SOAK_CYCLES  ?= 10000
SOAK_PACKETS ?= 1000000
soak: deps
	@$(MAKE) --no-print-directory all
	SOAK_CYCLES=$(SOAK_CYCLES) SOAK_PACKETS=$(SOAK_PACKETS) $(PYTHON) -m pytest -q tests/qemu/test_soak.py

# --- labs -------------------------------------------------------------------
# make labs | make lab N=03 [RESET=1] | make lab-check N=03 [TREE=DIR] | make lab-debug N=03
labs:
	@$(PYTHON) scripts/lab.py list

lab: deps
	@$(MAKE) --no-print-directory all
	@$(PYTHON) scripts/lab.py start $(N) $(if $(RESET),--reset)

lab-check: deps
	@$(MAKE) --no-print-directory all
	@$(PYTHON) scripts/lab.py check $(N) $(if $(TREE),--tree $(TREE))

lab-debug:
	@$(PYTHON) scripts/lab.py debug $(N)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
