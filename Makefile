# csbot: `make run` sets everything up and starts the main job; `make test` sets up and runs the tests.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.8
LOCK := requirements.lock
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false

.PHONY: run test install lock lint bench clean

# uv does not read pip's configuration, so `$(PY) -c "$$PIP_TO_UV" $(UV) pip CMD ...` runs uv with
# the indexes, find-links, constraints, trusted hosts, CA bundle and timeout that pip has on this
# machine (`pip config list`: PIP_* variables over the install section over global), and with pip's
# rule of taking the best match across all indexes. This is how torch==2.13.0+cpu, which pip is
# pointed to by its find-links, is found by uv too. Nothing of one machine is written into the repo.
define PIP_TO_UV
import ast, os, subprocess, sys
listing = subprocess.run([sys.executable, "-m", "pip", "config", "list"],
                         check=True, capture_output=True, text=True).stdout
config = {}
for line in listing.splitlines():
    if "=" not in line:
        continue
    key, _, value = line.partition("=")
    scope, _, option = key.rpartition(".")
    config.setdefault(option, {})[scope] = ast.literal_eval(value)
def pip_option(option):
    for scope in (":env:", "install", "global"):
        if scope in config.get(option, {}):
            return config[option][scope]
    return ""
uv, group, command, *rest = sys.argv[1:]
mapped = [("index-url", "--index-url"), ("extra-index-url", "--extra-index-url"),
          ("find-links", "--find-links"), ("trusted-host", "--allow-insecure-host")]
if command != "compile":  # a lock would name the machine's constraint file in its comments
    mapped.append(("constraint", "--constraints"))
flags = ["--index-strategy", "unsafe-best-match"]
for option, flag in mapped:
    flags += [part for value in pip_option(option).split() for part in (flag, value)]
if pip_option("no-index").lower() in ("1", "true", "yes", "on"):
    flags.append("--no-index")
env = dict(os.environ, UV_PYTHON_DOWNLOADS="never")
if pip_option("cert"):
    env["SSL_CERT_FILE"] = pip_option("cert")
if pip_option("default-timeout") or pip_option("timeout"):
    env["UV_HTTP_TIMEOUT"] = pip_option("default-timeout") or pip_option("timeout")
os.execve(uv, [uv, group, command, *flags, *rest], env)
endef
export PIP_TO_UV

install: $(STAMP)

# Everything comes from $(LOCK), exact versions with no resolving (--no-deps), torch included as
# the CPU wheel (a plain `torch` requirement would pull a multi-GB CUDA build); `pip check` then
# fails if pyproject.toml asks for something the lock lacks (run `make lock`).
$(STAMP): pyproject.toml $(LOCK) | $(UV)
	$(PY) -c "$$PIP_TO_UV" $(UV) pip install --python $(PY) --no-deps -r $(LOCK) -e .
	$(UV) pip check --python $(PY) || { echo "if pyproject.toml asks for what $(LOCK) lacks: make lock" >&2; exit 1; }
	touch $(STAMP)

$(UV):
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q uv==$(UV_VERSION)

# Re-resolve pyproject.toml (runtime + dev) into $(LOCK), keeping its current pins where they still
# fit; `make lock UPGRADE=1` moves everything to the newest versions allowed.
lock: | $(UV)
	$(PY) -c "$$PIP_TO_UV" $(UV) pip compile --quiet --python $(PY) pyproject.toml --extra dev \
	  --custom-compile-command 'make lock' --output-file $(LOCK) $(if $(UPGRADE),--upgrade)

run: install
	$(VENV)/bin/csbot run

test: install
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -n auto --maxprocesses 4 --dist loadfile

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: install
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache
