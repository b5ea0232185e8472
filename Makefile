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

# graded assignments with an instructor notebook in source/ (course/assignments.py is the manifest)
ASSIGNMENTS ?= $(shell $(PYTHON) -m course.assignments)
export ASSIGNMENTS
SOURCE_NOTEBOOKS := $(foreach a,$(ASSIGNMENTS),source/$(a)/$(a).ipynb)
LAB_NOTEBOOKS := $(wildcard notebooks/*.ipynb)
SAMPLES = $(foreach a,$(ASSIGNMENTS),$(wildcard grader_tests/samples/$(a)_*.py))

.DEFAULT_GOAL := all
.PHONY: all help venv sandbox sync release autograde grader-check validate test lane-unit lane-checks lane-browser lint unit nbval release-check execute \
	lab workspace formgrader selfcheck-corpus chromium browser-test bench bench-nietzsche pretrain pretrain-nietzsche \
	pretrain-text8 pretrain-shakespeare figures clean dask-scheduler dask-worker grader-seeds

## help: this list
help:
	@awk '/^## / { sub(/^## /, ""); if (!inblock) { name = $$0; sub(/:.*/, "", name); sub(/^[^:]*: */, "") } \
			desc = desc " " $$0; inblock = 1; next } \
		inblock { show(); inblock = 0; desc = "" } \
		function show(   n, w, i, line) { print name; n = split(desc, w, " "); line = "   "; \
			for (i = 1; i <= n; i++) { if (length(line) + length(w[i]) > 100) { print line; line = "   " } \
			line = line " " w[i] } print line }' $(MAKEFILE_LIST)

## all (plain `make`): the venv, the release, the sample class graded and its gradebook printed
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
			echo "WARNING: bubblewrap is missing and cannot be installed here: grading refuses to run learners'" \
				"code (unless you pass --allow-unsandboxed)"; \
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

## browser-test: a learner and an instructor in JupyterLab, in headless chromium (tests/browser/browser_lab.py), and
## feedback pages and graded notebooks full of payloads, online and offline (tests/browser/browser_feedback.py);
## screenshots of a failure go to build/browser/
browser-test: sync sandbox chromium
	$(BIN)/python -m pytest -q tests/browser/browser_lab.py tests/browser/browser_feedback.py -p no:cacheprovider

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
## the grader's environment carries a canary that grader_tests/tamper/*probe_outside* must not see; a fixed course
## secret, so every run draws the same hidden inputs: `make grader-seeds` varies it)
GRADER_CHECK_SECRET = charlm-grader-check-fixed-secret-0001
grader-check: release sandbox
	@for a in $(ASSIGNMENTS); do $(MAKE) --no-print-directory grade-$$a || exit 1; done

## grade-<assignment>: grader-check for one assignment (e.g. make grade-dinosaur_island)
grade-%:
	rm -rf build/grading/$* build/grading/$*-submitted  # scratch classes: graded from scratch each time
	mkdir -p build/grading/$* && (umask 077; echo $(GRADER_CHECK_SECRET) > build/grading/$*/grader-secret)
	$(BIN)/python -m grader build --out build/grading/$*-submitted $(wildcard grader_tests/*/$*_*.py)
	CHARLM_GRADER_CANARY=do-not-leak $(BIN)/python -m grader grade --assignment $* \
		--submissions build/grading/$*-submitted --course build/grading/$* --cell-timeout 20 --workers 2 \
		--regrade --quiet
	$(BIN)/python -m grader expect --course build/grading/$* $(wildcard grader_tests/*/$*_*.py)

## grader-seeds: the mutant and valid corpora graded under GRADER_SEEDS (20) fixed course secrets, each learner's
## hidden inputs drawn from a different seed each time (tools/grader_seeds.py): every declared outcome must hold
## under every secret (mutants caught, valid notebooks full marks, no flag). Hours on two cores: not in `make test`
GRADER_SEEDS ?= 20
grader-seeds: release sandbox
	$(BIN)/python -m tools.grader_seeds --secrets $(GRADER_SEEDS) --workers 2

## dask-scheduler: a Dask scheduler for grading on a cluster (docs/scaling.md), started in this
## folder with it on the path: the scheduler unpickles each grading task, so it must be able to import the grader.
## DASK_HOST is the address it listens on (127.0.0.1 unless given), DASK_PORT its port
DASK_HOST ?= 127.0.0.1
DASK_PORT ?= 8786
dask-scheduler: venv
	PYTHONPATH=$(CURDIR) $(BIN)/dask scheduler --host $(DASK_HOST) --port $(DASK_PORT) --no-dashboard

## dask-worker: grading workers for the scheduler at DASK_SCHEDULER (tcp://host:port), listening on DASK_HOST (this
## machine's address the scheduler reaches), one process per core (DASK_NWORKERS), one thread each; in this folder
## with it on the path, bubblewrap installed (`sandbox`)
DASK_SCHEDULER ?= tcp://127.0.0.1:8786
DASK_NWORKERS ?= $(shell nproc --all 2>/dev/null || echo 1)
dask-worker: venv sandbox
	PYTHONPATH=$(CURDIR) $(BIN)/dask worker $(DASK_SCHEDULER) --host $(DASK_HOST) --nworkers $(DASK_NWORKERS) \
		--nthreads 1 --no-dashboard

## validate: every instructor notebook passes all its graded cells; every untouched release fails them all
validate: sync
	$(BIN)/python -m tools.validate $(SOURCE_NOTEBOOKS)
	$(BIN)/python -m tools.validate --expect-fail $(foreach a,$(ASSIGNMENTS),release/$(a)/$(a).ipynb)

## test: everything CI checks, on three lanes side by side (each lane's output printed whole when it ends):
## `lane-unit` (the unit tests, then the last assignment's grader corpora) and `lane-checks` (the notebooks under
## nbval, release-check, validate, the other assignments' corpora), one core each and of about equal length, and
## `browser-test`, which mostly waits (its bar is a notebook left open past an autosave). No lane writes what another
## reads (the unit tests' `make release` runs in a copy of the course); the corpora are graded on the release/ that
## release-check finds equal to a fresh generation, not regenerated
LANE_UNIT := unit $(foreach a,$(lastword $(ASSIGNMENTS)),grade-$(a))
LANE_CHECKS := nbval release-check validate $(foreach a,$(filter-out $(lastword $(ASSIGNMENTS)),$(ASSIGNMENTS)),grade-$(a))
test: lint
	$(MAKE) --no-print-directory -j3 --output-sync=target lane-unit lane-checks lane-browser

lane-unit lane-checks: sync sandbox
	@for t in $(if $(filter lane-unit,$@),$(LANE_UNIT),$(LANE_CHECKS)); do $(MAKE) --no-print-directory $$t || exit 1; done

lane-browser: sync sandbox
	@$(MAKE) --no-print-directory browser-test

## lint: ruff over the whole repository
lint: venv
	$(BIN)/ruff check .

## unit: the tests in tests/ (pytest)
unit: sync sandbox
	$(BIN)/python -m pytest -q tests

## nbval: every instructor notebook and lab executed and compared with its stored outputs
# CHARLM_PROGRESS=off: no progress bars (utils/progress.py) in stored or compared outputs, which must not
# depend on timing; learners in JupyterLab get live bars
nbval: sync
	CHARLM_PROGRESS=off $(BIN)/python -m pytest -q --nbval $(SOURCE_NOTEBOOKS) $(LAB_NOTEBOOKS) \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

## release-check: a fresh nbgrader generation equals release/, with no solution or hidden-test text in it
release-check: sync
	$(BIN)/python -m tools.check_release

## execute: re-run the source notebooks and save their outputs (after editing one); no widget state is stored
## (JupyterLab would rewrite it on open: `make release-check` fails on it)
execute: sync
	@for nb in $(SOURCE_NOTEBOOKS) $(LAB_NOTEBOOKS); do \
		CHARLM_PROGRESS=off jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.record_timing=False \
			--ExecutePreprocessor.store_widget_state=False $$nb || exit 1; \
	done

## workspace: create or update the learner workspace (git-ignored) from release/ and the labs: adds what
## is new, never changes or deletes a learner's file (a changed notebook lands beside as <name>.new-<hash>)
WORKSPACE ?= workspace
workspace: venv
	$(BIN)/python -m tools.workspace --workspace $(WORKSPACE)

# JupyterLab as the course runs it: loopback, a token, kernels over CurveZMQ-encrypted sockets (the server makes the
# keys; no "Kernel is running over TCP without encryption" warning), tools/lab_server.py (the self-check behind Validate; notebooks saved without widget state)
# and tools/jupyter_config (no widget state saved); `python -m` from the repository root so that tools/ is
# importable in the server. Each lab keeps its own JupyterLab settings and layout (LAB_STATE), never the shared
# ~/.jupyter/lab ones: nothing of one lab reopens in the other
JUPYTER_LAB = $(abspath $(BIN))/python -m jupyterlab --ip=127.0.0.1 --no-browser --allow-root \
	--ServerApp.jpserver_extensions=tools.lab_server=True --KernelManager.transport_encryption=auto
LAB_STATE = --LabApp.user_settings_dir=$(1)/settings --LabApp.workspaces_dir=$(1)/workspaces
# the learner's lab: its Validate button is the course's self-check (tools/jupyter_config_learner/labextensions,
# the same judge as `python -m grader grade`), nbgrader's instructor tools (formgrader, create assignment) and
# the exchange's pages are left out, Markdown opens rendered and the workspace's README.md opens first
LEARNER_CONFIG = $(CURDIR)/tools/jupyter_config_learner:$(CURDIR)/tools/jupyter_config
NBGRADER_INSTRUCTOR_SERVER = $(foreach e,formgrader course_list assignment_list,\
	--ServerApp.jpserver_extensions=nbgrader.server_extensions.$(e)=False)
LEARNER_LAB = --LabApp.extra_labextensions_path=$(CURDIR)/tools/jupyter_config_learner/labextensions \
	--LabApp.default_url=/lab/tree/README.md $(call LAB_STATE,$(abspath $(WORKSPACE))/.lab)

## lab: JupyterLab on the learner workspace (never regenerates release/: that is `make release`); its settings
## and layout live in $(WORKSPACE)/.lab. It runs in the workspace, so that its terminals start there; `python -P`
## keeps the workspace off the server's module path (tools/jupyter_config_learner/jupyter_server_config.py puts
## the repository there instead)
lab: workspace
	cd $(WORKSPACE) && JUPYTER_CONFIG_PATH=$(LEARNER_CONFIG) $(subst python -m,python -P -m,$(JUPYTER_LAB)) \
		$(NBGRADER_INSTRUCTOR_SERVER) $(LEARNER_LAB) --ServerApp.root_dir=.

## formgrader: JupyterLab for instructors on the course root, with nbgrader's formgrader on the course folder
## COURSE (default build/samples, the sample class `make` grades anew each time): the gradebook.db, autograded/
## and feedback/ that `python -m grader grade --course COURSE` fills, so its flags, needs-manual-grade and the
## manual scores entered here are the class's (the next grade run puts them in grades.csv). COURSE_DB=URL for a
## gradebook given with --db. Browse source/, preview and generate release/, release/fetch/submit/collect
## through build/exchange; its Autograde button refuses: grade with the course's sandboxed driver (docs/grading.md). Its
## settings and layout live in FORMGRADER_STATE
COURSE ?= build/samples
COURSE_DB ?=
FORMGRADER_STATE ?= build/formgrader-lab
formgrader: sync
	@mkdir -p build/exchange $(COURSE)
	@echo "formgrader: course folder $(abspath $(COURSE)) ($(or $(COURSE_DB),its gradebook.db), autograded/, feedback/)"
	CHARLM_FORMGRADER=1 CHARLM_COURSE=$(abspath $(COURSE)) CHARLM_COURSE_DB=$(COURSE_DB) \
		JUPYTER_CONFIG_PATH=$(CURDIR)/tools/jupyter_config $(JUPYTER_LAB) $(call LAB_STATE,$(abspath $(FORMGRADER_STATE))) \
		--ServerApp.root_dir=.

## selfcheck-corpus: the learner's self-check on every corpus notebook of grader_tests/ gives exactly the points
## per cell that `python -m grader grade` gives (minutes; `make test` checks a few, tests/grader/test_selfcheck.py)
selfcheck-corpus: release sandbox
	$(BIN)/python -m pytest -q -s tests/helpers/selfcheck_corpus.py -p no:cacheprovider

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
## course/assignments.py and utils/pretrained.py (tests/library/test_pretrained.py says which)
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

## clean: remove build/ (scratch classes, checkpoints, caches); never workspace/, release/ or a course folder
clean:
	rm -rf build $(foreach a,$(ASSIGNMENTS),source/$(a)/__pycache__)
