# walidata - build, test, install.
#
#   make                 build build/libwalidata.a and build/walidata
#   make check           build and run every test (unit, command line, fuzz corpus)
#   make check SANITIZE=1  the same under AddressSanitizer and UndefinedBehaviorSanitizer
#   make demo            validate the bundled sample extracts and show the reports
#   make fuzz            build the libFuzzer harnesses with clang (build/fuzz/)
#   make bench           run the benchmark in bench/
#   make install         install under $(DESTDIR)$(PREFIX)
#
# Missing build dependencies are installed from Debian's packages by .ci/install-deps.

PREFIX ?= /usr/local
DESTDIR ?=
SANITIZE ?= 0
CC ?= cc

ifeq ($(SANITIZE),1)
BUILD := build/sanitize
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else
BUILD := build
SANFLAGS :=
endif

PKGS := jansson zlib libpcre2-8 libpq libcrypto libuv libsystemd
# pkg-config runs after the dependency check (a prerequisite), once.
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS = $(eval PKG_LIBS := $(shell pkg-config --libs $(PKGS)) -lcsv -lm)$(PKG_LIBS)
CMOCKA_LIBS = $(eval CMOCKA_LIBS := $(shell pkg-config --libs cmocka))$(CMOCKA_LIBS)

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -Wvla \
        -Wimplicit-fallthrough -Werror
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(CFLAGS) $(WARN) $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS) -pthread

CORE_SRCS := \
	etl/error.c etl/mem.c etl/utf8.c etl/stream.c etl/reader.c etl/dialect.c \
	etl/prefetch.c etl/strmap.c etl/keyset.c etl/jsonkeys.c etl/codes.c etl/crosswalk.c \
	etl/definition.c etl/definition_fields.c etl/definition_checks.c etl/expr.c \
	etl/values.c etl/datefmt.c etl/identifiers.c etl/transform.c etl/pattern.c etl/rules.c \
	etl/validate.c etl/timeliness.c etl/quality.c etl/report.c etl/report_text.c etl/config.c \
	etl/db.c etl/migrate.c etl/copy.c etl/binary.c etl/dataset_table.c etl/codes_import.c \
	etl/pseudonym.c etl/content_hash.c etl/load.c etl/publish.c etl/audit.c etl/runs.c \
	etl/schedule.c etl/schedule_parse.c etl/log.c etl/catalog.c etl/worker.c \
	connectors/file.c connectors/source.c connectors/dropfolder.c connectors/pgsource.c
CLI_SRCS := etl/main.c etl/cli_common.c etl/cmd_help.c etl/cmd_preview.c etl/cmd_validate.c \
	etl/cmd_db.c etl/cmd_load.c etl/cmd_runs.c etl/cmd_job.c etl/cmd_daemon.c etl/daemon.c \
	etl/daemon_jobs.c \
	etl/cmd_mapping.c
TEST_NAMES := test_reader test_reader_lines test_codes test_definition test_values test_identifiers \
	test_rules test_validate test_config test_cli test_expr test_samples test_reference \
	test_systemd test_schedule test_source test_binary test_pseudonym test_strmap test_pattern \
	integration/test_pgsource integration/test_warehouse_migrate \
	integration/test_warehouse_definitions integration/test_warehouse_analyst \
	integration/test_load_publish integration/test_load_faults integration/test_load_concurrent \
	integration/test_load_privacy integration/test_load_backlog integration/test_runs \
	integration/test_daemon_files \
	integration/test_daemon_signals integration/test_daemon_jobs
FUZZ_NAMES := fuzz_reader fuzz_definition

CORE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/etl/migrations.o
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
TEST_BINS := $(TEST_NAMES:%=$(BUILD)/tests/%)
# each libFuzzer harness, built with gcc and replayed over its committed corpus
FUZZ_REPLAYS := $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/replay_%)
TEST_UTIL_OBJS := $(BUILD)/tests/testutil.o $(BUILD)/tests/integration/dbassert.o \
	$(BUILD)/tests/integration/loadutil.o $(BUILD)/tests/integration/daemonutil.o
LIB := $(BUILD)/libwalidata.a
BIN := $(BUILD)/walidata
DEPS_STAMP := build/.deps-ok

.SECONDARY: $(TEST_BINS:%=%.o) $(TEST_UTIL_OBJS)
.PHONY: all check unit-check cli-check demo fuzz fuzz-run bench install uninstall clean format deps

all: $(BIN)

deps: $(DEPS_STAMP)
$(DEPS_STAMP): .ci/install-deps
	@mkdir -p build
	@.ci/install-deps
	@touch $@

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The installed binary finds definitions and code lists under PREFIX; a change of PREFIX
# rebuilds the one object that knows it.
PREFIX_STAMP := $(BUILD)/prefix$(subst /,_,$(PREFIX))
$(PREFIX_STAMP):
	@mkdir -p $(BUILD) && rm -f $(BUILD)/prefix_* && touch $@
$(BUILD)/etl/cli_common.o: $(PREFIX_STAMP)
$(BUILD)/etl/cli_common.o: ALL_CFLAGS += -DWD_SHAREDIR='"$(PREFIX)/share/walidata"'

# The SQL migrations are compiled in (etl/sql/NNN_name.sql, applied in order).
$(BUILD)/etl/migrations.c: etl/sql/embed.awk $(sort $(wildcard etl/sql/*.sql))
	@mkdir -p $(dir $@)
	awk -f etl/sql/embed.awk $(sort $(wildcard etl/sql/*.sql)) > $@
$(BUILD)/etl/migrations.o: $(BUILD)/etl/migrations.c | $(DEPS_STAMP)
	$(CC) $(ALL_CFLAGS) -Ietl -c -o $@ $<

$(LIB): $(CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJS) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJS) $(LIB) $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_UTIL_OBJS) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(TEST_UTIL_OBJS) $(LIB) $(PKG_LIBS) $(CMOCKA_LIBS)

check: $(BIN) $(TEST_BINS) $(FUZZ_REPLAYS)
	@WALIDATA_BIN=$(BUILD)/walidata tests/with-pg tests/run-all $(TEST_BINS) $(FUZZ_REPLAYS)

$(BUILD)/tests/fuzz/replay_%: tests/fuzz/%.c tests/fuzz/replay.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -DWD_CORPUS='"tests/fuzz/corpus/$*"' -o $@ \
	  tests/fuzz/$*.c tests/fuzz/replay.c $(LIB) $(PKG_LIBS) $(CMOCKA_LIBS)

demo: $(BIN)
	@tests/samples/demo $(BUILD)/walidata

# libFuzzer harnesses: clang with its fuzzer runtime, sanitizers on.
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Ietl $(PKG_CFLAGS)
fuzz: $(FUZZ_NAMES:%=build/fuzz/%)
build/fuzz/%: tests/fuzz/%.c $(CORE_SRCS) $(BUILD)/etl/migrations.c | $(DEPS_STAMP)
	@command -v clang >/dev/null || WALIDATA_FUZZ=1 .ci/install-deps
	@mkdir -p build/fuzz
	clang $(FUZZ_CFLAGS) -o $@ $< $(CORE_SRCS) $(BUILD)/etl/migrations.c $(PKG_LIBS)
FUZZ_SECONDS ?= 60
fuzz-run: fuzz
	@for f in $(FUZZ_NAMES); do \
	  mkdir -p build/fuzz/corpus-$$f; \
	  build/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    build/fuzz/corpus-$$f tests/fuzz/corpus/$$f || exit 1; \
	done

bench: $(BIN)
	@bench/run

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/walidata/mappings \
	  $(DESTDIR)$(PREFIX)/share/walidata/reference-codes
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/walidata
	install -m 0644 mappings/*.json $(DESTDIR)$(PREFIX)/share/walidata/mappings/
	install -m 0644 reference-codes/*.json reference-codes/*.csv \
	  $(DESTDIR)$(PREFIX)/share/walidata/reference-codes/
	install -d $(DESTDIR)$(PREFIX)/share/walidata/systemd
	install -m 0644 systemd/walidata.service systemd/walidata.sysusers systemd/walidata.tmpfiles \
	  systemd/walidata.json.example systemd/README.md $(DESTDIR)$(PREFIX)/share/walidata/systemd/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/walidata
	rm -rf $(DESTDIR)$(PREFIX)/share/walidata

format:
	clang-format -i etl/*.c etl/*.h connectors/*.c connectors/*.h tests/*.c tests/*.h \
	  tests/fuzz/*.c bench/*.c

clean:
	rm -rf build

-include $(CORE_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(TEST_BINS:=.d) $(TEST_UTIL_OBJS:.o=.d)
