"""The grader's defaults, in one place: what a run uses unless the instructor says otherwise (`grade --cell-timeout`,
`--budget`). Imported by the command line, the coordinator, the unit, the judge and the learner's self-check."""

DEFAULT_CELL_TIMEOUT = 60.0   # seconds one cell (or one test) of a notebook may run
DEFAULT_BUDGET = 600.0        # seconds a whole notebook may run; the learner's process gets this + 30 s of CPU time
