# SPDX-License-Identifier: GPL-2.0-or-later
# v6kit — build, test and install.  `make help` lists the targets.

.DEFAULT_GOAL := all

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DOCDIR     ?= $(PREFIX)/share/doc/v6kit
# systemd's own directories do not move with PREFIX (Debian 12 paths).
SYSTEMDUNITDIR ?= /lib/systemd/system
SYSTEMSLEEPDIR ?= /lib/systemd/system-sleep
TMPFILESDIR    ?= /usr/lib/tmpfiles.d
SYSUSERSDIR    ?= /usr/lib/sysusers.d
DESTDIR    ?=

CC      ?= cc
# make check builds with one job per core.
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
PKG_CONFIG ?= pkg-config
CFLAGS  ?= -O2 -g
NL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libnl-3.0 libnl-route-3.0 2>/dev/null)
NL_LIBS   := $(shell $(PKG_CONFIG) --libs libnl-3.0 libnl-route-3.0 2>/dev/null)
# SANITIZE=1 uses clang unless CC is given: clang's UBSan traps
# float-to-integer overflow, gcc's does not.
ifeq ($(SANITIZE)$(origin CC),1default)
CC := clang
endif
# Error texts are cut to their buffer on purpose; gcc warns about every
# such snprintf, clang has no such warning (and rejects the option).
TRUNC_FLAG := $(shell $(CC) -Werror -Wno-format-truncation -x c -c -o /dev/null /dev/null 2>/dev/null && echo -Wno-format-truncation)
override CFLAGS += -std=gnu11 -Wall -Wextra -Werror $(TRUNC_FLAG) -MMD -MP -Ilib -Itools $(NL_CFLAGS)
LDLIBS  += $(NL_LIBS) -lm -lpthread

# SANITIZE=1 builds everything with AddressSanitizer and UBSan into build-asan/.
ifeq ($(SANITIZE),1)
B ?= build-asan
override CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
override LDFLAGS += -fsanitize=address,undefined
else
B ?= build
endif

ifeq ($(V),1)
Q :=
msg := @true
else
Q := @
msg = @printf '  %-6s %s\n'
endif

# Every directory under tools/ is a tool; tools/*.c is the shared CLI.
TOOLS    := $(sort $(notdir $(patsubst %/,%,$(wildcard tools/*/))))
LIB_SRC  := $(wildcard lib/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
COM_SRC  := $(wildcard tools/*.c)
COM_OBJ  := $(COM_SRC:%.c=$(B)/%.o)
# Section 1 tools go to BINDIR, the rest (network administration) to SBINDIR.
USER_TOOLS := tunbench
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)
MANS     := $(wildcard man/*.[1-8])

# Per-tool extras (extra libraries, helper programs) live in tools/NAME/tool.mk.
-include $(wildcard tools/*/tool.mk)

.PHONY: all deps check check-unit check-bats check-asan check-valgrind check-man check-vm \
	check-fuzz demo bench bench-vm fuzz install uninstall clean help
all: $(TOOLS:%=$(B)/%) $(UNIT_BIN) $(B)/nltest $(EXTRA_BINS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(msg) CC $<
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/libv6kit.a: $(LIB_OBJ)
	$(msg) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(B)/libv6cli.a: $(COM_OBJ)
	$(msg) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

define tool_rule
$(1)_OBJ := $$(patsubst %.c,$(B)/%.o,$$(wildcard tools/$(1)/*.c))
$(B)/$(1): $$($(1)_OBJ) $(B)/libv6cli.a $(B)/libv6kit.a
	$$(msg) LD $$@
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS_$(1)) $$(LDLIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

$(B)/unit/%: tests/unit/%.c $(B)/libv6kit.a
	@mkdir -p $(dir $@)
	$(msg) CC $<
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(UNIT_LINK_$*) $(B)/libv6kit.a $(LDLIBS)

# Drives lib/ from the namespace lab (tests/05-lib.bats).
$(B)/nltest: $(B)/tests/lib/nltest.o $(B)/libv6kit.a
	$(msg) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

deps:
	@scripts/install-deps

# The README's test command: installs what is missing, builds, runs everything.
check: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@$(MAKE) --no-print-directory check-man
	@$(MAKE) --no-print-directory -j$(JOBS) SANITIZE=1 all
	@scripts/run-tests
	@fuzz/run $${CHECK_FUZZ_SECONDS:-5}
	@if [ -x tests/vm/run-vm ]; then tests/vm/run-vm; fi

# The C unit tests alone: no root, no kernel, seconds.
check-unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do \
		out=$$($$t 2>&1) || { fail=1; printf '%s\n' "$$out" | grep -v '^ok' | sed "s|^|$$t: |"; }; \
	done; [ $$fail = 0 ] && echo 'unit tests: all passed'

check-man:
	$(msg) LINT man/
	$(Q)mandoc -Tlint -W warning $(MANS)

# Stock Debian kernel with sit, under QEMU (see tests/vm/).
check-vm: all
	@tests/vm/run-vm

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo

bench: deps
	@$(MAKE) --no-print-directory all
	@bench/run

bench-vm: deps
	@$(MAKE) --no-print-directory all
	@bench/run-vm

fuzz: deps
	@fuzz/run $${FUZZ_SECONDS:-60}

# scripts/install-files holds the one list of installed files (it prints
# each one); uninstall removes exactly that list.
INSTALL_ENV = B='$(B)' PREFIX='$(PREFIX)' BINDIR='$(BINDIR)' SBINDIR='$(SBINDIR)' \
	MANDIR='$(MANDIR)' SYSCONFDIR='$(SYSCONFDIR)' DOCDIR='$(DOCDIR)' DESTDIR='$(DESTDIR)' \
	SYSTEMDUNITDIR='$(SYSTEMDUNITDIR)' SYSTEMSLEEPDIR='$(SYSTEMSLEEPDIR)' \
	TMPFILESDIR='$(TMPFILESDIR)' SYSUSERSDIR='$(SYSUSERSDIR)' \
	SBIN_TOOLS='$(filter-out $(USER_TOOLS),$(TOOLS))' BIN_TOOLS='$(filter $(USER_TOOLS),$(TOOLS))'

install: all
	@$(INSTALL_ENV) scripts/install-files install

uninstall:
	@$(INSTALL_ENV) scripts/install-files uninstall

clean:
	rm -rf build build-asan build-fuzz

help:
	@echo 'make [all]      build every tool into $(B)/ (V=1 shows commands, SANITIZE=1 uses ASan+UBSan)'
	@echo 'make check      install missing packages, build, run every test'
	@echo 'make demo       the whole host end to end (brokers, ifup, srcroute, ndproxy, tunbench, ifdown) in namespaces'
	@echo 'make bench      benchmarks against the peers named in README.md'
	@echo 'make install    tools, man pages, init script, systemd units, hooks, examples; knobs:'
	@echo '                PREFIX=$(PREFIX) DESTDIR= BINDIR= SBINDIR= MANDIR= SYSCONFDIR=$(SYSCONFDIR)'
	@echo '                DOCDIR=$(DOCDIR) SYSTEMDUNITDIR=$(SYSTEMDUNITDIR)'
	@echo '                SYSTEMSLEEPDIR=$(SYSTEMSLEEPDIR) TMPFILESDIR=$(TMPFILESDIR) SYSUSERSDIR=$(SYSUSERSDIR)'
	@echo '                as root without DESTDIR it also creates the system user v6kit'
	@echo 'make uninstall  removes exactly what install put there (same knobs)'

-include $(shell find $(B) -name '*.d' 2>/dev/null)
