"""Helpers shared by the tests: a fake grading unit, a class builder, the corpus self-check."""
