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
PYTEST_ARGS ?=

CC      := $(CROSS)gcc
NM      := $(CROSS)nm
OBJDUMP := $(CROSS)objdump

# -fno-omit-frame-pointer: panics and GDB walk the s0 chain.
# -fno-tree-loop-distribute-patterns: keep GCC from turning memcpy's own loop
#   into a call to memcpy.
# -Og: code that steps line by line in GDB the way it reads; the labs need that
#   more than the last few percent of speed.
# V=1 shows the full commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif
msg = @printf '  %-7s %s\n' $(1) $(2)

# --no-relax: gp is never used as a base register, so it needs no set-up and
#   user programs cannot confuse the kernel through it.
KERNEL_CFLAGS := -march=rv64gc -mabi=lp64d -mcmodel=medany -ffreestanding -nostdlib \
	-fno-builtin-printf -fno-common -fno-stack-protector -fno-pie \
	-fno-omit-frame-pointer -fno-tree-loop-distribute-patterns \
	-std=c11 -Og -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Ikernel -Iinclude -MMD -MP
KERNEL_ASFLAGS := -march=rv64gc -mabi=lp64d -mcmodel=medany -g -Ikernel -Iinclude -MMD -MP
KERNEL_LDFLAGS := -nostdlib -static -no-pie -Wl,--no-relax \
	-Wl,-T,kernel/arch/riscv64/kernel.ld -Wl,--build-id=none

HOST_CFLAGS := -std=c11 -g -O1 -Wall -Wextra -Werror -Wshadow -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all -Ikernel -Iinclude -Itests/host -MMD -MP

KERNEL_C   := $(sort $(wildcard kernel/*/*.c kernel/*/*/*.c))
KERNEL_S   := $(sort $(wildcard kernel/*/*.S kernel/*/*/*.S))
KERNEL_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(KERNEL_C)) $(patsubst %.S,$(BUILD)/%.o,$(KERNEL_S)) \
	$(BUILD)/gen/version.o

.PHONY: all kernel run test check host-tests deps clean help FORCE
.DEFAULT_GOAL := all

all: kernel
kernel: $(BUILD)/kernel.elf

help:
	@echo "make run        build and boot the kernel under QEMU (quit: Ctrl-A X, or 'halt')"
	@echo "make test       install what is missing, build, run every test"
	@echo "make            build build/kernel.elf"
	@echo "make deps       install the Debian packages the project needs"
	@echo "Variables: APPEND='selftest=list' (boot arguments), QEMU_EXTRA='...', PYTEST_ARGS='-k boot'"

# --- kernel -----------------------------------------------------------------

$(BUILD)/kernel/%.o: kernel/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$<)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel/%.o: kernel/%.S
	@mkdir -p $(@D)
	$(call msg,AS,$<)
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

# The revision is re-read on every build; the file changes only when it does.
$(BUILD)/gen/version.c: FORCE
	@mkdir -p $(@D)
	@scripts/gen-version.sh $@ $(VERSION)

$(BUILD)/gen/version.o: $(BUILD)/gen/version.c
	$(call msg,CC,$<)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

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

# --- host unit tests --------------------------------------------------------
# Each tests/host/test_NAME.c is linked with the pure kernel sources it names
# in HOST_SRCS_NAME, built for the host with ASan and UBSan.

HOST_TESTS := $(patsubst tests/host/test_%.c,%,$(wildcard tests/host/test_*.c))
HOST_SRCS_format        := kernel/lib/format.c
HOST_SRCS_fdt           := kernel/lib/fdt.c
HOST_SRCS_bootargs      := kernel/lib/bootargs.c
HOST_SRCS_page_pool     := kernel/mm/page_pool.c
HOST_SRCS_ksyms         := kernel/lib/ksyms.c
HOST_SRCS_trap_describe := kernel/core/trap_describe.c kernel/lib/format.c
HOST_SRCS_ion_ring        :=
HOST_SRCS_packet_pool     := kernel/ion/packet_pool.c
HOST_SRCS_siphash       := kernel/lib/siphash.c kernel/ion/provenance.c

.SECONDEXPANSION:
$(BUILD)/host/test_%: tests/host/test_%.c $$(HOST_SRCS_$$*) tests/host/check.h
	@mkdir -p $(@D)
	$(call msg,HOSTCC,$<)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(HOST_SRCS_$*)

host-tests: $(addprefix $(BUILD)/host/test_,$(HOST_TESTS))

# --- the two commands -------------------------------------------------------

deps:
	@scripts/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	$(PYTHON) scripts/run-qemu.py --kernel $(BUILD)/kernel.elf --append "$(APPEND)" -- $(QEMU_EXTRA)

test: deps
	@$(MAKE) --no-print-directory all host-tests
	$(PYTHON) -m pytest $(PYTEST_ARGS) tests

# `check` runs the tests without the package check (for a machine already set up).
check: all host-tests
	$(PYTHON) -m pytest $(PYTEST_ARGS) tests

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
