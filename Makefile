# The course's two commands: `make` (build the release, autograde the samples, print the gradebook)
# and `make test` (everything CI checks). Both create .venv with the pinned requirements first.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg

# graded assignments with an instructor notebook in source/ (tools/assignments.py is the manifest)
ASSIGNMENTS ?= $(shell $(PYTHON) -m tools.assignments)
export ASSIGNMENTS
SOURCE_NOTEBOOKS := $(foreach a,$(ASSIGNMENTS),source/$(a)/$(a).ipynb)
LAB_NOTEBOOKS := $(wildcard notebooks/*.ipynb)
SAMPLES := $(wildcard grader_tests/samples/*.py)
# the bundled samples are graded in their own course folders so an instructor's real
# submitted/ and gradebook.db are never touched
SAMPLE_DIR := build/samples
NBGRADER_SAMPLES := --CourseDirectory.submitted_directory=$(SAMPLE_DIR)/submitted \
	--CourseDirectory.autograded_directory=$(SAMPLE_DIR)/autograded \
	--CourseDirectory.db_url=sqlite:///$(abspath $(SAMPLE_DIR))/gradebook.db

.DEFAULT_GOAL := all
.PHONY: all venv sync release autograde test lint unit nbval release-check execute lab bench clean

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

## autograde: grade the bundled sample submissions and print the gradebook (fails on an unexpected score)
autograde: release
	rm -rf $(SAMPLE_DIR)
	mkdir -p $(SAMPLE_DIR)
	$(BIN)/python -m tools.submissions $(SAMPLES) --out $(SAMPLE_DIR)/submitted
	@for a in $(ASSIGNMENTS); do \
		nbgrader generate_assignment $$a --force --log-level=ERROR $(NBGRADER_SAMPLES) \
			--CourseDirectory.release_directory=$(SAMPLE_DIR)/release || exit 1; \
		nbgrader autograde $$a --force --log-level=ERROR $(NBGRADER_SAMPLES) || exit 1; \
	done
	$(BIN)/python -m tools.gradebook --db $(SAMPLE_DIR)/gradebook.db --expect $(SAMPLES)

## test: everything CI checks
test: lint unit nbval release-check autograde

lint: venv
	$(BIN)/ruff check .

unit: sync
	$(BIN)/python -m pytest -q tests

nbval: sync
	$(BIN)/python -m pytest -q --nbval $(SOURCE_NOTEBOOKS) $(LAB_NOTEBOOKS) \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

release-check: sync
	$(BIN)/python -m tools.check_release

## execute: re-run the source notebooks and save their outputs (after editing one)
execute: sync
	@for nb in $(SOURCE_NOTEBOOKS) $(LAB_NOTEBOOKS); do \
		jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.record_timing=False $$nb || exit 1; \
	done

## lab: JupyterLab on the student release
lab: release
	jupyter lab --notebook-dir=release --ip=127.0.0.1 --no-browser --allow-root

## bench: Dinosaur Island training time against a faithful per-example reference
bench: sync
	$(BIN)/python bench/dinosaur_training.py

clean:
	rm -rf build $(foreach a,$(ASSIGNMENTS),source/$(a)/__pycache__)
