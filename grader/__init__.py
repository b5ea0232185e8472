"""The course's grading system: a judge outside the learner's process, a minimal sandbox, a class driver."""
