"""Demo and training cells that wait, in one line, for the exercises they need.

A notebook's setup cell names its exercises once:

    needs_exercises = ExerciseGuard({"nonoverlapping_windows": 1, "unrolled_forward": 2, ...})

and every cell that runs the learner's functions outside a test wraps its code:

    with needs_exercises:
        train_stage("3-char", model_3, X3, Y3, X3_val, Y3_val)

While an exercise is still the released stub (`raise NotImplementedError()`), such a cell prints
one line instead of a traceback (and instead of a progress bar stuck at 0):

    Not run yet: this cell needs Exercise 2 (`unrolled_forward`), which is not written yet. ...

A cell that needs a name an earlier cell has not made yet (that cell was waiting for an exercise,
or was not run) says so in one line too. Every other error is raised as usual, with its traceback:
a bug in a written function is the learner's to see.

How a stub is recognised: the NotImplementedError was raised in the body of one of the named
functions (a method is named `Class.method`). Nothing is called or inspected beforehand, so a
solved exercise costs nothing.

This file is the single hand-maintained copy; the build copies it into the assignment folders
(course/assignments.py).
"""

__all__ = ["ExerciseGuard"]


def _innermost_frame(tb):
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame


def _in_a_notebook():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class ExerciseGuard:
    """A context manager (and a message maker) for cells that run the learner's exercises.

    Arguments:
    exercises -- dict: function name (or `Class.method`) -> the exercise's number or label,
                 e.g. {"clip": 1, "BatchGenerator.next": 2, "fuse_params": "P1"}
    """

    def __init__(self, exercises):
        self.exercises = {str(name): str(label) for name, label in exercises.items()}

    def message(self, exc):
        """The one-line explanation for an exception, or None when it is not one this guard explains.

        Arguments:
        exc -- an exception instance with its traceback (exc.__traceback__)

        Returns:
        text -- "Not run yet: ..." for a stub's NotImplementedError or a name not defined yet, else None
        """
        tb = getattr(exc, "__traceback__", None)
        if tb is None:
            return None
        code = _innermost_frame(tb).f_code
        if isinstance(exc, NotImplementedError):
            for name in (getattr(code, "co_qualname", code.co_name), code.co_name):
                if name in self.exercises:
                    label = self.exercises[name]
                    which = f"Exercise {label}" if label.isdigit() else label
                    return (f"Not run yet: this cell needs {which} (`{name}`), which is not written yet. "
                            f"Write it, run its cell, then run this cell again.")
            return None
        if isinstance(exc, NameError) and code.co_name == "<module>" and getattr(exc, "name", None):
            return (f"Not run yet: this cell needs `{exc.name}`, which is not defined yet. Run the cells above "
                    f"it first (a cell that waits for an exercise says which).")
        return None

    def explain(self, exc):
        """If `exc` is one this guard explains: clear the cell's output, print the line, return True."""
        text = self.message(exc)
        if text is None:
            return False
        if _in_a_notebook():  # a progress bar or half a log printed before the stub was reached goes
            from IPython.display import clear_output
            clear_output()
        print(text)
        return True

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            return False
        return self.explain(exc)
