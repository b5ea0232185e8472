# The course's two commands: `make` (build the release, autograde the samples, print the gradebook)
# and `make test` (everything CI checks). Both create .venv with the pinned requirements first.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)
export PYTHONHASHSEED := 0
# one BLAS thread per process: the models are small, and on a 2-core machine shared by parallel
# jobs extra threads only spin against each other (a text8 training step: 198 ms vs 9.7 ms)
export OPENBLAS_NUM_THREADS := 1

# graded assignments with an instructor notebook in source/ (tools/assignments.py is the manifest)
ASSIGNMENTS ?= $(shell $(PYTHON) -m tools.assignments)
export ASSIGNMENTS
SOURCE_NOTEBOOKS := $(foreach a,$(ASSIGNMENTS),source/$(a)/$(a).ipynb)
LAB_NOTEBOOKS := $(wildcard notebooks/*.ipynb)
SAMPLES = $(foreach a,$(ASSIGNMENTS),$(wildcard grader_tests/samples/$(a)_*.py))

.DEFAULT_GOAL := all
.PHONY: all venv sandbox sync release autograde grader-check validate test lint unit nbval release-check execute \
	lab workspace formgrader chromium browser-test bench bench-nietzsche pretrain pretrain-nietzsche \
	pretrain-text8 pretrain-shakespeare figures clean

all: autograde

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

venv: $(BIN)/.installed

## sync: copy shared helpers and data from utils/ and data/ into source/<assignment>/ (checks the data first)
sync: venv
	$(BIN)/python -m tools.sync

## release: regenerate release/<assignment>/ from source/ with nbgrader (always, never stale)
release: sync
	@mkdir -p build
	@for a in $(ASSIGNMENTS); do \
		nbgrader generate_assignment $$a --force --log-level=WARN \
			--CourseDirectory.db_url=sqlite:///$(abspath build)/release.db || exit 1; \
	done
	@echo "release/ regenerated for: $(ASSIGNMENTS)"

## sandbox: install bubblewrap for the grading sandbox (Debian/Ubuntu as root); warn loudly otherwise
sandbox:
	@command -v bwrap >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get install -y -qq bubblewrap >/dev/null 2>&1 || \
			{ apt-get update -qq >/dev/null && apt-get install -y -qq bubblewrap >/dev/null; }; \
		else \
			echo "WARNING: bubblewrap is missing and cannot be installed here: autograding runs WITHOUT a sandbox"; \
		fi; }

## chromium: install Debian's chromium for the browser test (as root, as `sandbox` installs bubblewrap); Playwright
## (requirements.txt) drives it by path and never downloads a browser
chromium:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get install -y -qq chromium >/dev/null 2>&1 || \
			{ apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; }; \
		else \
			echo "error: the browser test needs Debian's chromium (apt-get install chromium, as root)"; exit 1; \
		fi; }

## browser-test: a learner and an instructor in JupyterLab, in headless chromium (tests/browser_lab.py);
## screenshots of a failure go to build/browser/
browser-test: sync chromium
	$(BIN)/python -m pytest -q tests/browser_lab.py -p no:cacheprovider

## autograde: grade the bundled sample submissions (sandboxed) with `python -m grader grade` into the scratch
## course folder build/samples (made anew each time: a changed instructor notebook cannot be added to a
## gradebook that has submissions, nbgrader's rule), print the gradebook, and fail if a sample's outcome
## differs from the one it declares
autograde: release sandbox
	rm -rf build/samples build/samples-submitted  # a scratch class, graded from scratch each time
	$(BIN)/python -m grader build --out build/samples-submitted $(SAMPLES)
	@for a in $(ASSIGNMENTS); do \
		$(BIN)/python -m grader grade --assignment $$a --submissions build/samples-submitted \
			--course build/samples --regrade || exit 1; \
	done
	$(BIN)/python -m grader expect --course build/samples $(SAMPLES)

## grader-check: every corpus (samples, mutants, valid alternatives, tamper) of each assignment graded
## as one class, feedback generated and searched for hidden-test text, every declared outcome checked
## (one assignment after another, two submissions at a time, each in a fresh scratch course under build/grading;
## the grader's environment carries a canary that grader_tests/tamper/*probe_outside* must not see)
grader-check: release sandbox
	@for a in $(ASSIGNMENTS); do $(MAKE) --no-print-directory grade-$$a || exit 1; done

grade-%:
	rm -rf build/grading/$* build/grading/$*-submitted  # scratch classes: graded from scratch each time
	$(BIN)/python -m grader build --out build/grading/$*-submitted $(wildcard grader_tests/*/$*_*.py)
	CHARLM_GRADER_CANARY=do-not-leak $(BIN)/python -m grader grade --assignment $* \
		--submissions build/grading/$*-submitted --course build/grading/$* --cell-timeout 20 --workers 2 \
		--regrade --quiet
	$(BIN)/python -m grader expect --course build/grading/$* $(wildcard grader_tests/*/$*_*.py)

## validate: every instructor notebook passes all its graded cells; every untouched release fails them all
validate: sync
	$(BIN)/python -m tools.validate $(SOURCE_NOTEBOOKS)
	$(BIN)/python -m tools.validate --expect-fail $(foreach a,$(ASSIGNMENTS),release/$(a)/$(a).ipynb)

## test: everything CI checks. The unit tests and the notebooks (nbval) run side by side, one core each
## (neither writes what the other reads; each one's output is printed whole when it ends), then the rest in turn
test: lint
	$(MAKE) --no-print-directory -j2 --output-sync=target unit nbval
	$(MAKE) --no-print-directory release-check validate grader-check browser-test

lint: venv
	$(BIN)/ruff check .

unit: sync sandbox
	$(BIN)/python -m pytest -q tests

# CHARLM_PROGRESS=off: no progress bars (utils/progress.py) in stored or compared outputs, which must not
# depend on timing; learners in JupyterLab get live bars
nbval: sync
	CHARLM_PROGRESS=off $(BIN)/python -m pytest -q --nbval $(SOURCE_NOTEBOOKS) $(LAB_NOTEBOOKS) \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

release-check: sync
	$(BIN)/python -m tools.check_release

## execute: re-run the source notebooks and save their outputs (after editing one)
execute: sync
	@for nb in $(SOURCE_NOTEBOOKS) $(LAB_NOTEBOOKS); do \
		CHARLM_PROGRESS=off jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.record_timing=False $$nb || exit 1; \
	done

## workspace: create or update the learner workspace (git-ignored) from release/ and the labs: adds what
## is new, never changes or deletes a learner's file (a changed notebook lands beside as <name>.new-<hash>)
WORKSPACE ?= workspace
workspace: venv
	$(BIN)/python -m tools.workspace --workspace $(WORKSPACE)

# JupyterLab as the course runs it: loopback, a token, tools/lab_server.py (Validate on an ungraded lab says so)
# and tools/jupyter_config (widget state saved with the notebook, so a reopened one shows its last state);
# `python -m` from the repository root so that tools/ is importable in the server
JUPYTER_LAB = $(BIN)/python -m jupyterlab --ip=127.0.0.1 --no-browser --allow-root \
	--ServerApp.jpserver_extensions=tools.lab_server=True
# the learner's lab keeps nbgrader's Validate button and leaves out its instructor tools (formgrader, create
# assignment) and the exchange's pages, which have no course behind them there (tools/jupyter_config_learner)
LEARNER_CONFIG = $(CURDIR)/tools/jupyter_config_learner:$(CURDIR)/tools/jupyter_config
NBGRADER_INSTRUCTOR_SERVER = $(foreach e,formgrader course_list assignment_list,\
	--ServerApp.jpserver_extensions=nbgrader.server_extensions.$(e)=False)

## lab: JupyterLab on the learner workspace (never regenerates release/: that is `make release`)
lab: workspace
	JUPYTER_CONFIG_PATH=$(LEARNER_CONFIG) $(JUPYTER_LAB) $(NBGRADER_INSTRUCTOR_SERVER) --ServerApp.root_dir=$(WORKSPACE)

## formgrader: JupyterLab for instructors on the course root, with nbgrader's formgrader (browse source/,
## preview and generate release/, release/fetch/submit/collect through build/exchange); its Autograde
## button refuses: grade with the course's sandboxed driver (README)
formgrader: sync
	@mkdir -p build/exchange
	CHARLM_FORMGRADER=1 JUPYTER_CONFIG_PATH=$(CURDIR)/tools/jupyter_config $(JUPYTER_LAB) --ServerApp.root_dir=.

## bench: Dinosaur Island training time against a faithful per-example reference, and LSTM
## throughput against PyTorch's nn.LSTM (its column is skipped when torch is not installed)
bench: sync
	$(BIN)/python bench/dinosaur_training.py
	$(BIN)/python bench/lstm_throughput.py --threads 1 --rounds 5

## bench-nietzsche: the Nietzsche stages at the original's settings (batch 512, Keras initialisation), each on the
## whole corpus (the original's data) and on the 90% split (held-out loss), beside the original's losses; then
## the RNN layer at seeds 1 to 6 too (whole corpus); the stateful LSTM's 20 + 20 epochs on both, resumable (rerun
## to continue from build/nietzsche_bench/)
bench-nietzsche: sync
	for stage in 3char 8char rnn stateful_rnn; do for data in whole split; do \
		$(BIN)/python bench/nietzsche_original.py --stage $$stage --data $$data || exit 1; done; done
	for seed in 1 2 3 4 5 6; do \
		$(BIN)/python bench/nietzsche_original.py --stage rnn --data whole --seed $$seed --tag _seed$$seed || exit 1; done
	for data in whole split; do \
		$(BIN)/python bench/nietzsche_original.py --stage lstm --data $$data --resume || exit 1; done

## pretrain: train the course's models at the originals' settings into data/<name>.npz, each with its training log
## beside it (data/<name>.log.json; data/SOURCES.md lists them): seeded, and resumable: a stopped run started again
## continues from its checkpoint in build/pretrain/ and ends with the same numbers. One model at a time:
## pretrain-nietzsche-<stage> (3char 8char rnn stateful_rnn lstm), pretrain-text8-lstm, pretrain-text8-seq2seq,
## pretrain-shakespeare; `make -j2 pretrain` runs two at once. About 3 hours on one quiet core, most of it the
## Nietzsche LSTM; a retrained file gets a new sha256 on another machine: update data/SOURCES.md,
## tools/assignments.py and utils/pretrained.py (tests/test_pretrained.py says which)
PRETRAIN_NIETZSCHE := 3char 8char rnn stateful_rnn lstm
pretrain: pretrain-shakespeare pretrain-text8 pretrain-nietzsche
pretrain-nietzsche: $(foreach s,$(PRETRAIN_NIETZSCHE),pretrain-nietzsche-$(s))
pretrain-nietzsche-%: venv
	$(BIN)/python tools/pretrain_nietzsche.py --stage $*
pretrain-text8: pretrain-text8-lstm pretrain-text8-seq2seq
pretrain-text8-%: venv
	$(BIN)/python tools/pretrain_text8.py --model $*
pretrain-shakespeare: venv
	$(BIN)/python tools/pretrain_shakespeare.py

## figures: redraw the Dinosaur Island diagrams (source/dinosaur_island/figures/*.png, committed)
figures: venv
	$(BIN)/python tools/draw_dinosaur_figures.py

clean:
	rm -rf build $(foreach a,$(ASSIGNMENTS),source/$(a)/__pycache__)
