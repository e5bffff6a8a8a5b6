# ---- man pages and shell completion (included by the Makefile) ----------
# Pages are written in scdoc (man/<name>.<section>.scd, readable as text)
# and built into $(O)/man/<name>.<section> by `make man`; MAN_PAGES lists
# them and COMPLETIONS the completion files, for `make install`.
SCDOC     ?= scdoc
MAN_SRCS  := $(sort $(wildcard man/*.scd))
MAN_PAGES := $(MAN_SRCS:man/%.scd=$(O)/man/%)
COMPLETIONS := completion/callfence.bash completion/_callfence

# the date in the footer: SOURCE_DATE_EPOCH if set, else the last commit
# that touched man/, so a rebuild gives the same bytes
ifeq ($(origin SOURCE_DATE_EPOCH),undefined)
MAN_EPOCH := $(shell git log -1 --format=%ct -- man 2>/dev/null)
ifneq ($(MAN_EPOCH),)
$(MAN_PAGES): export SOURCE_DATE_EPOCH := $(MAN_EPOCH)
endif
endif

man: $(MAN_PAGES)

$(O)/man/%: man/%.scd
	@mkdir -p $(dir $@)
	$(SCDOC) < $< > $@.tmp && mv $@.tmp $@

# tests/test_docs.c runs tests/man.sh and tests/completion.sh on these;
# without scdoc `make check` still runs, and the man page test skips (in
# CI, CI=true, a skip is a failure)
check: export CF_MAN := $(O)/man
ifneq ($(shell command -v $(SCDOC) 2>/dev/null),)
check: man
else
check: export CF_MAN_SKIP := $(SCDOC) is not installed (apt-get install scdoc)
endif

.PHONY: man
