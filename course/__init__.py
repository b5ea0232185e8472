"""The course model, shared by the build (tools/), the grader (grader/) and the tests.

- course.assignments: the manifest (each assignment's notebook and the shared files its folder carries, the
  labs' files, the shipped data's checksums) and the paths built from it (`source_notebook`, `release_dir`);
- course.notebooks: reading nbgrader notebooks: cell predicates named as nbgrader names them (`is_solution`,
  `is_test`, `is_locked`, `grade_id`, `points`), the solution and hidden-test markers, a cached reader of an
  assignment's graded cells.

It imports nothing of the project's other packages: `tools/` and `grader/` import it, never the reverse.
"""
